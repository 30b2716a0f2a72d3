"""Is a report ready for sign-off? The one list of what must be filled in, with plain messages."""

from dataclasses import dataclass

from .models import SectionStatus
from .template_sections import SECTIONS


@dataclass(frozen=True)
class Problem:
    field: str  # a section key, or "bsp.<field>" for the details table
    message: str
    # Only a programme admin can fix it (in the admin), not the report's authors.
    for_admin: bool = False


AGENCIES = "bsp.partnership.core_partner_agencies"


def problems(report) -> list[Problem]:
    """What stops ``report`` from going to the local area for sign-off, in the order the report
    shows them: the details table, then the sections."""
    found = []
    bsp = report.bsp
    if not bsp.agencies_as_stated and not bsp.partnership.core_partner_agencies.exists():
        found.append(
            Problem(
                AGENCIES,
                f"The core partner agencies of {bsp.partnership.name} are not recorded: a "
                "programme admin adds them to the partnership in the admin",
                for_admin=True,
            )
        )
    if not bsp.methodology_as_stated and not bsp.methodologies.exists():
        found.append(Problem("bsp.methodologies", "Select the BSP's methodology or methodologies"))
    if not bsp.delivery_mode:
        found.append(Problem("bsp.delivery_mode", "Select how the BSP was delivered"))
    if not bsp.commenced:
        found.append(Problem("bsp.commenced", "Enter the month the BSP commenced"))
    sections = {section.key: section for section in report.sections.all()}
    for spec in SECTIONS:
        if not spec.required or spec.written_by_local_area:
            continue
        section = sections.get(spec.key)
        if section is None or not section.has_content:
            found.append(Problem(spec.key, f"Write the section “{spec.heading}”"))
        elif section.status != SectionStatus.COMPLETED:
            found.append(
                Problem(
                    spec.key,
                    f"Finish the section “{spec.heading}” and mark it as complete (it is still "
                    "in progress)",
                )
            )
    return found


def is_complete(report) -> bool:
    return not problems(report)
