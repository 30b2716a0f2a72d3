from reports.diffs import has_changed, html_diff


def test_diff_marks_removed_and_added_words():
    diff = html_diff("<p>The partnership met monthly.</p>", "<p>The partnership met weekly.</p>")
    assert "<del>monthly.</del>" in diff
    assert "<ins>weekly.</ins>" in diff
    assert "The partnership met" in diff


def test_diff_escapes_what_people_wrote():
    diff = html_diff("<p>a</p>", "<p>a &lt;script&gt;</p>")
    assert "<script>" not in diff
    assert "&lt;script&gt;" in diff


def test_markup_only_changes_are_not_changes():
    assert not has_changed("<p>Same words</p>", "<p><strong>Same</strong> words</p>")
    assert has_changed("<p>Same words</p>", "<p>Other words</p>")


def test_a_new_paragraph_is_one_insertion_and_breaks_alone_are_not_marked():
    old = "<p>The project had three aims.</p>"
    new = "<p>The project had three aims.</p><p></p><p>They were agreed with the board.</p>"
    diff = html_diff(old, new)
    assert diff.count("<ins>") == 1
    assert "<ins>They were agreed with the board.</ins>" in diff
    assert "<del>" not in diff


def test_splitting_a_paragraph_changes_no_words():
    old = "<p>First sentence. Second sentence.</p>"
    new = "<p>First sentence.</p><p>Second sentence.</p>"
    diff = html_diff(old, new)
    assert "<ins>" not in diff
    assert "<del>" not in diff
    assert "First sentence. <br> Second sentence." in diff
