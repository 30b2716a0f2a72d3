"""Take-down (issue 16): a published report that contains sensitive personal data is taken down by
a programme admin through its page, and is then gone from every public surface, its files
deleted, the audit log saying who and why. Through the real pages, storage and renderer."""

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from reports.models import (
    TAKEN_DOWN_NOTICE,
    Compendium,
    LearningReport,
    ReportEvent,
    ReportPdf,
    Status,
    Transition,
)
from reports.pdfs import document, storage, tasks
from reports.safeguarding import takedown
from reports.signoff import services as signoff_services
from tests.factories import make_cast, republish, walk_to
from tests.support.public_surfaces import public_surfaces
from tests.support.responses import body

FIRST = "Saltmarsh learned that quillwort meetings work."
SECOND = "Saltmarsh learned that quillwort panels travel."
WORD = "quillwort"  # in this report only
PRIVATE = "Edition 2 names a child and her school in the approaches."
NOTICE = "It was removed because it contained sensitive personal data."


def url(name, report, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": report.slug, **kwargs})


def get(client, address):
    response = client.get(address)
    # Streamed or not, read to the end (as a server does); a PDF's bytes as best they decode.
    response.read_text = body(response).decode("utf-8", errors="replace")
    return response


@pytest.fixture
def saltmarsh(db):
    """Published twice (two editions), with the word only it uses."""
    cast = make_cast(
        "Saltmarsh",
        region="South West",
        sections={"significant_learning": f"<p>{FIRST}</p>"},
        status=Status.PUBLISHED,
    )
    republish(cast.report, cast, key="significant_learning", body=f"<p>{SECOND}</p>")
    cast.report.refresh_from_db()
    assert cast.report.published_edition.number == 2
    return cast


@pytest.fixture
def other(db):
    """Another published report, in the same region, with a compendium of its own."""
    return make_cast("Kernow", region="South West", status=Status.PUBLISHED).report


def store_files(report, django_capture_on_commit_callbacks):
    """Every edition's PDF, rendered and stored (the immediate task back end)."""
    with django_capture_on_commit_callbacks(execute=True):
        for edition in report.editions.all():
            tasks.queue_edition_pdf(edition.pk)
    stored = list(ReportPdf.objects.filter(edition__report=report))
    assert len(stored) == 2 and all(default_storage.exists(p.file.name) for p in stored)
    return [p.file.name for p in stored]


def build_compendium(reports, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asked = storage.request_compendium(reports=reports, programme_year=None)
        tasks.build_compendium.enqueue(str(asked.compendium.pk))
    compendium = Compendium.objects.get(pk=asked.compendium.pk)
    assert compendium.is_ready and default_storage.exists(compendium.file.name)
    return compendium


def take_down_through_the_page(client, report, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    review = get(client, url("report-review", report)).read_text
    assert f'href="{url("report-take-down", report)}"' in review
    assert "Take down now: contains sensitive personal data" in review
    page = get(client, url("report-take-down", report))
    assert page.status_code == 200
    assert "The stored PDFs of every edition" in page.read_text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("report-take-down", report), {"reason": PRIVATE, "confirm": "on"}
        )
    assert response.status_code == 302
    assert response["Location"] == url("report-review", report)
    client.logout()
    return response


@pytest.mark.pdf
def test_a_taken_down_report_is_gone_from_every_public_surface_and_its_files_deleted(
    saltmarsh, other, client, django_capture_on_commit_callbacks
):
    report = saltmarsh.report
    pdf_files = store_files(report, django_capture_on_commit_callbacks)
    holding = build_compendium([other, report], django_capture_on_commit_callbacks)
    unrelated = build_compendium([other], django_capture_on_commit_callbacks)
    public = Client()
    surfaces = {
        "home": reverse("reports:home"),
        **public_surfaces(report, search=WORD),
        "BSP register (CSV)": reverse("reports:data-bsps-csv"),
    }
    addresses = {
        "report": report.get_absolute_url(),
        "edition 1": url("edition-detail", report, number=1),
        "edition 2": url("edition-detail", report, number=2),
        "PDF": url("report-pdf", report),
        "edition 1's PDF": url("edition-pdf", report, number=1),
        "edition 2's PDF": url("edition-pdf", report, number=2),
    }
    # Positive control: before, every surface shows it, and the page cache holds its pages.
    for name, address in surfaces.items():
        assert report.get_absolute_url() in get(public, address).read_text, name
    for name, address in addresses.items():
        assert get(public, address).status_code == 200, name
    assert SECOND in get(public, addresses["report"]).read_text  # now served from the page cache

    take_down_through_the_page(client, report, saltmarsh.admin, django_capture_on_commit_callbacks)

    report.refresh_from_db()
    assert (report.status, report.is_public) == (Status.WITHDRAWN, False)
    assert report.withdrawal_reason == TAKEN_DOWN_NOTICE
    # Gone from every listing and document, the cached ones included.
    for name, address in surfaces.items():
        response = get(public, address)
        assert response.status_code == 200, name
        assert report.get_absolute_url() not in response.read_text, name
        assert FIRST not in response.read_text and SECOND not in response.read_text, name
        assert PRIVATE not in response.read_text, name
        if name != "search":  # which says what was searched for
            assert WORD not in response.read_text, name
    assert "Saltmarsh" not in get(public, surfaces["search"]).read_text
    # Its addresses, each edition's and each PDF's: 410 Gone, with the notice and nothing else.
    for name, address in addresses.items():
        response = get(public, address)
        assert response.status_code == 410, name
        assert response["Content-Type"].startswith("text/html"), name
        assert "This report was removed" in response.read_text, name
        assert NOTICE in response.read_text, name
        assert PRIVATE not in response.read_text, name
        assert WORD not in response.read_text, name
        assert '<meta name="robots" content="noindex">' in response.read_text, name
    # The files are deleted, and no render makes them again.
    assert not ReportPdf.objects.filter(edition__report=report).exists()
    for name in pdf_files:
        assert not default_storage.exists(name), name
    tasks.refresh_report_pdf(report.pk)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.queue_edition_pdf(report.published_edition_id)
    assert not ReportPdf.objects.filter(edition__report=report).exists()
    # The compendium that held it is deleted with its file: whoever asked for it gets nothing.
    assert not Compendium.objects.filter(pk=holding.pk).exists()
    assert not default_storage.exists(holding.file.name)
    compendium_pages = [
        reverse("reports:compendium-detail", kwargs={"pk": holding.pk}),
        reverse("reports:compendium-pdf", kwargs={"pk": holding.pk}),
    ]
    for address in compendium_pages:
        assert public.get(address).status_code == 404, address
    # Asking again for the same reports leaves it out.
    asked = public.get(reverse("reports:compendium"), {"reports": f"{other.slug},{report.slug}"})
    assert report.get_absolute_url() not in asked.content.decode()
    # A compendium without it stays.
    unrelated.refresh_from_db()
    assert unrelated.is_ready and default_storage.exists(unrelated.file.name)


def test_the_audit_log_says_who_took_it_down_and_why(
    saltmarsh, client, django_capture_on_commit_callbacks
):
    report = saltmarsh.report
    take_down_through_the_page(client, report, saltmarsh.admin, django_capture_on_commit_callbacks)

    event = report.events.latest_of(Transition.TAKE_DOWN)
    assert (event.actor, event.comment) == (saltmarsh.admin, PRIVATE)
    assert (event.from_status, event.to_status) == (Status.PUBLISHED, Status.WITHDRAWN)
    client.force_login(saltmarsh.tce_lead)
    audit = get(client, url("report-audit", report)).read_text
    assert "Taken down: sensitive personal data" in audit
    assert saltmarsh.admin.full_name in audit and PRIVATE in audit


def test_the_e_mails_say_it_was_taken_down_without_the_reason(
    saltmarsh, client, mailoutbox, django_capture_on_commit_callbacks
):
    report = saltmarsh.report
    take_down_through_the_page(client, report, saltmarsh.admin, django_capture_on_commit_callbacks)

    sent = [m for m in mailoutbox if "taken down from the microsite" in m.subject]
    assert {m.to[0] for m in sent} >= {saltmarsh.tce_lead.email, saltmarsh.local_lead.email}
    for message in sent:
        html = message.alternatives[0][0]
        assert "sensitive personal data" in message.body and "audit log" in message.body
        assert PRIVATE not in message.body and PRIVATE not in html


@pytest.mark.parametrize("role", ["tce_lead", "partner", "local_lead"])
def test_only_a_programme_admin_can_take_it_down(saltmarsh, client, role):
    report = saltmarsh.report
    client.force_login(saltmarsh.by_role(role))
    assert "Take down now" not in get(client, url("report-review", report)).read_text
    page = client.get(url("report-take-down", report))
    assert (page.status_code, page["Location"]) == (302, url("report-review", report))
    response = client.post(url("report-take-down", report), {"reason": PRIVATE, "confirm": "on"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_public
    assert not report.events.filter(transition=Transition.TAKE_DOWN).exists()


def test_another_partnerships_local_lead_is_told_nothing(saltmarsh, client):
    client.force_login(saltmarsh.other_local_lead)
    assert client.get(url("report-take-down", saltmarsh.report)).status_code == 404


def test_the_reason_and_the_confirmation_are_needed(saltmarsh, client):
    report = saltmarsh.report
    client.force_login(saltmarsh.admin)
    response = client.post(url("report-take-down", report), {"reason": " "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter why you are taking the report down" in page
    assert "Tick the box to confirm that you want to take it down now" in page
    report.refresh_from_db()
    assert report.is_public


def test_a_double_submit_is_harmless(saltmarsh, client, django_capture_on_commit_callbacks):
    report = saltmarsh.report
    take_down_through_the_page(client, report, saltmarsh.admin, django_capture_on_commit_callbacks)
    client.force_login(saltmarsh.admin)
    again = client.post(
        url("report-take-down", report), {"reason": PRIVATE, "confirm": "on"}, follow=True
    )
    assert again.status_code == 200
    assert "Already done" in again.content.decode()
    assert report.events.filter(transition=Transition.TAKE_DOWN).count() == 1
    # The service, pressed again directly, refuses without changing anything.
    with pytest.raises(takedown.workflow.AlreadyDone):
        takedown.take_down(report=report, actor=saltmarsh.admin, reason=PRIVATE)
    assert ReportEvent.objects.filter(report=report, transition=Transition.TAKE_DOWN).count() == 1


def test_a_report_under_revision_comes_down_too(saltmarsh, client):
    report = saltmarsh.report
    signoff_services.start_revision(report=report, actor=saltmarsh.partner, reason="A figure.")
    report.refresh_from_db()
    assert report.is_under_revision
    result = takedown.take_down(report=report, actor=saltmarsh.admin, reason=PRIVATE)
    assert result.event.from_status == Status.DRAFT
    assert client.get(report.get_absolute_url()).status_code == 410


def test_a_taken_down_report_can_be_reopened_and_published_again(saltmarsh, client):
    report = saltmarsh.report
    takedown.take_down(report=report, actor=saltmarsh.admin, reason=PRIVATE)
    assert not takedown.workflow.can(saltmarsh.admin, report, Transition.TAKE_DOWN)

    signoff_services.reopen(report=report, actor=saltmarsh.admin, reason="Remove the names.")
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    # While it is revised, its address still says it was removed.
    response = client.get(report.get_absolute_url())
    assert response.status_code == 410 and NOTICE in response.content.decode()

    walk_to(report, saltmarsh, Status.PUBLISHED)
    report.refresh_from_db()
    assert report.is_public and report.published_edition.number == 3
    assert LearningReport.objects.published().filter(pk=report.pk).exists()
    page = client.get(report.get_absolute_url())
    assert page.status_code == 200 and "This report was removed" not in page.content.decode()


def test_a_withdrawal_with_a_public_reason_is_still_a_withdrawal_notice(saltmarsh, client):
    report = saltmarsh.report
    signoff_services.withdraw(report=report, actor=saltmarsh.admin, reason="Out of date.")
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    assert "This report was withdrawn" in response.content.decode()
    assert client.get(url("report-pdf", report)).status_code == 404


def test_a_render_that_ends_after_the_take_down_stores_nothing(saltmarsh, client):
    """The render task read the edition before the take-down and finishes after it."""
    report = saltmarsh.report
    edition = report.published_edition
    source = document.edition_source(edition)
    takedown.take_down(report=report, actor=saltmarsh.admin, reason=PRIVATE)

    rendered = document.RenderedPdf(content=b"%PDF-1.7 rendered before the take-down", pages=1)
    assert storage.store_report_pdf(edition, source, rendered, seconds=0.1) is None
    assert not ReportPdf.objects.filter(edition__report=report).exists()


@pytest.mark.pdf
def test_a_report_withdrawn_earlier_can_still_be_taken_down(
    saltmarsh, client, django_capture_on_commit_callbacks
):
    """Sensitive data found after an ordinary withdrawal: its notice (title, public reason) and
    its stored files would otherwise stay."""
    report = saltmarsh.report
    files = store_files(report, django_capture_on_commit_callbacks)
    signoff_services.withdraw(report=report, actor=saltmarsh.admin, reason="Out of date.")
    assert client.get(report.get_absolute_url()).status_code == 200  # the withdrawal notice

    take_down_through_the_page(client, report, saltmarsh.admin, django_capture_on_commit_callbacks)

    response = get(client, report.get_absolute_url())
    assert response.status_code == 410
    assert NOTICE in response.read_text and "Out of date." not in response.read_text
    assert not any(default_storage.exists(name) for name in files)
    assert not ReportPdf.objects.filter(edition__report=report).exists()
    # Once is enough: it is not offered again.
    client.force_login(saltmarsh.admin)
    review = get(client, url("report-review", report)).read_text
    assert "Take down now" not in review
