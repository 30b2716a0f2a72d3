"""An accepted proposal becomes a draft: through the authoring services, in the audit log, with
the original kept privately and the sign-off block never made a signature."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from accounts.models import Role
from partnerships.models import BespokeSupportProject, DeliveryMode
from reports import access
from reports.authoring.services import save_section
from reports.importing.document import ImportRefused
from reports.importing.mapping import propose
from reports.importing.services import import_draft
from reports.importing.text import read_text
from reports.models import (
    ImportedFile,
    LearningReport,
    ReportEvent,
    Signature,
    Status,
    Transition,
    private_storage,
)
from reports.template_sections import SECTIONS_BY_KEY
from tests.factories import UserFactory, demo_people

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / "000_355be5435e6701e6.txt"


def stored_imports() -> list[str]:
    storage = private_storage()
    return sorted(storage.listdir("imports")[1]) if storage.exists("imports") else []


@pytest.fixture
def seed():
    return SEED.read_bytes()


@pytest.fixture
def bsp(demo):
    """A BSP of the register that has no report yet (Swindon's draft is the demo's)."""
    return BespokeSupportProject.objects.filter(learning_report__isnull=True).first()


def test_importing_makes_a_draft_with_every_section_an_audit_entry_and_the_original(bsp, seed):
    admin = demo_people()["admin"]
    proposal = propose(read_text(seed))
    report = import_draft(
        proposal, actor=admin, bsp=bsp, original_name="East Sussex.txt", original=seed
    )
    assert report.status == Status.DRAFT
    sections = report.sections_by_key
    for key, html in proposal.sections.items():
        assert sections[key].body == html
        assert sections[key].history.first().history_change_reason == (
            "imported from East Sussex.txt"
        )
    assert sections["reasons"].version == 2  # the empty section create_report made, then this
    bsp.refresh_from_db()
    assert bsp.regional_area_as_stated == "Sussex Police"
    assert bsp.size == "Standard"
    assert bsp.delivery_mode == DeliveryMode.DIGITAL
    assert bsp.commenced.isoformat() == "2020-08-01"
    event = report.events.get(transition=Transition.IMPORT)
    assert (event.actor, event.from_status, event.to_status) == (admin, "draft", "draft")
    assert "East Sussex.txt" in event.comment
    assert event.content_hash == report.content_hash()
    imported = ImportedFile.objects.get(report=report)
    assert imported.file.storage is private_storage()
    with imported.file.open("rb") as stored:
        assert stored.read() == seed
    assert imported.signoff["local_area_signatory"] == "Vicky Finnemore"
    assert imported.warnings == [
        *proposal.warnings,
        f"The document names the partnership “East Sussex”; the BSP's is "
        f"“{bsp.partnership.name}” (the register's, unchanged).",
    ]
    assert not Signature.objects.filter(report=report).exists()


def test_importing_into_a_draft_keeps_its_earlier_text_in_the_history(demo, seed):
    swindon = LearningReport.objects.get(slug="swindon")
    partner = demo_people()["partner"]
    save_section(
        report=swindon, key="reasons", actor=partner, body="<p>Ours.</p>", based_on_version=1
    )
    import_draft(
        propose(read_text(seed)),
        actor=demo_people()["tce_lead"],
        report=swindon,
        original_name="report.txt",
        original=seed,
    )
    reasons = swindon.sections.get(key="reasons")
    assert reasons.body.startswith("<p>East Sussex's original ask")
    assert "<p>Ours.</p>" in [row.body for row in reasons.history.all()]


def test_only_a_draft_is_imported_into(demo, seed):
    torbay = LearningReport.objects.get(slug="torbay")  # awaiting sign-off
    before = stored_imports()
    with pytest.raises(ImportRefused, match="only a draft can be imported into"):
        import_draft(
            propose(read_text(seed)),
            actor=demo_people()["admin"],
            report=torbay,
            original_name="x.txt",
            original=seed,
        )
    assert not ImportedFile.objects.exists()
    assert stored_imports() == before  # the original stored for the import is gone again
    assert not torbay.events.filter(transition=Transition.IMPORT).exists()


@pytest.mark.parametrize("role", ["partner", "local_lead"])
def test_delivery_partners_and_local_leads_cannot_import(demo, seed, role):
    person = demo_people()[role]
    assert not access.can_import(person)
    swindon = LearningReport.objects.get(slug="swindon")
    before = stored_imports()
    with pytest.raises(PermissionDenied):
        import_draft(
            propose(read_text(seed)),
            actor=person,
            report=swindon,
            original_name="x.txt",
            original=seed,
        )
    assert not ImportedFile.objects.exists()
    assert stored_imports() == before


def test_programme_admins_and_tce_leads_can_import(db):
    assert access.can_import(UserFactory(role=Role.PROGRAMME_ADMIN))
    assert access.can_import(UserFactory(role=Role.TCE_LEAD))
    assert not access.can_import(UserFactory(role=Role.TCE_LEAD, is_active=False))


def test_the_command_s_dry_run_prints_the_mapping_and_writes_nothing(demo):
    out = io.StringIO()
    call_command("import_report", str(SEED), "--dry-run", stdout=out)
    printed = out.getvalue()
    assert (
        "Regional Area -> regional_area_as_stated: Sussex Police (matched: south-east)" in printed
    )
    heading = SECTIONS_BY_KEY["key_issues"].heading
    assert f"{heading} (from “Key issues that arose during the delivery of the BSP:”)" in printed
    assert "words: This project has underlined both the primacy" in printed
    assert "Warning: “1. Leadership” is not a heading of the template" in printed
    assert not ImportedFile.objects.exists()
    assert not ReportEvent.objects.filter(transition=Transition.IMPORT).exists()


def test_the_command_imports_into_a_bsp_s_new_draft(bsp):
    call_command(
        "import_report",
        str(SEED),
        "--bsp",
        str(bsp.pk),
        "--as",
        "admin@example.org",
        stdout=io.StringIO(),
    )
    report = LearningReport.objects.get(bsp=bsp)
    assert report.events.filter(transition=Transition.IMPORT).count() == 1
    assert report.imported_files.get().original_name == SEED.name


def test_the_command_refuses_a_file_with_no_heading_of_the_template(db, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Milk and bread.\n\nEggs, butter and a newspaper.\n")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 file"):
        call_command("import_report", str(notes), "--dry-run", stdout=io.StringIO(), stderr=errors)
    assert "No heading of the Project Learning Report template was found" in errors.getvalue()
