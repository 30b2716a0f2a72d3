"""Making a draft from an accepted proposal: the last step of an import.

Everything goes through the authoring services, as typed text does: ``create_report`` starts
the report, ``update_bsp_details`` saves the details table (with its history and version) and
``save_section`` each section (a new version in its history, the old text kept). The import is
recorded in the audit log, and the original file is kept in the private storage with the
sign-off block as the document has it (never as a signature).
"""

import dataclasses
import datetime
import hashlib
import uuid
from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction

from partnerships.models import Methodology

from .. import access, richtext, workflow
from ..authoring.services import create_report, save_section, update_bsp_details
from ..models import (
    ImportedFile,
    LearningReport,
    ReportSection,
    SectionStatus,
    Status,
    Transition,
    private_storage,
)
from ..template_sections import SECTIONS_BY_KEY
from .document import ImportRefused
from .proposal import Proposal
from .register import PARTNERSHIP


def import_draft(
    proposal: Proposal,
    *,
    actor,
    bsp=None,
    report: LearningReport | None = None,
    original_name: str,
    original: bytes,
) -> LearningReport:
    """Make ``proposal`` the draft of ``bsp`` (a new report) or of ``report`` (a draft: its
    sections and details are replaced, their earlier versions kept in the history). All or
    nothing: a refusal or an error leaves the database and the private storage as they were."""
    if not access.can_import(actor):
        raise PermissionDenied("Only programme admins and TCE project leads import reports.")
    if (bsp is None) == (report is None):
        raise ValueError("Import into a new report for a BSP, or into an existing draft.")
    stored = private_storage().save(_stored_name(original_name), ContentFile(original))
    try:
        return _import(
            proposal,
            actor=actor,
            bsp=bsp,
            report=report,
            original_name=original_name,
            original=original,
            stored=stored,
        )
    except BaseException:
        private_storage().delete(stored)
        raise


def _stored_name(original_name: str) -> str:
    """A name of our own in the storage: the uploader's name is kept only as data."""
    suffix = PurePath(original_name).suffix.lower()
    if not (suffix[1:].isalnum() and len(suffix) <= 6):
        suffix = ""
    return f"imports/{uuid.uuid4().hex}{suffix}"


@transaction.atomic
def _import(proposal, *, actor, bsp, report, original_name, original, stored) -> LearningReport:
    if report is None:
        report = create_report(bsp=bsp, actor=actor)
    report = LearningReport.objects.select_for_update().select_related("bsp").get(pk=report.pk)
    if report.status != Status.DRAFT:
        raise ImportRefused(
            f"“{report.title}” is {report.status_phrase}: only a draft can be imported into."
        )
    if not access.can_edit_content(actor, report):
        raise PermissionDenied("You cannot change this report.")
    reason = f"imported from {original_name}"
    warnings = list(proposal.warnings) + _save_details(report, proposal, actor=actor)
    for key, body in proposal.sections.items():
        _save_section(report, key, body, actor=actor, reason=reason)
    imported = ImportedFile.objects.create(
        report=report,
        original_name=original_name,
        file=stored,
        sha256=hashlib.sha256(original).hexdigest(),
        imported_by=actor,
        warnings=warnings,
        details=[dataclasses.asdict(field) for field in proposal.details],
        signoff=dataclasses.asdict(proposal.signoff) if proposal.signoff else None,
    )
    workflow.record(
        report=report, name=Transition.IMPORT, actor=actor, comment=_summary(imported, proposal)
    )
    return report


def _save_section(report, key: str, body: str, *, actor, reason: str) -> None:
    section = ReportSection.objects.filter(report=report, key=key).first()
    version = section.version if section else 0
    if not SECTIONS_BY_KEY[key].written_by_local_area:
        save_section(
            report=report,
            key=key,
            actor=actor,
            body=body,
            based_on_version=version,
            completed=False,
            change_reason=reason,
        )
        return
    # The local area's reflections, as it wrote them in the document. ``save_section`` keeps
    # them for the local area, which writes them at sign-off in the portal; an import keeps the
    # words it already wrote (a new version: the local area can still change them).
    section = section or ReportSection(report=report, key=key, version=0)
    section.body = richtext.sanitise(body)
    section.status = SectionStatus.IN_PROGRESS
    section.version = version + 1
    section.updated_by = actor
    section._history_user = actor
    section._change_reason = reason
    section.save()


def _save_details(report, proposal: Proposal, *, actor) -> list[str]:
    """Save the details table's wording (and what it clearly names, where the BSP has nothing
    yet) through the details page's service. Returns warnings."""
    bsp = report.bsp
    details, warnings = {}, []
    for field in proposal.details:
        if field.key == PARTNERSHIP:
            if field.value.casefold() != bsp.partnership.name.casefold():
                warnings.append(
                    f"The document names the partnership “{field.value}”; the BSP's is "
                    f"“{bsp.partnership.name}” (the register's, unchanged)."
                )
            continue
        details[field.key] = field.value
        details.update(_register_values(bsp, field))
    if details:
        update_bsp_details(
            report=report, actor=actor, details=details, based_on_version=report.details_version
        )
    return warnings


def _register_values(bsp, field) -> dict:
    """The BSP's own fields that ``field`` fills, where it matched and the BSP has none."""
    if field.matched is None:
        return {}
    if field.key == "agencies_as_stated":
        agencies = "; ".join(agency.name for agency in bsp.partnership.agencies_in_order())
        # The partnership's own list, word for word: the table shows it without a wording.
        return {"agencies_as_stated": ""} if field.matched == agencies else {}
    if field.key == "methodology_as_stated" and not bsp.methodologies.exists():
        names = field.matched.split("; ")
        return {"methodologies": list(Methodology.objects.filter(name__in=names))}
    if field.key == "delivery_mode_as_stated" and not bsp.delivery_mode:
        return {"delivery_mode": field.matched}
    if field.key == "commenced_as_stated" and bsp.commenced is None:
        year, month = field.matched.split("-")
        return {"commenced": datetime.date(int(year), int(month), 1)}
    return {}


def _summary(imported: ImportedFile, proposal: Proposal) -> str:
    sections = len(proposal.sections)
    parts = [
        f"Imported from “{imported.original_name}” (SHA-256 {imported.sha256[:12]}…): "
        f"{sections} section{'s' if sections != 1 else ''}",
        f"{len(proposal.details)} fields of the details table",
    ]
    if proposal.signoff:
        parts.append("its sign-off block (recorded as imported, not as signatures)")
    warnings = len(imported.warnings)
    parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts) + "."
