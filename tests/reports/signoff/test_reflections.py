"""The local area's "Immediate reflections": rich text in the section editor, sanitised, and saved
only over the version the writer started from. Through the real service and pages."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.authoring import services as authoring_services
from reports.models import ReportSection, SectionStatus, Status
from reports.signoff import links as signoff_links
from reports.signoff import services as signoff_services
from reports.workflow import TransitionNotAllowed
from tests.factories import UserFactory, walk_to

# A report starts with every section, this one too, empty at version 1 (`create_report`).
KEY = "local_reflections"


@pytest.fixture
def cast(cast):
    """Here the report awaits the local area's sign-off."""
    walk_to(cast.report, cast, Status.AWAITING_SIGNOFF)
    return cast


@pytest.fixture
def second_lead(report, cast):
    return UserFactory(
        role=cast.local_lead.role, partnership=report.bsp.partnership, full_name="Kit Second"
    )


def url(name, report):
    return reverse(f"reports:{name}", kwargs={"slug": report.slug})


def write(report, actor, body, based_on_version):
    return signoff_services.write_local_reflections(
        report=report, actor=actor, body=body, based_on_version=based_on_version
    )


def stored(report):
    return ReportSection.objects.get(report=report, key=KEY)


def post(client, report, body, version):
    return client.post(
        url("report-reflections", report),
        {"reflections-body": body, "reflections-based_on_version": version},
    )


def autosave(client, report, body, version):
    """What htmx posts when section-editor.js says "autosave"."""
    return client.post(
        url("report-reflections", report),
        {"reflections-body": body, "reflections-based_on_version": version},
        headers={"HX-Request": "true"},
    )


# --- The service ---------------------------------------------------------------------------------


def test_each_fresh_save_is_a_new_version_in_the_sections_history(report, cast):
    first = write(report, cast.local_lead, "<p>First thoughts.</p>", 1)
    assert (first.version, first.status) == (2, SectionStatus.COMPLETED)
    second = write(report, cast.local_lead, "<p>Second thoughts.</p>", 2)
    assert (second.pk, second.version, second.body) == (first.pk, 3, "<p>Second thoughts.</p>")
    history = list(second.history.order_by("history_date", "history_id"))
    assert [h.body for h in history] == ["<p>First thoughts.</p>", "<p>Second thoughts.</p>"]
    assert {h.history_user for h in history} == {cast.local_lead}
    assert {h.history_change_reason for h in history} == {"saved"}


def test_a_save_based_on_an_old_version_is_refused_and_overwrites_nothing(
    report, cast, second_lead
):
    write(report, cast.local_lead, "<p>Lou's words.</p>", 1)
    with pytest.raises(authoring_services.SectionConflict) as refused:
        write(report, second_lead, "<p>Kit's words.</p>", 1)
    assert refused.value.section.body == "<p>Lou's words.</p>"
    assert refused.value.mine == "<p>Kit's words.</p>"
    section = stored(report)
    assert (section.body, section.version, section.updated_by) == (
        "<p>Lou's words.</p>",
        2,
        cast.local_lead,
    )
    assert section.history.count() == 1
    # Based on the version now stored, the same words are saved.
    assert write(report, second_lead, "<p>Kit's words.</p>", 2).version == 3


def test_the_same_words_from_an_old_version_are_no_conflict_and_no_new_version(report, cast):
    write(report, cast.local_lead, "<p>Agreed words.</p>", 1)
    again = write(report, cast.local_lead, "<p>Agreed words.</p>", 1)
    assert again.version == 2
    assert again.history.count() == 1


def test_reflections_without_a_row_yet_start_from_version_zero(report, cast):
    ReportSection.objects.filter(report=report, key=KEY).delete()
    section = write(report, cast.local_lead, "<p>First thoughts.</p>", 0)
    assert (section.body, section.version) == ("<p>First thoughts.</p>", 1)
    with pytest.raises(authoring_services.SectionConflict):
        write(report, cast.local_lead, "<p>Other thoughts.</p>", 0)


def test_a_list_and_a_link_are_kept(report, cast):
    section = write(
        report,
        cast.local_lead,
        '<p>We will <strong>keep</strong> the <a href="https://example.org/forum">forum</a>.</p>'
        "<ul><li>Meet monthly</li><li>Share data</li></ul><ol><li>First</li></ol>",
        1,
    )
    assert section.body == (
        "<p>We will <strong>keep</strong> the "
        '<a href="https://example.org/forum" rel="noopener noreferrer">forum</a>.</p>'
        "<ul><li>Meet monthly</li><li>Share data</li></ul><ol><li>First</li></ol>"
    )


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        pytest.param(
            '<p>Before<script>alert("x")</script>after</p>', "<p>Beforeafter</p>", id="script"
        ),
        pytest.param(
            '<p style="color:red">Red</p><style>p { display: none }</style>',
            "<p>Red</p>",
            id="style",
        ),
        pytest.param(
            '<p onclick="alert(1)">Click</p><a href="https://example.org" onmouseover="x()">x</a>',
            '<p>Click</p><a href="https://example.org" rel="noopener noreferrer">x</a>',
            id="event handlers",
        ),
        pytest.param(
            '<p><a href="javascript:alert(1)">link</a></p>',
            '<p><a rel="noopener noreferrer">link</a></p>',
            id="javascript link",
        ),
    ],
)
def test_scripts_styles_and_handlers_are_stripped(report, cast, sent, kept):
    body = write(report, cast.local_lead, sent, 1).body
    assert body == kept
    for fragment in ("<script", "<style", "style=", "onclick", "onmouseover", "javascript:"):
        assert fragment not in body


def test_only_the_local_area_writes_them_while_the_report_awaits_sign_off(report, cast):
    with pytest.raises(TransitionNotAllowed):
        write(report, cast.partner, "<p>Not mine.</p>", 1)
    walk_to(report, cast, Status.SIGNED_OFF)
    with pytest.raises(TransitionNotAllowed):
        write(report, cast.local_lead, "<p>Too late.</p>", 1)
    assert not ReportSection.objects.filter(report=report, key=KEY).exclude(body="").exists()


# --- The review page -----------------------------------------------------------------------------


def test_the_review_page_has_the_section_editor_with_the_stored_version(client, report, cast):
    write(report, cast.local_lead, "<p>Stored words.</p>", 1)
    client.force_login(cast.local_lead)
    page = client.get(url("report-review", report)).content.decode()
    # The section editor's textarea, holding the stored HTML, and its module script.
    assert 'name="reflections-body"' in page and "data-rich-text" in page
    assert "&lt;p&gt;Stored words.&lt;/p&gt;</textarea>" in page
    assert 'name="reflections-based_on_version" value="2"' in page
    assert 'src="/static/js/section-editor.js" type="module"' in page
    assert "Without JavaScript this is a plain text box" in page


def test_without_javascript_plain_text_makes_paragraphs(client, report, cast):
    client.force_login(cast.local_lead)
    response = post(client, report, "We learned a lot.\n\nWe will keep going, 5 < 6.", 1)
    assert response.status_code == 302
    assert stored(report).body == "<p>We learned a lot.</p><p>We will keep going, 5 &lt; 6.</p>"


def test_a_stale_save_shows_both_texts_with_a_409(client, report, cast, second_lead):
    client.force_login(cast.local_lead)
    client.get(url("report-review", report))  # the form says version 1: no reflections yet
    write(report, second_lead, "<p>Kit's words.</p>", 1)

    response = post(client, report, "<p>Lou's words.</p>", 1)
    assert response.status_code == 409
    page = response.content.decode()
    assert "<title>Not saved: Review:" in page
    assert "Your reflections have not been saved" in page
    assert "Kit Second saved the local area's reflections while you were writing" in page
    assert "Your text has not been saved, and nothing has been overwritten." in page
    # Theirs in the editor, now based on the stored version; the stored one shown beside it.
    assert "&lt;p&gt;Lou&#x27;s words.&lt;/p&gt;</textarea>" in page
    assert 'name="reflections-based_on_version" value="2"' in page
    assert "Save my version" in page
    assert '<div class="saved-version section-text" data-saved-version><p>Kit\'s words.</p>' in page
    assert "<del>" in page and "<ins>" in page
    assert stored(report).body == "<p>Kit's words.</p>"

    # "Save my version" posts the form of that page; Kit's words stay in the history.
    response = post(client, report, "<p>Lou's words.</p>", 2)
    assert response.status_code == 302
    section = stored(report)
    assert (section.body, section.version) == ("<p>Lou's words.</p>", 3)
    assert set(section.history.values_list("body", flat=True)) == {
        "<p>Kit's words.</p>",
        "<p>Lou's words.</p>",
    }


def test_a_save_without_its_version_is_refused_plainly(client, report, cast):
    client.force_login(cast.local_lead)
    response = client.post(url("report-reflections", report), {"reflections-body": "Words."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The form was incomplete, so nothing was saved" in page
    assert not ReportSection.objects.filter(report=report, key=KEY).exclude(body="").exists()


def test_a_sign_off_link_visitor_writes_the_reflections(client, report, cast):
    link = signoff_services.send_signoff_link(
        report=report, actor=cast.tce_lead, email="vicky@example.gov.uk", full_name="Vicky Finn"
    )
    client.get(signoff_links.link_path(link))  # not signed in: the link grants this report only
    page = client.get(url("report-review", report)).content.decode()
    assert 'name="reflections-body"' in page and "section-editor.js" in page

    response = post(client, report, "<p>Vicky's view.</p><ul><li>Keep the forum</li></ul>", 1)
    assert response.status_code == 302
    section = stored(report)
    assert section.body == "<p>Vicky's view.</p><ul><li>Keep the forum</li></ul>"
    assert section.updated_by == link.recipient
    assert section.history.get().history_user == link.recipient

    # A stale save by the link's holder gets the same 409 page.
    response = post(client, report, "<p>Older words.</p>", 1)
    assert response.status_code == 409
    assert "Your reflections have not been saved" in response.content.decode()


# --- Autosave (htmx), as in the section editor --------------------------------------------------


def test_the_reflections_form_autosaves_into_its_own_status_line(client, report, cast):
    write(report, cast.local_lead, "<p>Stored words.</p>", 1)
    client.force_login(cast.local_lead)
    page = client.get(url("report-review", report)).content.decode()
    action = url("report-reflections", report)
    form = re.search(r'<form[^>]*id="reflections-form"[^>]*>', page).group(0)
    for attribute in (
        "data-autosave",
        'data-save-status="reflections-save-status"',
        f'hx-post="{action}"',
        'hx-trigger="autosave"',
        'hx-target="#reflections-save-status"',
        'hx-sync="this:queue last"',
    ):
        assert attribute in form
    status = re.search(r'<p id="reflections-save-status"[^>]*>(.*?)</p>', page)
    assert 'class="save-status" role="status"' in status.group(0)
    assert status.group(1).startswith("Last saved ") and status.group(1).endswith(
        f"by {cast.local_lead.full_name}"
    )
    # The other forms of the page (comments, request changes) do not autosave.
    assert page.count("data-autosave") == 1


def test_an_autosave_answers_with_the_saved_at_status_and_the_new_version(client, report, cast):
    client.force_login(cast.local_lead)
    response = autosave(client, report, "<p>Typing…</p>", 1)
    assert response.status_code == 200
    assert response["X-Section-Save"] == "saved"
    page = response.content.decode()
    section = stored(report)
    assert page.startswith(f"Saved at {timezone.localtime(section.updated_at):%H:%M:%S}")
    assert "<html" not in page
    # The next autosave must say it starts from version 2: the form's field, swapped out of band.
    assert re.search(
        r'name="reflections-based_on_version" id="id_reflections-based_on_version" value="2" '
        r'hx-swap-oob="true"',
        page,
    )
    assert (section.body, section.version) == ("<p>Typing…</p>", 2)
    assert section.history.get().history_change_reason == "autosave"


def test_autosaves_of_one_sitting_are_one_version_in_the_history(client, report, cast):
    client.force_login(cast.local_lead)
    autosave(client, report, "<p>One.</p>", 1)
    autosave(client, report, "<p>One, two.</p>", 2)
    autosave(client, report, "<p>One, two, three.</p>", 3)
    section = stored(report)
    assert section.version == 4
    assert [(h.body, h.history_change_reason) for h in section.history.all()] == [
        ("<p>One, two, three.</p>", "autosave")
    ]
    # "Save reflections" is a version of its own.
    assert post(client, report, "<p>One, two, three. Done.</p>", 4).status_code == 302
    assert section.history.count() == 2


def test_an_autosave_carries_the_forms_csrf_token(report, cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.local_lead)
    page = client.get(url("report-review", report)).content.decode()
    form = page[page.index('id="reflections-form"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = {
        "csrfmiddlewaretoken": token,
        "reflections-body": "<p>Protected.</p>",
        "reflections-based_on_version": 1,
    }
    address = url("report-reflections", report)
    forged = client.post(address, {**data, "csrfmiddlewaretoken": ""}, headers={"HX-Request": "1"})
    assert forged.status_code == 403
    response = client.post(address, data, headers={"HX-Request": "true"})
    assert response["X-Section-Save"] == "saved"
    assert stored(report).body == "<p>Protected.</p>"


def test_a_stale_autosave_says_not_saved_and_keeps_the_stored_text(
    client, report, cast, second_lead
):
    client.force_login(cast.local_lead)
    saved = write(report, second_lead, "<p>Kit's words.</p>", 1)
    response = autosave(client, report, "<p>Lou's words.</p>", 1)
    assert response.status_code == 200
    assert response["X-Section-Save"] == "conflict"
    page = response.content.decode()
    assert (
        f"Not saved: Kit Second changed the reflections at "
        f"{timezone.localtime(saved.updated_at):%H:%M}. Select “Save reflections” to see both "
        "versions and choose."
    ) in page
    assert "hx-swap-oob" not in page
    assert stored(report).body == "<p>Kit's words.</p>"
    # The normal save still shows both versions, and that page's form does not autosave.
    response = post(client, report, "<p>Lou's words.</p>", 1)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Save my version" in page and "data-autosave" not in page


def test_an_autosave_the_reports_state_refuses_says_so(client, report, cast):
    client.force_login(cast.local_lead)
    walk_to(report, cast, Status.SIGNED_OFF)
    response = autosave(client, report, "<p>Too late.</p>", 1)
    assert response.status_code == 200
    assert response["X-Section-Save"] == "refused"
    assert "Not saved: this report cannot be changed now." in response.content.decode()
    assert not ReportSection.objects.filter(report=report, key=KEY).exclude(body="").exists()


def test_an_incomplete_autosave_says_why(client, report, cast):
    client.force_login(cast.local_lead)
    response = client.post(
        url("report-reflections", report),
        {"reflections-body": "<p>Words.</p>"},
        headers={"HX-Request": "true"},
    )
    assert response["X-Section-Save"] == "invalid"
    assert "Not saved: The form was incomplete, so nothing was saved" in (response.content.decode())
    assert not ReportSection.objects.filter(report=report, key=KEY).exclude(body="").exists()


def test_another_partnerships_local_lead_cannot_autosave(client, report, cast):
    client.force_login(cast.other_local_lead)
    assert autosave(client, report, "<p>Not mine.</p>", 1).status_code == 404
    assert not ReportSection.objects.filter(report=report, key=KEY).exclude(body="").exists()


def test_a_sign_off_link_holder_autosaves_too(client, report, cast):
    link = signoff_services.send_signoff_link(
        report=report, actor=cast.tce_lead, email="vicky@example.gov.uk", full_name="Vicky Finn"
    )
    client.get(signoff_links.link_path(link))  # not signed in: the link grants this report only
    page = client.get(url("report-review", report)).content.decode()
    assert 'data-save-status="reflections-save-status"' in page

    response = autosave(client, report, "<p>Vicky's view.</p>", 1)
    assert response["X-Section-Save"] == "saved"
    assert "Saved at" in response.content.decode()
    section = stored(report)
    assert (section.body, section.updated_by) == ("<p>Vicky's view.</p>", link.recipient)
    assert section.history.get().history_user == link.recipient

    response = autosave(client, report, "<p>Vicky's older view.</p>", 1)
    assert response["X-Section-Save"] == "conflict"
    assert "Not saved: Vicky Finn changed the reflections" in response.content.decode()


# --- Words written while someone else moved the report on are never lost -------------------------


def _posted_after_sign_off(client, report, cast, name, data):
    """Someone's words, posted from a review page opened before the report was signed off."""
    client.force_login(cast.local_lead)
    assert client.get(url("report-review", report)).status_code == 200
    walk_to(report, cast, Status.SIGNED_OFF)
    response = client.post(url(name, report), data)
    assert response.status_code == 409
    return response.content.decode()


def test_reflections_refused_by_the_reports_state_are_given_back(client, report, cast):
    page = _posted_after_sign_off(
        client,
        report,
        cast,
        "report-reflections",
        {
            "reflections-body": "<p>We learned <strong>a lot</strong>.</p><script>x()</script>",
            "reflections-based_on_version": 1,
        },
    )
    assert "Your reflections could not be saved" in page
    assert "<p>We learned <strong>a lot</strong>.</p>" in page
    assert "<script>x()" not in page
    assert not ReportSection.objects.filter(report=report, key=KEY).exclude(body="").exists()


def test_a_comment_refused_by_the_reports_state_is_given_back(client, report, cast):
    page = _posted_after_sign_off(
        client,
        report,
        cast,
        "report-request-changes",
        {"comment": "Please say more <b>about</b> the data.\n\nAnd the board."},
    )
    assert "Your request for changes could not be saved" in page
    assert "<p>Please say more &lt;b&gt;about&lt;/b&gt; the data.</p>" in page
    assert "<p>And the board.</p>" in page


def test_a_section_comment_refused_by_the_reports_state_is_given_back(client, report, cast):
    client.force_login(cast.local_lead)
    walk_to(report, cast, Status.SIGNED_OFF)
    address = reverse(
        "reports:report-comment", kwargs={"slug": report.slug, "section_key": "overall_goal"}
    )
    response = client.post(address, {"overall_goal-body": "Which three aims?"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Your comment could not be saved" in page
    assert "<p>Which three aims?</p>" in page
