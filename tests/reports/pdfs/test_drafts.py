"""A draft's PDF: rendered in the background for the people who may read the report, stored
privately, served while the working copy is unchanged, and never rendered in a request."""

import datetime

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reports.authoring import services as authoring_services
from reports.models import DraftPdf, ReportSection
from reports.pdfs import document, storage
from tests.factories import make_cast
from tests.support.pdf_reading import read_pdf

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKING_COPY = "The panel met every fortnight and kept a shared log of every missing episode."


@pytest.fixture
def cast(db):
    """A draft with a sentence of its own, and the people around it."""
    return make_cast("Tidewater", sections={"approaches": f"<p>{WORKING_COPY}</p>"})


def draft_url(report):
    return reverse("reports:report-pdf-draft", kwargs={"slug": report.slug})


def get_draft(client, report, **headers):
    """GET the draft PDF; read a file to its end, so the test client closes the response as a
    server does (that is when a "being prepared" answer queues the render)."""
    response = client.get(draft_url(report), headers=headers)
    response.body = b"".join(response.streaming_content) if response.streaming else b""
    return response


def render_queued(*, task="reports.pdfs.tasks.render_draft_pdf"):
    return DBTaskResult.objects.filter(task_path=task).count()


def edit(report, actor, body):
    section = ReportSection.objects.get(report=report, key="approaches")
    authoring_services.save_section(
        report=report, key="approaches", actor=actor, body=body, based_on_version=section.version
    )


@pytest.mark.pdf
def test_the_first_request_is_told_it_is_being_prepared_and_the_next_gets_the_pdf(cast, client):
    client.force_login(cast.local_lead)

    waiting = get_draft(client, cast.report)

    assert waiting.status_code == 503
    assert waiting["Content-Type"].startswith("text/html")
    assert waiting["Retry-After"] == "10"
    assert "no-store" in waiting["Cache-Control"] and "private" in waiting["Cache-Control"]
    page = waiting.content.decode()
    assert "The PDF of this report is being prepared" in page
    assert f'href="{draft_url(cast.report)}">download the PDF</a>' in page
    # The render was queued once that answer had been sent (the immediate back end ran it).
    stored = DraftPdf.objects.get(report=cast.report)
    assert stored.is_rendered and stored.pages >= 1

    response = get_draft(client, cast.report)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="tce-learning-report-tidewater-draft.pdf"'
    )
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert int(response["Content-Length"]) == len(response.body)
    read = read_pdf(response.body)
    assert WORKING_COPY in read.text
    assert all(document.DRAFT_MARK in page for page in read.pages)


@pytest.mark.pdf
def test_the_file_is_private(cast, client):
    client.force_login(cast.partner)
    get_draft(client, cast.report)
    stored = DraftPdf.objects.get(report=cast.report)
    assert stored.file.storage is storages["private"]
    path = stored.file.path
    assert not path.startswith(str(settings.MEDIA_ROOT))
    assert path.startswith(str(settings.PRIVATE_ROOT))
    with pytest.raises(ValueError, match="private"):
        stored.file.url  # noqa: B018 - no web address, by design


def test_the_being_prepared_page_polls_and_offers_the_download_when_ready(
    cast, client, settings, run_worker
):
    settings.TASKS = DATABASE_TASKS
    client.force_login(cast.tce_lead)
    url = draft_url(cast.report)
    waiting = get_draft(client, cast.report, HX_Request="true")
    assert waiting.status_code == 200
    assert f'hx-get="{url}"' in waiting.content.decode()
    assert render_queued() == 1
    run_worker()
    ready = get_draft(client, cast.report, HX_Request="true")
    assert ready.status_code == 286  # htmx stops polling
    page = ready.content.decode()
    assert "hx-get" not in page
    assert f'href="{url}">Download the PDF</a>' in page
    assert "The PDF is ready to download." in page


def test_two_quick_requests_queue_one_render(cast, client, settings):
    settings.TASKS = DATABASE_TASKS
    client.force_login(cast.partner)
    assert get_draft(client, cast.report).status_code == 503
    assert get_draft(client, cast.report).status_code == 503
    assert render_queued() == 1
    assert DraftPdf.objects.get(report=cast.report).queued_at is not None


@pytest.mark.pdf
def test_an_edit_makes_a_new_pdf_and_the_old_file_goes(cast, client):
    client.force_login(cast.partner)
    get_draft(client, cast.report)
    before = DraftPdf.objects.get(report=cast.report)
    assert get_draft(client, cast.report).status_code == 200

    edit(cast.report, cast.partner, "<p>A rewritten approach, after the panel's review.</p>")

    waiting = get_draft(client, cast.report)
    assert waiting.status_code == 503
    assert "being prepared" in waiting.content.decode()
    after = DraftPdf.objects.get(report=cast.report)
    assert after.pk == before.pk  # one per report
    assert after.fingerprint != before.fingerprint
    assert after.file.name != before.file.name
    private = storages["private"]
    assert private.exists(after.file.name)
    assert not private.exists(before.file.name)
    response = get_draft(client, cast.report)
    assert response.status_code == 200
    text = read_pdf(response.body).text
    assert "A rewritten approach, after the panel's review." in text
    assert WORKING_COPY not in text


def test_only_the_reports_readers_get_its_draft_pdf(cast, client):
    url = draft_url(cast.report)
    signed_out = client.get(url)
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith(reverse("accounts:login"))
    client.force_login(cast.other_local_lead)  # a local lead of another partnership
    assert client.get(url).status_code == 404
    assert not DraftPdf.objects.exists()


def test_a_render_that_keeps_failing_is_retried_a_few_times_then_the_page_says_so(
    cast, client, monkeypatch
):
    def fail(source, **kwargs):
        raise RuntimeError("WeasyPrint could not lay out the document")

    monkeypatch.setattr(document, "render", fail)
    client.force_login(cast.partner)
    for attempt in range(1, DraftPdf.MAX_RENDER_ATTEMPTS + 1):
        waiting = get_draft(client, cast.report)
        assert waiting.status_code == 503
        assert "being prepared" in waiting.content.decode()
        stored = DraftPdf.objects.get(report=cast.report)
        assert (stored.failures, stored.is_rendered) == (attempt, False)
        assert "could not lay out" in stored.last_error
        # Not tried again before QUEUE_TIMEOUT: a request meanwhile sets off nothing.
        get_draft(client, cast.report)
        assert DraftPdf.objects.get(report=cast.report).failures == attempt
        DraftPdf.objects.filter(pk=stored.pk).update(
            queued_at=timezone.now() - storage.QUEUE_TIMEOUT - datetime.timedelta(seconds=1)
        )

    failed = get_draft(client, cast.report)
    assert failed.status_code == 503
    assert "The PDF of this report could not be made" in failed.content.decode()
    assert DraftPdf.objects.get(report=cast.report).failures == DraftPdf.MAX_RENDER_ATTEMPTS
    polled = get_draft(client, cast.report, HX_Request="true")
    assert polled.status_code == 286  # htmx stops polling
    assert "could not" in polled.content.decode()
    assert DraftPdf.objects.get(report=cast.report).failures == DraftPdf.MAX_RENDER_ATTEMPTS

    # A changed working copy is another source: it is tried again.
    edit(cast.report, cast.partner, "<p>Shorter now.</p>")
    assert "being prepared" in get_draft(client, cast.report).content.decode()
    assert DraftPdf.objects.get(report=cast.report).failures == 1
