"""Notes for the programme team (issue 16): a private note on any section, read and written by the
report's programme admins, TCE project lead and delivery partners, never by its local area, and
never on anything public."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import PrivateNote, Status
from reports.pdfs import document
from reports.safeguarding.private_notes import add_private_note
from tests.factories import make_cast
from tests.support.public_surfaces import public_surfaces
from tests.support.responses import text

NOTE = "Zanzibarite: the second case study may point to one family."


def url(name, report, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": report.slug, **kwargs})


@pytest.fixture
def published(db):
    cast = make_cast(
        "Notesby",
        sections={"significant_learning": "<p>Notesby learned to listen.</p>"},
        status=Status.PUBLISHED,
    )
    add_private_note(
        report=cast.report, author=cast.tce_lead, section_key="significant_learning", body=NOTE
    )
    return cast


def test_the_programme_team_writes_and_reads_notes_by_section(db, client):
    cast = make_cast("Notewell")
    report = cast.report
    client.force_login(cast.partner)
    overview = client.get(url("report-overview", report)).content.decode()
    assert f'href="{url("report-private-notes", report)}">Notes for the programme team' in overview
    page = client.get(url("report-private-notes", report))
    assert page.status_code == 200 and "No notes yet." in page.content.decode()

    response = client.post(
        url("report-private-notes", report),
        {"section_key": "reasons", "body": "Check the <b>dates</b> with the police."},
        follow=True,
    )
    assert response.redirect_chain == [(url("report-private-notes", report), 302)]
    page = response.content.decode()
    assert "Your note is added." in page
    assert "Check the &lt;b&gt;dates&lt;/b&gt; with the police." in page  # plain text, escaped
    assert "Reasons why the local area requested" in page  # under its section's heading
    assert cast.partner.full_name in page

    for person in (cast.tce_lead, cast.admin):
        client.force_login(person)
        assert (
            "Check the &lt;b&gt;dates"
            in client.get(url("report-private-notes", report)).content.decode()
        )
    note = PrivateNote.objects.get()
    assert (note.report, note.section_key, note.author) == (report, "reasons", cast.partner)


def test_the_local_area_never_sees_the_notes_or_the_link(published, client):
    report = published.report
    client.force_login(published.local_lead)
    assert client.get(url("report-private-notes", report)).status_code == 404
    assert (
        client.post(
            url("report-private-notes", report), {"section_key": "reasons", "body": "Hello"}
        ).status_code
        == 404
    )
    overview = client.get(url("report-overview", report))
    assert overview.status_code == 200  # the overview opens, without the link
    assert url("report-private-notes", report) not in overview.content.decode()
    assert NOTE not in client.get(url("report-review", report)).content.decode()
    assert NOTE not in client.get(url("report-audit", report)).content.decode()
    client.force_login(published.other_local_lead)
    assert client.get(url("report-private-notes", report)).status_code == 404
    client.force_login(published.other_partner)
    assert client.get(url("report-private-notes", report)).status_code == 404
    with pytest.raises(PermissionDenied):
        add_private_note(
            report=report, author=published.local_lead, section_key="reasons", body="Hello"
        )
    # Signed out (a sign-off link's holder included): to the sign-in page.
    client.logout()
    response = client.get(url("report-private-notes", report))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_note_needs_a_section_and_some_text(db, client):
    cast = make_cast("Blankton")
    client.force_login(cast.tce_lead)
    response = client.post(
        url("report-private-notes", cast.report), {"section_key": "", "body": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the section the note is about" in page and "Enter your note" in page
    assert not PrivateNote.objects.exists()


def test_no_public_surface_shows_a_note(published):
    report = published.report
    public = Client()
    surfaces = {
        "report": report.get_absolute_url(),
        "edition": url("edition-detail", report, number=1),
        "home": reverse("reports:home"),
        **public_surfaces(report, search="listen"),
    }
    for name, address in surfaces.items():
        response = public.get(address)
        assert response.status_code == 200, name
        body = text(response)
        assert "Zanzibarite" not in body, name
        if name in ("listing", "search", "feed", "open data (CSV)"):
            assert report.get_absolute_url() in body, name  # the report itself is there
    # Search finds nothing by the note's words.
    found = text(public.get(reverse("reports:report-list") + "?q=Zanzibarite"))
    assert report.get_absolute_url() not in found
    report.refresh_from_db()
    assert "Zanzibarite" not in report.search_text
    # The PDF's pages (the published edition's, and the working copy's draft).
    edition = document.editions_for_pdf().get(pk=report.published_edition_id)
    assert "Zanzibarite" not in document.edition_source(edition).html
    working_copy = document.for_pdf(type(report).objects.filter(pk=report.pk)).get()
    assert "Zanzibarite" not in document.report_source(working_copy).html


def test_the_notes_page_reads_the_same_number_of_queries_however_many_notes(db, client):
    cast = make_cast("Countwell")
    report = cast.report
    client.force_login(cast.partner)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("report-private-notes", report)).status_code == 200
        return len(captured)

    add_private_note(report=report, author=cast.partner, section_key="reasons", body="One.")
    one = queries()
    for key in ("reasons", "approaches", "significant_learning"):
        for author in (cast.partner, cast.tce_lead, cast.admin):
            add_private_note(report=report, author=author, section_key=key, body="More.")
    assert queries() == one
