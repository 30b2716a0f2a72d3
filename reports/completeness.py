"""Is a report ready for sign-off? The one list of what must be filled in, with plain messages."""

from dataclasses import dataclass

from .template_sections import SECTIONS


@dataclass(frozen=True)
class Problem:
    field: str  # a section key, or "bsp.<field>" for the details table
    message: str


def problems(report) -> list[Problem]:
    """What stops ``report`` from going to the local area for sign-off, in page order."""
    found = []
    bsp = report.bsp
    if not bsp.delivery_mode:
        found.append(Problem("bsp.delivery_mode", "Select how the BSP was delivered"))
    if not bsp.commenced:
        found.append(Problem("bsp.commenced", "Enter the month the BSP commenced"))
    if not bsp.methodology_as_stated and not bsp.methodologies.exists():
        found.append(Problem("bsp.methodologies", "Select the BSP's methodology or methodologies"))
    sections = {section.key: section for section in report.sections.all()}
    for spec in SECTIONS:
        if not spec.required or spec.written_by_local_area:
            continue
        section = sections.get(spec.key)
        if section is None or not section.has_content:
            found.append(Problem(spec.key, f"Write the section “{spec.heading}”"))
    return found


def is_complete(report) -> bool:
    return not problems(report)
