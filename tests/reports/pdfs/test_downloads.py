"""Serving report PDFs: stored once in the background, never stale, never a draft to the public."""

import datetime

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from partnerships.models import Agency, BespokeSupportProject, PartnershipAgency, Region
from reports.models import EditionSection, LearningReport, ReportPdf, Status
from reports.pdfs import document, storage
from reports.signoff import services as signoff_services
from tests.factories import Cast, demo_people, make_cast, walk_to
from tests.support.pdf_reading import read_pdf

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def torbay(demo):
    return LearningReport.objects.get(slug="torbay")


@pytest.fixture
def countersigned_torbay(torbay):
    """Torbay signed off with consent and countersigned: ready to publish."""
    return walk_to(torbay, Cast(report=torbay, **demo_people()), Status.COUNTERSIGNED)


@pytest.fixture
def lead(demo):
    return User.objects.get(email="lead@example.org")


def publish(report, lead):
    signoff_services.publish(report=report, actor=lead)


def get_pdf(client, report, **headers):
    response = client.get(reverse("reports:report-pdf", kwargs={"slug": report.slug}), **headers)
    # The test client closes the response once it is "sent" (for a file, once it has been read),
    # as a WSGI server does: that is when a "being prepared" response queues the render.
    response.body = b"".join(response.streaming_content) if response.streaming else b""
    return response


def pdf_bytes(response):
    return response.body


@pytest.mark.pdf
def test_publishing_renders_the_pdf_in_the_background_and_it_is_then_served(
    countersigned_torbay, lead, client, django_capture_on_commit_callbacks
):
    assert not ReportPdf.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        publish(countersigned_torbay, lead)
    stored = ReportPdf.objects.get(report=countersigned_torbay)
    assert stored.is_rendered
    assert default_storage.exists(stored.file.name)
    assert stored.pages >= 3

    response = get_pdf(client, countersigned_torbay)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="tce-learning-report-torbay.pdf"'
    )
    content = pdf_bytes(response)
    assert int(response["Content-Length"]) == len(content) == stored.size
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert response["ETag"] == f'"{stored.fingerprint}"'
    read = read_pdf(content)
    assert read.title == "Project Learning Report: Torbay"
    assert "DRAFT" not in read.text

    # A browser that has it already is told so.
    again = get_pdf(client, countersigned_torbay, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.pdf
def test_with_the_database_back_end_publishing_queues_a_task_the_worker_runs(
    countersigned_torbay, lead, client, settings, django_capture_on_commit_callbacks, run_worker
):
    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        publish(countersigned_torbay, lead)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "reports.pdfs.tasks.render_edition_pdf"
    edition = countersigned_torbay.published_edition
    assert queued.args_kwargs == {"args": [edition.pk], "kwargs": {}}
    assert not ReportPdf.objects.get(report=countersigned_torbay).is_rendered

    # Until the worker has run, the public gets "being prepared", and no second task.
    waiting = get_pdf(client, countersigned_torbay)
    assert waiting.status_code == 503
    assert DBTaskResult.objects.count() == 1

    run_worker()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    stored = ReportPdf.objects.get(report=countersigned_torbay)
    assert stored.is_rendered and default_storage.exists(stored.file.name)
    assert get_pdf(client, countersigned_torbay).status_code == 200


def test_a_missing_pdf_is_being_prepared_and_never_rendered_in_the_request(demo, client, settings):
    settings.TASKS = DATABASE_TASKS
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    response = get_pdf(client, east_sussex)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "The PDF of this report is being prepared" in page
    assert east_sussex.get_absolute_url() in page
    # Queued, not rendered: the file only comes from the worker.
    assert (
        DBTaskResult.objects.filter(task_path="reports.pdfs.tasks.render_edition_pdf").count() == 1
    )
    assert not ReportPdf.objects.get(report=east_sussex).is_rendered


@pytest.mark.pdf
def test_with_the_immediate_back_end_the_render_runs_after_the_response(demo, client):
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    first = get_pdf(client, east_sussex)
    assert first.status_code == 503
    # The render ran once the "being prepared" page had been sent.
    assert ReportPdf.objects.get(report=east_sussex).is_rendered
    second = get_pdf(client, east_sussex)
    assert second.status_code == 200
    assert read_pdf(pdf_bytes(second)).title == "Project Learning Report: East Sussex"


@pytest.mark.pdf
def test_an_outdated_pdf_is_never_served(demo, client, settings):
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    get_pdf(client, east_sussex)
    assert get_pdf(client, east_sussex).status_code == 200
    # A change no signal sees (a bulk update of what the cover shows) still makes the stored
    # file outdated.
    Region.objects.filter(pk=east_sussex.bsp.region_id).update(name="South East England")
    settings.TASKS = DATABASE_TASKS
    response = get_pdf(client, east_sussex)
    assert response.status_code == 503
    assert DBTaskResult.objects.count() == 1


def test_the_public_cannot_fetch_a_drafts_pdf(torbay, client):
    assert get_pdf(client, torbay).status_code == 404
    assert not ReportPdf.objects.exists()


@pytest.mark.pdf
def test_withdrawing_a_report_removes_its_pdf(demo, client, django_capture_on_commit_callbacks):
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    get_pdf(client, east_sussex)
    name = ReportPdf.objects.get(report=east_sussex).file.name
    assert default_storage.exists(name)
    admin = User.objects.get(email="admin@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        signoff_services.withdraw(report=east_sussex, actor=admin, reason="At the area's request")
    assert not ReportPdf.objects.exists()
    assert not default_storage.exists(name)
    assert get_pdf(client, east_sussex).status_code == 404


@pytest.mark.pdf
def test_the_being_prepared_page_polls_and_offers_the_download_when_ready(
    demo, client, settings, run_worker
):
    settings.TASKS = DATABASE_TASKS
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    url = reverse("reports:report-pdf", kwargs={"slug": east_sussex.slug})
    waiting = client.get(url, HTTP_HX_REQUEST="true")
    assert waiting.status_code == 200
    assert f'hx-get="{url}"' in waiting.content.decode()
    run_worker()
    ready = client.get(url, HTTP_HX_REQUEST="true")
    # 286 tells htmx to stop polling.
    assert ready.status_code == 286
    page = ready.content.decode()
    assert "hx-get" not in page
    assert "Download the PDF" in page
    assert "The PDF is ready to download." in page


def test_a_published_reports_export_is_the_public_pdf(demo, client):
    client.force_login(User.objects.get(email="admin@example.org"))
    response = client.get(reverse("reports:report-pdf-draft", kwargs={"slug": "east-sussex"}))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report-pdf", kwargs={"slug": "east-sussex"})


def test_the_report_page_links_to_its_pdf(demo, client):
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    page = client.get(east_sussex.get_absolute_url()).content.decode()
    assert reverse("reports:report-pdf", kwargs={"slug": "east-sussex"}) in page
    assert "Download this report as a PDF" in page


@pytest.mark.pdf
def test_serving_a_stored_pdf_has_a_query_budget(demo, client, django_assert_max_num_queries):
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    get_pdf(client, east_sussex)
    # 1 the report (with BSP, partnership, region), 2 sections, 3 signatures, 4 agencies,
    # 5 methodologies (what the PDF shows, to check the stored file is current), 6 the stored PDF.
    with django_assert_max_num_queries(6):
        response = get_pdf(client, east_sussex)
    assert response.status_code == 200
    assert response["Vary"] == "HX-Request"


@pytest.mark.pdf
def test_a_stored_file_lost_from_storage_is_rendered_again(demo, client):
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    get_pdf(client, east_sussex)
    stored = ReportPdf.objects.get(report=east_sussex)
    default_storage.delete(stored.file.name)
    lost = get_pdf(client, east_sussex)
    assert lost.status_code == 503
    assert "The PDF of this report is being prepared" in lost.content.decode()
    # Rendered again once that answer was sent.
    assert default_storage.exists(ReportPdf.objects.get(report=east_sussex).file.name)
    assert get_pdf(client, east_sussex).status_code == 200


def test_a_failing_render_is_not_retried_by_every_request(demo, client, monkeypatch):
    import weasyprint

    def fail(*args, **kwargs):
        raise RuntimeError("WeasyPrint could not lay out the document")

    monkeypatch.setattr(weasyprint.HTML, "render", fail)
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    assert get_pdf(client, east_sussex).status_code == 503
    held = ReportPdf.objects.get(report=east_sussex).queued_at
    assert held is not None
    # The next visitor is told to wait too, and does not set off another render.
    assert get_pdf(client, east_sussex).status_code == 503
    stored = ReportPdf.objects.get(report=east_sussex)
    assert stored.queued_at == held
    assert not stored.is_rendered


def _rendered_text(report) -> str:
    stored = ReportPdf.objects.get(report=report)
    assert stored.is_rendered
    with stored.file.open("rb") as file:
        return read_pdf(file.read()).text


@pytest.mark.pdf
def test_a_re_render_replaces_the_stored_file(demo, client, django_capture_on_commit_callbacks):
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    get_pdf(client, east_sussex)  # rendered once, with the immediate back end
    before = ReportPdf.objects.get(report=east_sussex)
    region = east_sussex.bsp.region
    with django_capture_on_commit_callbacks(execute=True):
        region.name = "South East England"
        region.save()
    after = ReportPdf.objects.get(report=east_sussex)
    assert after.fingerprint != before.fingerprint
    assert after.file.name != before.file.name
    assert default_storage.exists(after.file.name)
    assert not default_storage.exists(before.file.name)
    assert "South East England" in _rendered_text(east_sussex)
    assert get_pdf(client, east_sussex).status_code == 200


def test_an_editions_pdf_keeps_the_details_it_was_published_with(
    demo, settings, django_capture_on_commit_callbacks, run_worker
):
    """The details table of a published edition is the one that was signed: the register's
    agencies and methodologies changing afterwards change nothing in its PDF, and queue nothing.
    What the cover takes from the register now (the region) does: that queues one render."""
    settings.TASKS = DATABASE_TASKS
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    edition = east_sussex.published_edition
    partnership = east_sussex.bsp.partnership

    def source():
        return document.edition_source(document.editions_for_pdf().get(pk=edition.pk))

    signed = source()
    ReportPdf.objects.create(
        edition=edition,
        report=east_sussex,
        file="reports/pdf/current.pdf",
        fingerprint=signed.fingerprint,
    )
    with django_capture_on_commit_callbacks(execute=True):
        PartnershipAgency.objects.create(
            partnership=partnership,
            agency=Agency.objects.create(name="Sussex Community Rehabilitation Company"),
            position=99,
        )
        BespokeSupportProject.objects.filter(pk=east_sussex.bsp_id).update(methodology_as_stated="")
        methodology = east_sussex.bsp.methodologies.first()
        methodology.name = "Peer mentoring"
        methodology.save()
    assert source().fingerprint == signed.fingerprint
    assert "Sussex Community Rehabilitation Company" not in source().html
    run_worker()  # the checks the renames queued find the PDF current
    render = "reports.pdfs.tasks.render_edition_pdf"
    assert not DBTaskResult.objects.filter(task_path=render).exists()

    region = east_sussex.bsp.region
    region.name = "South East England"
    with django_capture_on_commit_callbacks(execute=True):
        region.save()
    assert source().fingerprint != signed.fingerprint
    assert "South East England" in source().html
    run_worker()
    renders = DBTaskResult.objects.filter(task_path=render)
    assert [r.args_kwargs["args"] for r in renders] == [[edition.pk]]


@pytest.mark.pdf
def test_a_renamed_partnership_re_renders_only_published_pdfs(
    demo, client, django_capture_on_commit_callbacks, settings, run_worker
):
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    torbay = LearningReport.objects.get(slug="torbay")
    get_pdf(client, east_sussex)
    settings.TASKS = DATABASE_TASKS
    for report in (east_sussex, torbay):
        partnership = report.bsp.partnership
        partnership.name = f"{partnership.name} (renamed)"
        with django_capture_on_commit_callbacks(execute=True):
            partnership.save()
    # The save only queued a check, in the background, of the published report's PDF (none for
    # Torbay's draft); the check queues its render.
    assert list(DBTaskResult.objects.values_list("task_path", "args_kwargs")) == [
        ("reports.pdfs.tasks.refresh_report_pdfs", {"args": [[east_sussex.pk]], "kwargs": {}})
    ]
    run_worker()
    renders = DBTaskResult.objects.filter(task_path="reports.pdfs.tasks.render_edition_pdf")
    assert [r.args_kwargs["args"] for r in renders] == [[east_sussex.published_edition_id]]


@pytest.mark.pdf
def test_a_new_title_after_publication_waits_for_the_next_edition(
    db, client, django_capture_on_commit_callbacks
):
    """A title changed after publication (in the admin, the shell) is a change of content: it
    opens a revision. The page, the listing, search and the PDF keep the published title until
    the revision is signed and published; then the new edition has the new title at the same
    address, and the first edition's PDF is still served with the old one at its own."""
    cast = make_cast("Old Title", local_area="Swanage")
    report = cast.report
    address = report.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        walk_to(report, cast, Status.PUBLISHED)
    name = ReportPdf.objects.get(report=report).file.name
    assert default_storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        report.title = "New Title"
        report.save()
    assert report.status == Status.DRAFT
    assert default_storage.exists(name)
    assert "Old Title" in client.get(address).content.decode()
    assert "New Title" not in client.get(address).content.decode()
    assert "Old Title" in client.get(reverse("reports:report-list")).content.decode()
    assert LearningReport.objects.all().search("Old Title").filter(pk=report.pk).exists()
    assert not LearningReport.objects.all().search("New Title").filter(pk=report.pk).exists()
    assert (
        read_pdf(pdf_bytes(get_pdf(client, report))).title == "Project Learning Report: Old Title"
    )

    with django_capture_on_commit_callbacks(execute=True):
        walk_to(report, cast, Status.PUBLISHED)
    response = get_pdf(client, report)
    assert response.status_code == 200
    assert read_pdf(pdf_bytes(response)).title == "Project Learning Report: New Title"
    assert report.get_absolute_url() == address
    assert "New Title" in client.get(address).content.decode()
    assert LearningReport.objects.all().search("New Title").filter(pk=report.pk).exists()
    first = client.get(reverse("reports:edition-pdf", kwargs={"slug": report.slug, "number": 1}))
    first_pdf = b"".join(first.streaming_content) if first.streaming else b""
    if first.status_code == 503:  # rendered after that response: ask again
        first = client.get(reverse("reports:edition-pdf", args=[report.slug, 1]))
        first_pdf = b"".join(first.streaming_content)
    assert read_pdf(first_pdf).title == "Project Learning Report: Old Title"
    assert first["Content-Disposition"].endswith('-edition-1.pdf"')


@pytest.mark.pdf
def test_a_render_that_keeps_failing_is_retried_a_few_times_then_reported(
    demo, client, settings, run_worker, django_capture_on_commit_callbacks
):
    """A PDF that cannot be made (here, text nested deeper than WeasyPrint can lay out, stored
    before the sanitiser bounded nesting) is tried ReportPdf.MAX_RENDER_ATTEMPTS times, each after
    QUEUE_TIMEOUT; then the programme admins are told, once, and readers are told it is not
    available instead of "being prepared" for ever."""
    settings.TASKS = DATABASE_TASKS
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    EditionSection.objects.filter(edition=east_sussex.published_edition, key="reasons").update(
        body="<blockquote>" * 400 + "<p>Too deep.</p>" + "</blockquote>" * 400
    )
    mail.outbox.clear()
    for attempt in range(1, ReportPdf.MAX_RENDER_ATTEMPTS + 1):
        waiting = get_pdf(client, east_sussex)
        assert waiting.status_code == 503
        assert "being prepared" in waiting.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            run_worker()
        stored = ReportPdf.objects.get(edition=east_sussex.published_edition)
        assert (stored.failures, stored.is_rendered) == (attempt, False)
        assert "Error" in stored.last_error
        # Not retried before QUEUE_TIMEOUT: a request meanwhile queues nothing.
        queued = DBTaskResult.objects.count()
        get_pdf(client, east_sussex)
        assert DBTaskResult.objects.count() == queued
        ReportPdf.objects.filter(pk=stored.pk).update(
            queued_at=timezone.now() - storage.QUEUE_TIMEOUT - datetime.timedelta(seconds=1)
        )
    [message] = mail.outbox
    assert "could not be made" in message.subject
    assert message.to == ["admin@example.org"]
    failed = get_pdf(client, east_sussex)
    assert failed.status_code == 503
    assert "The PDF of this report is not available" in failed.content.decode()
    queued = DBTaskResult.objects.count()
    get_pdf(client, east_sussex)
    polled = client.get(
        reverse("reports:report-pdf", kwargs={"slug": east_sussex.slug}),
        headers={"HX-Request": "true"},
    )
    assert polled.status_code == 286  # htmx stops polling
    assert "could not make the PDF" in polled.content.decode()
    assert DBTaskResult.objects.count() == queued  # nothing more is tried
