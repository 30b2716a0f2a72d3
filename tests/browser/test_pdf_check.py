"""From any page's footer: "Check a PDF", with the sealed PDF of a published edition, then with a
file that is not a PDF; axe-core on each answer."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from playwright.sync_api import expect

from reports.models import LearningReport, ReportPdf
from reports.pdfs import tasks

pytestmark = pytest.mark.pdf


def test_a_visitor_checks_a_downloaded_pdf_from_the_footer(
    live_demo, page, axe_check, settings, tmp_path
):
    call_command("make_seal_certificate", folder=str(tmp_path / "seal"), stdout=io.StringIO())
    settings.PDF_SEAL_KEY = str(tmp_path / "seal" / "seal-key.pem")
    settings.PDF_SEAL_CERT = str(tmp_path / "seal" / "seal-cert.pem")
    # Publishing (loading the demo data) stored the PDF before sealing was configured: again.
    report = LearningReport.objects.get(slug="east-sussex")
    ReportPdf.objects.filter(report=report).delete()
    tasks.render_edition_pdf.call(report.published_edition_id)
    stored = ReportPdf.objects.get(report=report)
    sealed = tmp_path / "tce-learning-report-east-sussex.pdf"
    with default_storage.open(stored.file.name) as file:
        sealed.write_bytes(file.read())

    page.goto(live_demo.url + "/")
    page.get_by_role("contentinfo").get_by_role("link", name="Check a PDF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a PDF")
    axe_check(page, "the form")

    page.get_by_label("The PDF to check").set_input_files(sealed)
    page.get_by_role("button", name="Check the PDF").click()
    answer = page.get_by_role("region", name="The answer")
    expect(answer).to_contain_text(
        f"This is the sealed PDF of “{stored.edition.title}”, edition {stored.edition.number}"
    )
    axe_check(page, "a sealed edition")

    not_a_pdf = tmp_path / "notes.txt"
    not_a_pdf.write_text("Notes from the meeting")
    page.get_by_label("The PDF to check").set_input_files(not_a_pdf)
    page.get_by_role("button", name="Check the PDF").click()
    expect(page.get_by_text("The file is not a PDF: choose a PDF file.").first).to_be_visible()
    expect(page).to_have_title("Error: Check a PDF – TCE Support Programme")
    axe_check(page, "a file that is not a PDF")
