"""The Project Learning Report template, defined once.

Headings are worded as in the published reports. Every report, page, PDF, form and export reads the
sections from here; a report stores one ReportSection per key it has.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SectionSpec:
    key: str
    heading: str
    guidance: str
    required: bool
    group: str = ""  # the block a section sits in, e.g. "Joining the dots"
    written_by_local_area: bool = False
    # The authors' own opening of its group: shown at the start of the group, under the group's
    # heading and the programme's description of it, without a heading of its own.
    opens_group: bool = False


JOINING_THE_DOTS = "Joining the dots"
JOINING_THE_DOTS_INTRO = (
    "Describes the thematic approach taken by the TCE Support Programme to respond to system "
    "challenges. These three themes are intended to prompt new and innovative thinking and "
    "constructively challenge the status quo by encouraging the sector to make new links and "
    "approach strategic decisions from new angles and perspectives."
)
KEY_ISSUES_SUBHEADING = "for a local area and those delivering the BSP"

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "reasons",
        "Reasons why the local area requested the TCE Support Programme",
        "What the partnership asked for when it applied, and why then. Say if the ask changed "
        "during scoping.",
        required=True,
    ),
    SectionSpec(
        "overall_goal",
        "Overall goal of BSP",
        "The change goal agreed with the local area, how it was scoped and what it aimed to "
        "achieve for the partnership.",
        required=True,
    ),
    SectionSpec(
        "approaches",
        "Approaches / methods taken to achieve project goal and deliver the BSP",
        "The approaches and methods used (workshops, single-agency conversations, reflective "
        "sessions...) and why they were chosen.",
        required=True,
    ),
    SectionSpec(
        "key_issues",
        "Key issues that arose during the delivery of the BSP",
        "Key issues for the local area and for those delivering the BSP: what enabled or "
        "constrained progress.",
        required=True,
    ),
    SectionSpec(
        "joining_the_dots",
        "Joining the dots: introduction",
        "Shown without a heading of its own at the start of “Joining the dots”, after the "
        "programme's description of the three themes: for example, which of them the BSP "
        "reflected on.",
        required=False,
        group=JOINING_THE_DOTS,
        opens_group=True,
    ),
    SectionSpec(
        "leading_with_care",
        "Leading with care",
        "Key reflections on leading with care within the BSP.",
        required=False,
        group=JOINING_THE_DOTS,
    ),
    SectionSpec(
        "bridging_boundaries",
        "Bridging boundaries",
        "Key reflections on bridging boundaries within the BSP.",
        required=False,
        group=JOINING_THE_DOTS,
    ),
    SectionSpec(
        "holding_complexity",
        "Holding complexity, uncertainty and curiosity",
        "Key reflections on holding complexity, uncertainty and curiosity within the BSP.",
        required=False,
        group=JOINING_THE_DOTS,
    ),
    SectionSpec(
        "significant_learning",
        "Significant learning and transferability from the BSP for other areas",
        "What other areas can learn from this project, and what would transfer to their context.",
        required=True,
    ),
    SectionSpec(
        "emerging_evidence",
        "Emerging evidence of how the project has positively disrupted the system response to "
        "child exploitation and extra-familial harm",
        "Early signs of change in the local system: plans, decisions, new ways of working.",
        required=False,
    ),
    SectionSpec(
        "local_reflections",
        "Immediate reflections from the local area",
        "Written by the local area at sign-off: its own reflections on the project.",
        required=False,
        written_by_local_area=True,
    ),
)

SECTIONS_BY_KEY = {spec.key: spec for spec in SECTIONS}
SECTION_KEYS = tuple(SECTIONS_BY_KEY)
SECTION_CHOICES = [(spec.key, spec.heading) for spec in SECTIONS]


def section_position(key: str) -> int:
    return SECTION_KEYS.index(key)
