"""The completion record: the last page of a published edition's PDF says who signed and
countersigned it, how (signed in, or with a sign-off link) and when (UTC), the SHA-256 of what each
signed, whether the local area confirmed the safeguarding check, then the edition's number, when it
was published, its SHA-256 and stable address, and how to check the file. Drafts' PDFs and
compendiums have none.

The report is signed off with a sign-off link and published through the real services; its PDF is
rendered by the render task and downloaded as the public does, then read back with pdfplumber."""

import datetime
import io

import pdfplumber
import pytest
from django.urls import reverse

from reports.models import Edition, LearningReport, Signature, Status
from reports.pdfs import document, seal, storage, tasks
from reports.signoff import services as signoff_services
from tests.factories import make_cast, republish, walk_to
from tests.reports.pdfs.test_seal import make_pair
from tests.reports.pdfs.test_structure import assert_outloud_finds_no_error
from tests.support.pdf_reading import squash
from tests.support.pdf_structure import assert_accessible_structure

pytestmark = pytest.mark.django_db

# Summer: London is an hour ahead of UTC, so a time written in London's would read 14:03.
SIGNED_AT = datetime.datetime(2022, 7, 3, 13, 3, tzinfo=datetime.UTC)
COUNTERSIGNED_AT = datetime.datetime(2022, 7, 4, 8, 30, tzinfo=datetime.UTC)
PUBLISHED_AT = datetime.datetime(2022, 7, 4, 23, 15, tzinfo=datetime.UTC)  # 5 July in London


@pytest.fixture
def published(db):
    """Harbour Bay, signed off by Vicky Finn (confirming the safeguarding check) with the sign-off
    link the TCE project lead e-mailed her, countersigned by Tess Lead signed in, and published:
    edition 1. Its signatures and publication are dated as ``make_cast(published_at=...)`` dates
    a publication."""
    cast = make_cast("Harbour Bay", status=Status.AWAITING_SIGNOFF)
    report = cast.report
    link = signoff_services.send_signoff_link(
        report=report,
        actor=cast.tce_lead,
        email="vicky@example.gov.uk",
        full_name="Vicky Finn",
        job_title="MACE Chair",
    )
    signoff_services.sign_off(
        report=report,
        actor=link.recipient,
        full_name="Vicky Finn",
        role="MACE Chair",
        consent=True,
        checked_identifiability=True,
        seen_hash=report.content_hash(),
        link=link,
    )
    walk_to(report, cast, Status.PUBLISHED)
    edition = Edition.objects.get(report=report, number=1)
    Signature.objects.filter(pk=edition.local_signature_id).update(recorded_at=SIGNED_AT)
    Signature.objects.filter(pk=edition.tce_signature_id).update(recorded_at=COUNTERSIGNED_AT)
    Edition.objects.filter(pk=edition.pk).update(published_at=PUBLISHED_AT)
    return cast


@pytest.fixture
def sealing(settings, tmp_path):
    settings.PDF_SEAL_KEY, settings.PDF_SEAL_CERT = make_pair(tmp_path / "seal")
    return settings


def edition_of(report, number=1) -> Edition:
    return document.editions_for_pdf().get(report=report, number=number)


def download(client, edition) -> bytes:
    """The edition's PDF as the public gets it: rendered (and sealed, if sealing is configured)
    by the render task, stored, then served."""
    tasks.render_edition_pdf.enqueue(edition.pk)
    url = reverse(
        "reports:edition-pdf", kwargs={"slug": edition.report.slug, "number": edition.number}
    )
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def pages_of(content: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [squash(page.extract_text() or "") for page in pdf.pages]


def stable_address(edition) -> str:
    path = reverse(
        "reports:edition-detail", kwargs={"slug": edition.report.slug, "number": edition.number}
    )
    return f"http://testserver.example{path}"


@pytest.mark.pdf
def test_the_last_page_records_both_signatures_and_the_edition(published, client, settings):
    settings.SITE_URL = "http://testserver.example"
    edition = edition_of(published.report)
    local, lead = edition.local_signature, edition.tce_signature
    assert local.method == Signature.Method.LINK  # the sign-off link's
    assert lead.method == Signature.Method.ACCOUNT
    pages = pages_of(download(client, edition))
    last = pages[-1]

    assert "Completion record How this edition was signed" in last
    assert all("Completion record" not in page for page in pages[:-1])
    local_part = last[last.index("Signed by the local area") : last.index("Countersigned by")]
    assert "Name Vicky Finn" in local_part
    assert "Role MACE Chair" in local_part
    assert "How they signed With a sign-off link sent by e-mail" in local_part
    assert "Recorded by the portal 13:03 UTC, 3 July 2022" in local_part
    assert "Safeguarding check confirmed Yes" in local_part
    assert f"SHA-256 of the content signed {local.content_hash}" in local_part
    lead_part = last[
        last.index("Countersigned by the TCE project lead") : last.index("This edition")
    ]
    assert "Name Tess Lead" in lead_part
    assert "Role TCE Project Lead" in lead_part
    assert "How they signed Signed in to the portal" in lead_part
    assert "Recorded by the portal 08:30 UTC, 4 July 2022" in lead_part
    assert "Safeguarding check" not in lead_part  # the local area's to confirm
    assert f"SHA-256 of the content signed {lead.content_hash}" in lead_part
    edition_part = last[last.index("This edition") :]
    assert "Edition number 1 Published" in edition_part
    assert "Published 23:15 UTC, 4 July 2022" in edition_part
    assert f"SHA-256 of the text published {edition.content_hash}" in edition_part
    assert f"Stable address {stable_address(edition)}" in edition_part
    # Sealing is not configured here: the page must not say the file is sealed.
    assert "This file was not sealed by the programme" in edition_part
    assert "carries the seal" not in last


@pytest.mark.pdf
def test_a_sealed_pdf_says_so_and_where_to_check_it(published, client, sealing):
    sealing.SITE_URL = "http://testserver.example"
    content = download(client, edition_of(published.report))
    check = seal.verify(content)
    assert check.sealed and check.intact, check.problem

    last = pages_of(content)[-1]
    assert "This file carries the seal of the TCE Support Programme" in last
    check_page = "http://testserver.example" + reverse("reports:pdf-check")
    assert f"upload the file to the public “Check a PDF” page, {check_page}" in last
    assert "not sealed" not in last


@pytest.mark.pdf
def test_a_second_edition_says_edition_2_and_its_own_address(published, client, settings):
    settings.SITE_URL = "http://testserver.example"
    # The first edition was signed before the portal asked for the safeguarding check: its
    # signature holds what migration 0024 gave the signatures already recorded.
    first = edition_of(published.report)
    Signature.objects.filter(pk=first.local_signature_id).update(checked_identifiability=False)
    report = republish(published.report, published, body="<p>We met weekly, not monthly.</p>")
    second = edition_of(report, 2)
    assert second.content_hash != edition_of(report, 1).content_hash
    assert second.local_signature.checked_identifiability

    last = pages_of(download(client, second))[-1]
    assert "Edition number 2 Published" in last
    assert f"Stable address {stable_address(second)}" in last
    assert stable_address(edition_of(report, 1)) not in last
    assert f"SHA-256 of the text published {second.content_hash}" in last
    assert f"SHA-256 of the content signed {second.local_signature.content_hash}" in last
    assert "Safeguarding check confirmed Yes" in last

    # The first edition's PDF, at its own address, is still edition 1's record.
    first = edition_of(report, 1)
    first_last = pages_of(download(client, first))[-1]
    assert "Edition number 1 Published" in first_last
    assert f"Stable address {stable_address(first)}" in first_last
    assert "Safeguarding check confirmed Not asked" in first_last


@pytest.mark.pdf
def test_a_drafts_pdf_and_a_compendium_have_no_completion_record(published):
    draft = make_cast("Tor Vale", status=Status.SIGNED_OFF).report
    draft = document.for_pdf(LearningReport.objects.all()).get(pk=draft.pk)
    text = " ".join(pages_of(document.render(document.report_source(draft)).content))
    assert "Signed off, not yet published" in text  # the draft's own PDF, signed but unpublished
    assert "Sign-off" in text
    assert "Completion record" not in text

    reports = list(storage.compendium_reports(slugs=[published.report.slug]))
    source = document.compendium_source(reports, programme_year=None)
    text = " ".join(pages_of(document.render(source).content))
    assert "Harbour Bay" in text
    assert "Completion record" not in text
    # Positive control: the same edition's own PDF has one.
    edition = edition_of(published.report)
    assert "Completion record" in document.edition_source(edition).html


@pytest.mark.pdf
def test_the_page_keeps_the_pdf_accessible_sealed_and_not(published, client, tmp_path, settings):
    content = download(client, edition_of(published.report))
    headings = [
        "Completion record",
        "Signed by the local area",
        "Countersigned by the TCE project lead",
        "This edition",
        "How to check this file",
    ]
    structure = assert_accessible_structure(content, headings=headings)
    # The details, the sign-off block and the completion record's three, with their row headers.
    assert structure.tags.count("/Table") == 5
    assert_outloud_finds_no_error(content, tmp_path)

    settings.PDF_SEAL_KEY, settings.PDF_SEAL_CERT = make_pair(tmp_path / "seal")
    sealed = seal.seal(content)
    assert "/Form" in assert_accessible_structure(sealed, headings=headings).tags
    assert_outloud_finds_no_error(sealed, tmp_path)


def test_a_stored_pdf_is_out_of_date_when_what_its_last_page_says_changes(
    published, settings, tmp_path
):
    """Sealing turned on (the page would say "sealed") or the site's address changing (the stable
    address) changes the fingerprint, so the stored PDF is rendered again."""
    edition = edition_of(published.report)
    before = document.edition_source(edition).fingerprint
    assert document.edition_source(edition_of(published.report)).fingerprint == before

    settings.PDF_SEAL_KEY, settings.PDF_SEAL_CERT = make_pair(tmp_path / "seal")
    sealed = document.edition_source(edition).fingerprint
    assert sealed != before

    settings.SITE_URL = "https://learning.example.org"
    assert document.edition_source(edition).fingerprint not in (before, sealed)
