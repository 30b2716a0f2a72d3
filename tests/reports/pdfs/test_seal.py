"""Sealed PDFs: a published edition's PDF is signed (PAdES) with the programme's key, pyHanko's
validator accepts it, a changed byte breaks it, and "Check a PDF" tells anyone which it is.

The key and certificate are a throwaway pair made by `manage.py make_seal_certificate` into the
test's own folder."""

import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from reports.models import LearningReport, ReportPdf
from reports.pdfs import document, seal, tasks
from tests.support.pdf_structure import assert_accessible_structure

CHECK = "reports:pdf-check"


def make_pair(folder) -> tuple[str, str]:
    call_command("make_seal_certificate", folder=str(folder), stdout=io.StringIO())
    return str(folder / "seal-key.pem"), str(folder / "seal-cert.pem")


@pytest.fixture
def sealing(settings, tmp_path):
    """Sealing configured with a throwaway key and certificate."""
    settings.PDF_SEAL_KEY, settings.PDF_SEAL_CERT = make_pair(tmp_path / "seal")
    return settings


@pytest.fixture
def not_sealing(settings):
    settings.PDF_SEAL_KEY = settings.PDF_SEAL_CERT = ""
    return settings


@pytest.fixture
def admin_client(client, cast):
    cast.admin.is_superuser = True
    cast.admin.save()
    client.force_login(cast.admin)
    return client


@pytest.fixture
def east_sussex(demo):
    return document.for_pdf(LearningReport.objects.all()).get(slug="east-sussex")


def rendered(report) -> bytes:
    edition = document.editions_for_pdf().get(pk=report.published_edition_id)
    return document.render(document.edition_source(edition)).content


def with_a_byte_changed(content: bytes) -> bytes:
    """``content`` with one bit flipped inside the first stream the signature covers."""
    start = content.index(b"stream\n", len(content) // 10) + len(b"stream\n") + 10
    changed = bytearray(content)
    changed[start] ^= 0x01
    return bytes(changed)


def upload(client, content: bytes, name="report.pdf"):
    return client.post(
        reverse(CHECK),
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


# -- The certificate ------------------------------------------------------------------------------


def test_the_command_writes_a_pair_and_prints_the_settings_but_never_overwrites(tmp_path):
    out = io.StringIO()
    call_command("make_seal_certificate", folder=str(tmp_path), stdout=out)
    assert f"PDF_SEAL_KEY={tmp_path / 'seal-key.pem'}" in out.getvalue()
    assert f"PDF_SEAL_CERT={tmp_path / 'seal-cert.pem'}" in out.getvalue()
    key = (tmp_path / "seal-key.pem").read_bytes()

    with pytest.raises(CommandError, match="Use --force"):
        call_command("make_seal_certificate", folder=str(tmp_path), stdout=io.StringIO())
    assert (tmp_path / "seal-key.pem").read_bytes() == key

    call_command("make_seal_certificate", folder=str(tmp_path), force=True, stdout=io.StringIO())
    assert (tmp_path / "seal-key.pem").read_bytes() != key


# -- Sealing and verifying ------------------------------------------------------------------------


@pytest.mark.pdf
def test_a_sealed_pdf_passes_pyhankos_validator_and_keeps_its_structure(sealing, east_sussex):
    sealed = seal.seal(rendered(east_sussex))

    # pyHanko's validator, trusting the throwaway certificate, on its own.
    certificate = load_cert_from_pemder(sealing.PDF_SEAL_CERT)
    [signature] = PdfFileReader(io.BytesIO(sealed)).embedded_signatures
    assert signature.field_name == "ProgrammeSeal"
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[certificate]))
    assert status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert signature.sig_object["/Reason"] == "Published by the TCE Support Programme"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES

    check = seal.verify(sealed)
    assert check.sealed and check.intact
    assert check.signer == "TCE Support Programme"
    assert check.signed_at is not None
    assert check.problem == ""

    # The seal has no appearance on the page: the tags and bookmarks are as rendered.
    assert_accessible_structure(
        sealed,
        headings=[s.heading for s in east_sussex.shown_sections() if s.has_content],
    )


@pytest.mark.pdf
def test_a_changed_byte_or_an_added_update_breaks_the_seal(sealing, east_sussex):
    sealed = seal.seal(rendered(east_sussex))

    changed = seal.verify(with_a_byte_changed(sealed))
    assert changed.sealed and not changed.intact
    assert "changed" in changed.problem

    appended = seal.verify(sealed + b"\n% added later\n")
    assert appended.sealed and not appended.intact


@pytest.mark.pdf
def test_an_unsealed_pdf_or_one_sealed_by_someone_else_is_not_sealed(
    sealing, east_sussex, tmp_path
):
    content = rendered(east_sussex)
    assert not seal.verify(content).sealed

    theirs = seal.seal(content)
    sealing.PDF_SEAL_KEY, sealing.PDF_SEAL_CERT = make_pair(tmp_path / "another")
    assert not seal.verify(theirs).sealed


def test_without_a_key_nothing_can_be_sealed(not_sealing):
    assert not seal.is_configured()
    with pytest.raises(seal.SealNotConfigured):
        seal.seal(b"%PDF-1.7")


# -- The render of a published edition ------------------------------------------------------------


@pytest.mark.pdf
def test_the_render_task_stores_a_sealed_pdf_when_configured(sealing, east_sussex):
    ReportPdf.objects.all().delete()
    assert tasks.render_edition_pdf.call(east_sussex.published_edition_id) == "rendered"
    stored = ReportPdf.objects.get(edition_id=east_sussex.published_edition_id)
    with default_storage.open(stored.file.name) as file:
        content = file.read()
    assert seal.verify(content).intact
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.size == len(content)


@pytest.mark.pdf
def test_the_render_task_stores_an_unsealed_pdf_when_not_configured(not_sealing, east_sussex):
    ReportPdf.objects.all().delete()
    tasks.render_edition_pdf.call(east_sussex.published_edition_id)
    stored = ReportPdf.objects.get(edition_id=east_sussex.published_edition_id)
    with default_storage.open(stored.file.name) as file:
        content = file.read()
    assert b"ProgrammeSeal" not in content
    assert stored.sha256 == hashlib.sha256(content).hexdigest()


def test_the_admin_says_whether_pdfs_are_sealed(admin_client, settings, tmp_path):
    settings.PDF_SEAL_KEY = settings.PDF_SEAL_CERT = ""
    page = admin_client.get(reverse("admin:reports_reportpdf_changelist"))
    assert "PDFs are not sealed: PDF_SEAL_KEY and PDF_SEAL_CERT are not set." in page.text

    settings.PDF_SEAL_KEY, settings.PDF_SEAL_CERT = make_pair(tmp_path)
    page = admin_client.get(reverse("admin:reports_reportpdf_changelist"))
    assert "Published PDFs are sealed" in page.text


# -- Check a PDF ----------------------------------------------------------------------------------


@pytest.mark.pdf
def test_the_check_page_names_the_edition_of_a_sealed_pdf(sealing, east_sussex, client):
    ReportPdf.objects.all().delete()
    tasks.render_edition_pdf.call(east_sussex.published_edition_id)
    stored = ReportPdf.objects.get(edition_id=east_sussex.published_edition_id)
    with default_storage.open(stored.file.name) as file:
        content = file.read()
    edition = stored.edition

    page = upload(client, content)
    assert page.status_code == 200
    assert (
        f"This is the sealed PDF of “{edition.title}”, edition {edition.number}, published "
        f"{edition.published_at:%-d %B %Y}."
    ) in page.text

    page = upload(client, with_a_byte_changed(content))
    assert "This PDF has been changed since it was sealed." in page.text
    assert "This is the sealed PDF" not in page.text


@pytest.mark.pdf
def test_the_check_page_says_when_a_pdf_was_not_sealed(sealing, east_sussex, client):
    page = upload(client, rendered(east_sussex))
    assert page.status_code == 200
    assert "This PDF was not sealed by the programme." in page.text


def test_the_check_page_refuses_what_is_not_a_pdf(sealing, client, db):
    page = upload(client, b"<html>not a pdf</html>", name="report.pdf")
    assert page.status_code == 200
    assert "The file is not a PDF: choose a PDF file." in page.text
    assert "The answer" not in page.text

    page = client.post(reverse(CHECK), {})
    assert "Choose the PDF to check." in page.text


def test_the_check_page_refuses_a_file_over_20_mb(sealing, client, db):
    page = upload(client, b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024))
    assert "The file is larger than 20 MB" in page.text


def test_without_a_seal_the_check_page_says_there_is_nothing_to_check(not_sealing, client, db):
    page = client.get(reverse(CHECK))
    assert page.status_code == 200
    assert "The programme does not seal its PDFs at the moment" in page.text
    assert b'type="file"' not in page.content


def test_the_footer_links_to_the_check_page(client, db):
    page = client.get(reverse("reports:home"))
    assert f'href="{reverse(CHECK)}"' in page.text
