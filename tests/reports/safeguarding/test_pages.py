"""The safeguarding check on the pages: beside the section editor (and after each autosave),
marked in the preview and on the review page, on "check and send" with the author's
confirmation, dismissing a finding, the reviewer's confirmation at sign-off and in the audit log,
the addenda; never on a public page or in a PDF. Through the real pages and forms."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import FindingDismissal, LearningReport, ReportSection, Signature, Status
from reports.pdfs import document
from reports.safeguarding import findings
from reports.signoff.services import SAFEGUARDING_CONFIRMED
from tests.factories import make_cast, walk_to
from tests.support.forms import form_values

pytestmark = pytest.mark.django_db

NAMED = "<p>We worked with <strong>Jack</strong> Smith, aged 14, and his family.</p>"
CONFIRMATION = "I have checked that this report does not identify any child, family or member"
MARK = re.compile(r"<mark\b[^>]*>")


def url(name, report, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": report.slug, **kwargs})


@pytest.fixture
def cast():
    return make_cast("Harbour Bay", sections={"reasons": NAMED})


def section_url(report, key="reasons"):
    return url("section-edit", report, key=key)


def dismiss_data(text="Jack Smith", kind="name", part="reasons", reason="A made-up name.", **kw):
    return {"part": part, "kind": kind, "text": text, "reason": reason, "back": "section", **kw}


class _Balance(HTMLParser):
    """Every element closed, in order: what marking must never break."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "col", "area", "base"}

    def __init__(self):
        super().__init__()
        self.open, self.problems = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1] if self.open else ''}>")
        else:
            self.open.pop()


def assert_balanced(html):
    parser = _Balance()
    parser.feed(html)
    parser.close()
    assert parser.problems == [] and parser.open == []


# --- Beside the section editor ------------------------------------------------------------------


def test_the_section_editor_shows_each_finding_in_its_sentence_with_its_reason(cast, client):
    client.force_login(cast.partner)
    page = client.get(section_url(cast.report)).content.decode()
    panel = page[page.index('id="findings"') :]
    assert "Safeguarding check" in panel
    assert 'We worked with <mark class="finding">Jack Smith</mark>, aged 14, and his' in panel
    assert '<mark class="finding">aged 14</mark>' in panel
    assert "A person&#x27;s name" in panel
    assert "Why “Jack Smith” does not identify anyone" in panel
    assert panel.count("Dismiss this finding") == 2


def test_the_autosave_answer_brings_the_check_of_the_saved_text(cast, client):
    client.force_login(cast.partner)
    response = client.post(
        section_url(cast.report),
        {"body": "<p>We worked with Jack Smith and his family.</p>", "based_on_version": 2},
        headers={"HX-Request": "true"},
    )
    assert response["X-Section-Save"] == "saved"
    page = response.content.decode()
    assert re.search(r'<section id="findings"[^>]*hx-swap-oob="true"', page)
    assert "Jack Smith</mark>" in page
    assert "aged 14" not in page  # edited away: no longer found


def test_without_javascript_the_panel_is_right_after_a_save(cast, client):
    client.force_login(cast.partner)
    client.post(
        section_url(cast.report),
        {"body": "<p>We worked with a family.</p>", "based_on_version": 2, "completed": "yes"},
    )
    page = client.get(section_url(cast.report)).content.decode()
    assert "The check found nothing in this section" in page
    assert "Jack Smith" not in page


def test_an_author_dismisses_a_finding_with_a_reason(cast, client):
    client.force_login(cast.partner)
    page = client.get(section_url(cast.report)).content.decode()
    # The first finding's own form, as the page gives it.
    item = page[page.index('id="finding-reasons-1"') :]
    values = form_values(item[: item.index("</form>")])
    values["reason"] = "Jack Smith is the name of the project's dog."
    response = client.post(url("finding-dismiss", cast.report), values)
    assert response.status_code == 302
    assert response["Location"] == section_url(cast.report) + "#findings"
    page = client.get(response["Location"]).content.decode()
    assert "You dismissed “Jack Smith”" in page
    assert "Dismissed, with your reasons" in page
    assert "Jack Smith is the name of the project&#x27;s dog." in page
    assert page.count("Dismiss this finding") == 1  # "aged 14" is still open


def test_a_dismissal_needs_a_reason(cast, client):
    client.force_login(cast.partner)
    response = client.post(url("finding-dismiss", cast.report), dismiss_data(reason=" "))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Say why “Jack Smith” does not identify anyone: nothing was dismissed." in page
    assert not FindingDismissal.objects.exists()


def test_a_second_press_of_dismiss_says_it_is_done_already(cast, client):
    client.force_login(cast.partner)
    first = client.post(url("finding-dismiss", cast.report), dismiss_data())
    second = client.post(url("finding-dismiss", cast.report), dismiss_data())
    assert (first.status_code, second.status_code) == (302, 302)
    page = client.get(second["Location"]).content.decode()
    assert "“Jack Smith” has already been dismissed." in page
    assert FindingDismissal.objects.count() == 1


def test_the_local_lead_cannot_dismiss_and_another_partnership_cannot_see(cast, client):
    client.force_login(cast.local_lead)
    assert client.post(url("finding-dismiss", cast.report), dismiss_data()).status_code == 403
    client.force_login(cast.other_partner)
    assert client.post(url("finding-dismiss", cast.report), dismiss_data()).status_code == 404
    assert not FindingDismissal.objects.exists()


# --- The preview and the public pages -----------------------------------------------------------


def test_the_preview_marks_each_passage_in_the_text_with_its_reason(cast, client):
    ReportSection.objects.filter(report=cast.report, key="approaches").update(
        body='<p>See the note<span class="footnote">Written with Mrs Jones.</span>.</p>'
        '<ul><li><a href="https://example.org">Oakfield Academy</a> helped.</li></ul>'
    )
    client.force_login(cast.partner)
    page = client.get(url("report-preview", cast.report)).content.decode()
    body = page[page.index('<div class="report-body">') : page.index("</article>")]
    assert_balanced(body)
    marks = MARK.findall(body)
    assert len(marks) == 5  # Jack / Smith (two pieces), aged 14, Mrs Jones, Oakfield Academy
    for mark in marks:
        (described,) = re.findall(r'aria-describedby="([^"]+)"', mark)
        assert f'id="{described}"' in page  # the note with the reason
    assert (
        '<strong><mark class="finding" aria-describedby="finding-why-reasons-1">'
        '<small class="visually-hidden" id="finding-reasons-1">Safeguarding check 1: </small>'
        "Jack</mark></strong>"
    ) in body
    # The footnote, numbered as before, with its passage marked.
    assert 'class="footnote-ref"' in body
    assert re.search(r'<li id="footnote-1">Written with <mark [^>]*>.*Mrs Jones</mark>', body)
    assert "Each is marked in the report below" in page


def test_the_preview_marks_the_details_table(cast, client):
    bsp = cast.report.bsp
    bsp.methodology_as_stated = "Mentoring by Mrs Jones"
    bsp.save()
    client.force_login(cast.partner)
    page = client.get(url("report-preview", cast.report)).content.decode()
    table = page[page.index('<table class="table report-details">') :]
    table = table[: table.index("</table>") + len("</table>")]
    assert "Mentoring by <mark" in table
    assert_balanced(table)


def test_public_pages_and_pdfs_never_mark_a_finding(client):
    cast = make_cast("Harbour Bay", sections={"reasons": NAMED}, status=Status.PUBLISHED)
    report = LearningReport.objects.get(pk=cast.report.pk)
    public = client.get(report.get_absolute_url()).content.decode()
    assert "Jack" in public and "aged 14" in public
    assert "<mark" not in public and "Safeguarding check" not in public
    edition = document.editions_for_pdf().get(report=report, number=1)
    draft = document.for_pdf(LearningReport.objects.all()).get(pk=report.pk)
    for source in (document.edition_source(edition), document.report_source(draft)):
        assert "aged 14" in source.html
        assert "<mark" not in source.html


# --- Check and send -----------------------------------------------------------------------------


def test_check_and_send_asks_the_author_to_confirm_while_findings_are_open(cast, client):
    client.force_login(cast.partner)
    page = client.get(url("report-send", cast.report)).content.decode()
    assert "The portal's check found 2 passages to look at" in page
    assert page.count("Dismiss this finding") == 2
    response = client.post(
        url("report-send", cast.report), {"comment": "Over to you.", "due_on": ""}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Confirm that you have looked at each passage the safeguarding check found" in page
    assert "Over to you." in page  # nothing lost
    assert LearningReport.objects.get(pk=cast.report.pk).status == Status.DRAFT

    response = client.post(
        url("report-send", cast.report),
        {"comment": "Over to you.", "due_on": "", "looked_at_findings": "on"},
    )
    assert response.status_code == 302
    assert LearningReport.objects.get(pk=cast.report.pk).status == Status.AWAITING_SIGNOFF


def test_check_and_send_lists_the_dismissed_and_asks_nothing_once_all_are(cast, client):
    client.force_login(cast.partner)
    client.post(url("finding-dismiss", cast.report), dismiss_data())
    client.post(
        url("finding-dismiss", cast.report),
        dismiss_data(
            text="aged 14", kind="age", reason="The age of the whole cohort.", back="send"
        ),
    )
    page = client.get(url("report-send", cast.report)).content.decode()
    assert "Every passage the portal's check found has been looked at" in page
    assert "dismissed by Dee Partner" in page
    assert "The age of the whole cohort." in page
    assert "looked_at_findings" not in page
    response = client.post(url("report-send", cast.report), {"comment": "", "due_on": ""})
    assert response.status_code == 302


def test_dismissing_from_check_and_send_comes_back_to_it(cast, client):
    client.force_login(cast.partner)
    response = client.post(url("finding-dismiss", cast.report), dismiss_data(back="send"))
    assert response["Location"] == url("report-send", cast.report) + "#findings"


# --- Review and sign ----------------------------------------------------------------------------


@pytest.fixture
def awaiting(cast, client):
    client.force_login(cast.partner)
    client.post(url("finding-dismiss", cast.report), dismiss_data(reason="Not a real person."))
    walk_to(cast.report, cast, Status.AWAITING_SIGNOFF)
    client.force_login(cast.local_lead)
    return cast


def test_the_review_page_shows_open_findings_and_the_dismissals(awaiting, client):
    page = client.get(url("report-review", awaiting.report)).content.decode()
    summary = page[page.index('id="findings"') :]
    summary = summary[: summary.index("</section>")]
    assert '<mark class="finding">aged 14</mark>' in summary  # open
    assert "“Jack Smith”" in summary
    assert "dismissed by Dee Partner" in summary
    assert "Their reason: Not a real person." in summary
    body = page[page.index('<div class="report-body review-body">') :]
    assert 'class="finding finding--dismissed"' in body  # marked in place, as dismissed
    assert "Safeguarding check 1 (dismissed): </small>" in body
    assert_balanced(body[: body.index('<section class="review-decision')])


def test_signing_without_the_confirmation_is_refused_and_nothing_is_signed(awaiting, client):
    report = awaiting.report
    page = client.get(url("report-sign", report)).content.decode()
    assert CONFIRMATION in page
    assert "1 passage that could identify" in page
    response = client.post(
        url("report-sign", report),
        {
            "consent": "yes",
            "full_name": "Lou Local",
            "role": "Chair",
            "seen_hash": report.content_hash(),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Confirm that you have checked that this report does not identify any child" in page
    assert 'value="Lou Local"' in page  # nothing lost
    assert not Signature.objects.filter(report=report).exists()
    assert LearningReport.objects.get(pk=report.pk).status == Status.AWAITING_SIGNOFF


def test_the_confirmation_is_stored_with_the_signature_and_shown_in_the_audit_log(awaiting, client):
    report = awaiting.report
    response = client.post(
        url("report-sign", report),
        {
            "consent": "yes",
            "checked_identifiability": "on",
            "full_name": "Lou Local",
            "role": "Chair",
            "seen_hash": report.content_hash(),
        },
    )
    assert response.status_code == 302
    signature = Signature.objects.get(report=report)
    assert signature.checked_identifiability is True
    audit = client.get(url("report-audit", report)).content.decode()
    assert "Safeguarding check confirmed" in audit
    assert "Confirmed: “I have checked that this report does not identify any child" in audit
    assert "Safeguarding finding dismissed" in audit
    assert "Why: Not a real person." in audit
    assert SAFEGUARDING_CONFIRMED.split(":")[0] in signature.report.events.last().comment


def test_the_service_refuses_a_sign_off_without_the_confirmation(awaiting):
    from django.core.exceptions import ValidationError

    from reports.signoff import services

    with pytest.raises(ValidationError, match="Confirm that you have checked"):
        services.sign_off(
            report=awaiting.report,
            actor=awaiting.local_lead,
            full_name="Lou Local",
            role="Chair",
            consent=True,
            checked_identifiability=False,
        )
    assert not Signature.objects.exists()


# --- Addenda ------------------------------------------------------------------------------------


def test_the_addendum_pages_show_what_the_check_finds(client):
    cast = make_cast("Harbour Bay", status=Status.PUBLISHED)
    report = cast.report
    client.force_login(cast.local_lead)
    text = "<p>Six months on, Jack Smith, aged 15, is at college.</p>"
    response = client.post(url("addendum-write", report), {"title": "", "body": text, "check": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The portal's check found 2 passages" in page
    assert '<mark class="finding">Jack Smith</mark>' in page
    assert not report.addenda.exists()  # checked, not sent

    client.post(
        url("addendum-write", report),
        {"title": "Six months on", "body": text, "full_name": "Lou Local", "role": "Chair"},
    )
    addendum = report.addenda.get()
    client.force_login(cast.tce_lead)
    page = client.get(url("addendum-sign", report, pk=addendum.pk)).content.decode()
    marked = page[page.index('<div class="section-text">') :]
    marked = marked[: marked.index("</section>")]
    assert len(MARK.findall(marked)) == 2
    assert_balanced(marked)


# --- Query budgets: findings are computed, never fetched one by one ------------------------------


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


MANY = (
    "<p>We met Jack Smith, aged 14, Mary Jones, aged 15, and Mrs Patel at Oakfield Academy "
    "on Elm Road, TQ1 2AB, 07700 900123, jack@example.org.</p>"
)


@pytest.mark.parametrize("page", ["section-edit", "report-preview", "report-review"])
def test_the_pages_query_counts_do_not_grow_with_the_findings(client, page):
    counts = []
    for body in (NAMED, MANY):
        cast = make_cast(sections={"reasons": body})
        client.force_login(cast.partner)
        client.post(url("finding-dismiss", cast.report), dismiss_data())
        kwargs = {"key": "reasons"} if page == "section-edit" else {}
        if page == "report-review":
            walk_to(cast.report, cast, Status.AWAITING_SIGNOFF)
            client.force_login(cast.local_lead)
            client.get(url(page, cast.report))  # the first look records the visit
        report = LearningReport.objects.get(pk=cast.report.pk)
        parts = findings.check_report(report, with_details=False)
        counts.append((_queries(client, url(page, report, **kwargs)), findings.open_count(parts)))
    (few_queries, few), (many_queries, many) = counts
    assert many > few + 5
    assert many_queries == few_queries
