"""What an import proposes: the details table, each section's text, the sign-off block and
warnings. A person checks and corrects it before a draft is made from it."""

from dataclasses import dataclass, field


@dataclass
class DetailField:
    key: str  # a field of the BSP details form (reports/authoring/forms.py), e.g. "size"
    label: str  # the label as the document words it ("BSP Project Size")
    value: str  # the value as the document words it, kept as it is
    # What it was matched to in the register, when it clearly fits (a region's slug for
    # "Sussex Police", a local authority's name...); None when the author must confirm it.
    matched: str | None = None
    needs_confirming: bool = False


@dataclass
class ImportedSignoff:
    """The sign-off block as the document has it: recorded as imported from a document, never
    as a signature made in the portal."""

    consent_to_share: bool | None = None
    date: str = ""  # as written ("12/07/2021")
    local_area_signatory: str = ""
    local_area_role: str = ""
    tce_project_lead: str = ""


@dataclass
class Proposal:
    details: list[DetailField] = field(default_factory=list)
    # Section key (reports.template_sections) -> sanitised HTML; a section the document does not
    # have is absent.
    sections: dict[str, str] = field(default_factory=dict)
    signoff: ImportedSignoff | None = None
    warnings: list[str] = field(default_factory=list)
    # The heading each section's text came from, as the document words it (for the mapping page).
    headings: dict[str, str] = field(default_factory=dict)
