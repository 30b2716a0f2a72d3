"""PDF downloads and the compendium in the browser: links, the waiting pages, htmx polling, axe."""

import pytest
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from reports.models import ReportPdf
from reports.pdfs.tasks import build_compendium
from tests.browser.conftest import go_to_my_reports, open_my_report, sign_in

pytestmark = pytest.mark.pdf


def open_east_sussex(page, live):
    """From the home page, the published report among the latest."""
    page.goto(live.url + "/")
    page.get_by_role("link", name="East Sussex", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Project Learning Report: East Sussex"
    )


def test_the_report_page_downloads_its_pdf(live_demo, page, axe_check):
    open_east_sussex(page, live_demo)
    axe_check(page)
    # Publishing (here: loading the demo data) rendered the PDF already.
    assert ReportPdf.objects.get(report__slug="east-sussex").is_rendered
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this report as a PDF").click()
    assert download.value.suggested_filename == "tce-learning-report-east-sussex.pdf"


def test_while_the_pdf_is_prepared_the_page_says_so_then_offers_it(live_demo, page, axe_check):
    ReportPdf.objects.all().delete()
    open_east_sussex(page, live_demo)
    with page.expect_response(lambda r: r.request.is_navigation_request()) as answer:
        page.get_by_role("link", name="Download this report as a PDF").click()
    download = wait_while_prepared_then_download(page, answer.value, axe_check)
    assert download.suggested_filename == "tce-learning-report-east-sussex.pdf"


def wait_while_prepared_then_download(page, answer, axe_check):
    """On the "being prepared" page (answered 503): htmx asks again until the PDF is ready, then
    offers it (and says so to screen readers); download it."""
    assert answer.status == 503
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The PDF of this report is being prepared"
    )
    axe_check(page)
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("status")).to_have_text("The PDF is ready to download.")
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    return download.value


def test_a_drafts_pdf_is_prepared_then_offered(live_demo, page, axe_check):
    """The partner writing Torbay's report downloads it as a draft: prepared in the background,
    the page polls (htmx) and offers the file when it is ready."""
    sign_in(page, live_demo.url, "partner@example.org")
    go_to_my_reports(page)
    open_my_report(page, "Torbay")
    with page.expect_response(lambda r: r.request.is_navigation_request()) as answer:
        page.get_by_role("link", name="Download as PDF (marked as a draft)").click()
    download = wait_while_prepared_then_download(page, answer.value, axe_check)
    assert download.suggested_filename == "tce-learning-report-torbay-draft.pdf"
    with open(download.path(), "rb") as pdf_file:
        assert pdf_file.read(5) == b"%PDF-"


def test_a_compendium_shows_its_progress_then_its_download(live_demo, page, axe_check):
    open_east_sussex(page, live_demo)
    page.get_by_role("link", name="All published 2020-21 reports in one PDF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Project Learning Reports 2020-21 in one PDF"
    )
    axe_check(page)
    page.get_by_role("button", name="Prepare the PDF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Project Learning Reports 2020-21 in one PDF"
    )
    axe_check(page)
    download_link = page.get_by_role("link", name="Download the PDF")
    expect(download_link).to_be_visible(timeout=30_000)
    axe_check(page)
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == "tce-learning-reports-2020-21.pdf"


def test_the_compendium_progress_page_works_without_javascript(
    live_demo, browser, page, axe_check, settings
):
    # A worker, not this test's requests, builds it: the page is seen while it waits.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    context = browser.new_context(java_script_enabled=False)
    no_js = context.new_page()
    open_east_sussex(no_js, live_demo)
    no_js.get_by_role("link", name="All published 2020-21 reports in one PDF").click()
    no_js.get_by_role("button", name="Prepare the PDF").click()
    expect(no_js.get_by_label("Waiting to start")).to_have_attribute("value", "0")
    # The waiting page, progress bar and all, is accessible (axe needs JavaScript to run):
    # someone else, with JavaScript, asks for the same PDF: it is being prepared already, and
    # they follow its progress on the same page.
    open_east_sussex(page, live_demo)
    page.get_by_role("link", name="All published 2020-21 reports in one PDF").click()
    page.get_by_role("link", name="follow its progress").click()
    expect(page.get_by_label("Waiting to start")).to_be_visible()
    assert page.url == no_js.url
    axe_check(page)
    # That page polls with htmx: close it, or its reads would meet the build's writes on the
    # test's SQLite database ("table is locked").
    page.close()

    # What the worker does with the queued task (the worker itself is tested elsewhere).
    queued = DBTaskResult.objects.get(task_path="reports.pdfs.tasks.build_compendium")
    build_compendium.call(*queued.args_kwargs["args"])
    # Without JavaScript the visitor refreshes by hand (there is no meta refresh).
    no_js.get_by_role("link", name="refresh this page").click()
    expect(no_js.get_by_role("link", name="Download the PDF")).to_be_visible()
    context.close()
