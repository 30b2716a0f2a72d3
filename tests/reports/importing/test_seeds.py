"""Done when: importing the two seed documents (tests/fixtures/seeds/) yields the same details,
sign-off and section texts as the demo data (reports/demo_content/), with no section or
paragraph lost."""

import datetime
import json
import re
from pathlib import Path

import pytest

from reports.demo import DEMO_CONTENT
from reports.importing.mapping import propose
from reports.importing.text import read_text
from reports.richtext import sanitise, to_text
from reports.template_sections import JOINING_THE_DOTS_INTRO, KEY_ISSUES_SUBHEADING
from tests.reports.test_seed_fidelity import normalise, unmatched

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
DEMO = DEMO_CONTENT  # the demo data's sections, in the project (reports/demo_content/)
REPORTS = [
    pytest.param("east-sussex", "000_355be5435e6701e6.txt", id="east-sussex"),
    pytest.param("torbay", "001_836f24745f3f6e9f.txt", id="torbay"),
]


def normalised(html: str) -> str:
    """HTML with white space as one space, and none between tags."""
    return re.sub(r">\s+<", "><", " ".join(html.split()))


def proposal_of(seed: str):
    return propose(read_text((SEEDS / seed).read_bytes()))


def demo_sections(folder: str) -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in (DEMO / folder).glob("*.html")}


@pytest.mark.parametrize(("folder", "seed"), REPORTS)
def test_every_section_is_the_demo_text(db, folder, seed):
    proposal = proposal_of(seed)
    expected = demo_sections(folder)
    assert sorted(proposal.sections) == sorted(expected)
    for key, html in expected.items():
        assert normalised(proposal.sections[key]) == normalised(sanitise(html)), key


# The details.json of each demo report names its rows by these keys; the import by the details
# form's fields.
DEMO_DETAIL_KEYS = {
    "partnership_name": "partnership",
    "agencies_as_stated": "agencies_as_stated",
    "local_authority_areas_as_stated": "local_authorities_as_stated",
    "regional_area_as_stated": "regional_area_as_stated",
    "size_as_stated": "size",
    "methodology_as_stated": "methodology_as_stated",
    "delivery_as_stated": "delivery_mode_as_stated",
    "commenced_as_stated": "commenced_as_stated",
}


def demo_details(folder: str) -> dict:
    return json.loads((DEMO / folder / "details.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("folder", "seed"), REPORTS)
def test_the_details_table_is_the_demo_s_word_for_word(demo, folder, seed):
    details = demo_details(folder)
    found = {field.key: field for field in proposal_of(seed).details}
    assert len(found) == 8
    for demo_key, key in DEMO_DETAIL_KEYS.items():
        if demo_key in details:
            assert found[key].value == details[demo_key], key
    if "agencies_as_stated" not in details:
        # East Sussex's table lists the partnership's agencies: the register's, in its order.
        agencies = found["agencies_as_stated"]
        assert agencies.value == " ".join(details["core_partner_agencies"])
        assert agencies.matched == "; ".join(details["core_partner_agencies"])


def test_what_the_register_holds_is_matched_and_the_rest_needs_confirming(demo):
    east_sussex = {field.key: field for field in proposal_of(REPORTS[0].values[1]).details}
    assert {key: field.matched for key, field in east_sussex.items()} == {
        "partnership": "East Sussex",
        "agencies_as_stated": (
            "East Sussex County Council; Sussex Police; British Transport Police (BTP); "
            "Youth Justice Board (YJB)"
        ),
        "local_authorities_as_stated": "East Sussex",
        "regional_area_as_stated": "south-east",  # Sussex Police polices the South East
        "size": "standard",
        "methodology_as_stated": "Bespoke; Data",
        "delivery_mode_as_stated": "digital",
        "commenced_as_stated": "2020-08",
    }
    assert not any(field.needs_confirming for field in east_sussex.values())
    torbay = {field.key: field for field in proposal_of(REPORTS[1].values[1]).details}
    assert torbay["regional_area_as_stated"].matched == "south-west"
    assert torbay["methodology_as_stated"].matched == "Cultural change"
    unsure = {key for key, field in torbay.items() if field.needs_confirming}
    # "TSCP core group (...)", "Single authority" and "Unitary" name nothing in the register.
    assert unsure == {"agencies_as_stated", "local_authorities_as_stated", "size"}
    assert all(field.matched is None for key, field in torbay.items() if key in unsure)


@pytest.mark.parametrize(("folder", "seed"), REPORTS)
def test_the_sign_off_block_is_the_demo_s(demo, folder, seed):
    expected = demo_details(folder)["signoff"]
    signoff = proposal_of(seed).signoff
    assert signoff is not None
    found = {
        "date": signoff.date,
        "local_area_signatory": signoff.local_area_signatory,
        "local_area_role": signoff.local_area_role,
        "tce_project_lead": signoff.tce_project_lead,
    }
    assert found == {key: value for key, value in expected.items() if key in found}
    # The seeds are text taken out of Word: the consent tick box did not survive, so the import
    # does not guess the answer (the demo's East Sussex records "yes" from the published report).
    assert signoff.consent_to_share is None


# The template's own words that the import leaves out of the sections (they are the form's, not
# the authors'): put back to read the import as the seed's paragraphs.
TEMPLATE_TEXT = {"key_issues": KEY_ISSUES_SUBHEADING, "joining_the_dots": JOINING_THE_DOTS_INTRO}
FOOTNOTE = re.compile(r'<span class="footnote">(.*?)</span>', re.DOTALL)
CONSENT_QUESTION = (
    "Please tick this box if there is an agreement for the Project Learning Report to be shared "
    "via the TCE Support Programme's microsite for other local areas"
)


def imported_text(proposal) -> str:
    """The proposal read in the document's order, with the template's words put back."""
    parts = ["Project Learning Report", "Details of Bespoke Support Project (BSP)"]
    parts += [field.value for field in proposal.details]
    notes = []
    for key, heading in proposal.headings.items():
        # A footnote is read at the end, as the report's page lists them; its call is a number.
        html = FOOTNOTE.sub(
            lambda note: notes.append(note[1]) or "1", proposal.sections.get(key, "")
        )
        parts += [heading, TEMPLATE_TEXT.get(key, ""), to_text(html)]
    signoff = proposal.signoff
    signed_on = (
        datetime.datetime.strptime(signoff.date, "%d/%m/%Y").date() if signoff.date else None
    )
    parts += [
        CONSENT_QUESTION,
        "Date",
        f"{signed_on.day} {signed_on:%B %Y}" if signed_on else "",
        "Signed by local area",
        f"{signoff.local_area_signatory} {signoff.local_area_role}",
        "Signed by TCE Project Lead",
        signoff.tce_project_lead,
        *(to_text(note) for note in notes),
    ]
    return normalise(" ".join(parts))


@pytest.mark.parametrize(("folder", "seed"), REPORTS)
def test_no_paragraph_of_the_seed_is_lost(db, folder, seed):
    """Every paragraph of the seed, as tests/reports/test_seed_fidelity.py reads them (footnotes
    included), is in the proposal, in the seed's order."""
    assert unmatched(seed, imported_text(proposal_of(seed))) == []
