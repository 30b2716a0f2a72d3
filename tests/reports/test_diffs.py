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


def test_formatting_is_a_change_and_the_same_markup_is_not():
    assert has_changed("<p>Same words</p>", "<p><strong>Same</strong> words</p>")
    assert has_changed("<p>Same words</p>", "<p>Other words</p>")
    assert not has_changed("<p>Same words</p>", "<p>Same   words</p>")


def test_bolding_a_whole_paragraph_shows_as_a_change_with_its_formatting():
    old = "<p>Partners met monthly.</p><p>Nothing else changed.</p>"
    new = "<p><strong>Partners met monthly.</strong></p><p>Nothing else changed.</p>"
    diff = html_diff(old, new)
    assert "<del>Partners met monthly.</del>" in diff
    assert "<ins><strong>Partners met monthly.</strong></ins>" in diff
    assert "Nothing else changed." in diff


def test_a_links_address_is_shown_and_a_new_address_is_a_change():
    old = '<p>See <a href="https://old.example.org/">the guide</a>.</p>'
    new = '<p>See <a href="https://new.example.org/">the guide</a>.</p>'
    diff = html_diff(old, new)
    assert "<del>" in diff and "<ins>" in diff
    assert "(link: https://old.example.org/)" in diff.split("<ins>")[0]
    assert "(link: https://new.example.org/)" in diff.split("<ins>")[1]
    assert "(link: https://new.example.org/)" in html_diff(new, new)


def test_paragraphs_turned_into_a_list_show_as_list_items():
    diff = html_diff(
        "<p>Relationships</p><p>Structure</p>", "<ul><li>Relationships</li><li>Structure</li></ul>"
    )
    assert "<ins>• Relationships<br>• Structure</ins>" in diff
    assert "<del>Relationships<br>Structure</del>" in diff


def test_a_footnote_and_a_heading_keep_their_kind_in_the_diff():
    diff = html_diff("", '<h3>Findings</h3><p>Note<span class="footnote">A source.</span></p>')
    assert '<span class="diff-heading">Findings</span>' in diff
    assert '<span class="diff-footnote">[footnote: A source.]</span>' in diff


def test_a_hostile_address_is_escaped_in_the_diff():
    diff = html_diff("", '<p><a href="https://x.example/?a=1&amp;b=%22%3E">x</a></p>')
    assert "<script" not in diff
    assert "&amp;b=" in diff


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
    assert "First sentence.<br>Second sentence." in diff
