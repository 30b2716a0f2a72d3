"""`manage.py seed_demo` loads the real register and reports, once, for development only."""

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from accounts.models import Role, User
from partnerships.models import BespokeSupportProject, LocalAuthority
from reports.models import LearningReport, ReportEvent, ReportSection, Signature, Status
from reports.template_sections import SECTION_KEYS
from tests.support.signing_in import sign_in

# The texts the demo reports were made from (copies of the programme's seed texts).
SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
EAST_SUSSEX_SEED = SEEDS / "000_355be5435e6701e6.txt"
TORBAY_SEED = SEEDS / "001_836f24745f3f6e9f.txt"


def normalise(text):
    text = html.unescape(text)
    text = re.sub(r"<sup>\d+</sup>", "", text)  # footnote markers
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # markdown links
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"#+ |\*\*|(?<!\w)\*|\*(?!\w)", " ", text)
    text = text.replace("Tackling Child Exploitation Support Programme", " ")
    return re.sub(r"\s+", " ", text).strip()


class Blocks(HTMLParser):
    """Text of each block element, leaving out inline footnotes (they stand elsewhere in seeds)."""

    BLOCKS = {"p", "li", "h3", "h4"}

    def __init__(self):
        super().__init__()
        self.blocks, self.current, self.in_footnote = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "span" and ("class", "footnote") in attrs:
            self.in_footnote += 1

    def handle_endtag(self, tag):
        if tag == "span" and self.in_footnote:
            self.in_footnote -= 1
        if tag in self.BLOCKS and "".join(self.current).strip():
            self.blocks.append(" ".join("".join(self.current).split()))
            self.current = []

    def handle_data(self, data):
        if not self.in_footnote:
            self.current.append(data)


def block_texts(body):
    parser = Blocks()
    parser.feed(body)
    return parser.blocks


def seed_text_pieces(block):
    """A block can straddle a page break in the seed: compare the pieces around running headers."""
    return [piece for piece in re.split(r"(?<=[a-z,]) (?=[a-z])", block) if len(piece) > 20] or [
        block
    ]


def test_register_is_loaded_in_full(demo):
    bsps = BespokeSupportProject.objects.all()
    assert bsps.count() == 20
    assert bsps.values("region").distinct().count() == 9
    assert sum(bsp.number_of_local_authorities for bsp in bsps) == 65
    covered = LocalAuthority.objects.filter(partnerships__bsps__isnull=False).distinct()
    assert covered.count() == 65
    assert {bsp.bsp_type for bsp in bsps} == {"standard", "complex", "regional"}


def test_staffordshire_focus_stays_unknown(demo):
    bsp = BespokeSupportProject.objects.get(local_area="Staffordshire and Stoke-on-Trent")
    assert bsp.focus_as_stated == ""
    assert not bsp.focus_is_known
    assert bsp.themes.count() == 0
    assert bsp.number_of_local_authorities == 2


def test_greater_london_covers_the_33_london_authorities(demo):
    bsp = BespokeSupportProject.objects.get(local_area="Greater London")
    assert bsp.partnership.local_authorities.count() == 33 == bsp.number_of_local_authorities


@pytest.mark.parametrize(
    ("slug", "seed", "keys"),
    [
        (
            "east-sussex",
            EAST_SUSSEX_SEED,
            [
                "reasons",
                "overall_goal",
                "approaches",
                "key_issues",
                "leading_with_care",
                "bridging_boundaries",
                "holding_complexity",
                "significant_learning",
                "local_reflections",
            ],
        ),
        (
            "torbay",
            TORBAY_SEED,
            [
                "reasons",
                "overall_goal",
                "approaches",
                "key_issues",
                "significant_learning",
                "emerging_evidence",
            ],
        ),
    ],
)
def test_reports_hold_every_section_of_the_seed_text(demo, slug, seed, keys):
    report = LearningReport.objects.get(slug=slug)
    assert [section.key for section in report.shown_sections()] == keys
    seed_text = normalise(seed.read_text(encoding="utf-8"))
    for section in report.shown_sections():
        blocks = block_texts(section.body)
        assert len(blocks) >= 1, section.key
        for block in blocks:
            for piece in seed_text_pieces(normalise(block)):
                assert piece in seed_text, f"{slug}/{section.key}: {piece[:80]!r} not in the seed"


def test_east_sussex_keeps_lists_emphasis_and_footnotes(demo):
    report = LearningReport.objects.get(slug="east-sussex")
    overall_goal = report.sections.get(key="overall_goal").body
    assert "<ol>" in overall_goal and "<strong>Widen the MACE strategic partnership</strong>" in (
        overall_goal
    )
    key_issues = report.sections.get(key="key_issues").body
    assert "<h3>1. Leadership</h3>" in key_issues
    assert (
        '<span class="footnote">The following resources on the TCE microsite focus on hearing the '
        "voices of children and young people through participation "
        '<a href="https://tce.researchinpractice.org.uk/?s=participation"'
    ) in key_issues


def test_east_sussex_is_signed_off_and_shareable(demo):
    report = LearningReport.objects.get(slug="east-sussex")
    assert report.status == Status.PUBLISHED
    assert report.consent_to_publish is True
    local = report.current_signatures[Signature.Kind.LOCAL_AREA]
    lead = report.current_signatures[Signature.Kind.TCE_LEAD]
    assert (local.name, local.role, local.signed_on.isoformat()) == (
        "Vicky Finnemore",
        "MACE Strategic Chair",
        "2021-07-12",
    )
    assert lead.name == "Amy Hurst"
    assert local.content_hash == report.content_hash()
    # Signed on paper in 2021: the portal recorded the signed document, nobody signed in.
    assert {local.method, lead.method} == {Signature.Method.DOCUMENT}


def test_torbay_is_not_yet_signed_off(demo):
    report = LearningReport.objects.get(slug="torbay")
    assert report.status == Status.AWAITING_SIGNOFF
    assert report.consent_to_publish is None
    assert not report.signatures.exists()
    reflections = report.sections.get(key="local_reflections")
    assert not reflections.has_content
    assert report.bsp.partnership.name == "Torbay Safeguarding Partnership (TSCP)"
    assert report.bsp.size == "Unitary"
    assert report.bsp.commenced.isoformat() == "2020-11-01"


def test_one_demo_user_per_role_who_can_sign_in(demo, client):
    expected = {
        "admin@example.org": Role.PROGRAMME_ADMIN,
        "lead@example.org": Role.TCE_LEAD,
        "partner@example.org": Role.DELIVERY_PARTNER,
        "local@example.org": Role.LOCAL_LEAD,
    }
    assert dict(User.objects.values_list("email", "role")) == expected
    assert sign_in(client, "partner@example.org").url == reverse("reports:dashboard")
    partner = User.objects.get(email="partner@example.org")
    assert set(partner.assigned_bsps.values_list("local_area", flat=True)) == {
        "East Sussex",
        "Torbay",
        "Swindon",
    }
    assert User.objects.get(email="local@example.org").partnership.slug == "torbay"
    assert User.objects.get(email="admin@example.org").is_staff


def test_a_draft_report_to_try_authoring_with(demo):
    report = LearningReport.objects.get(slug="swindon")
    assert report.status == Status.DRAFT
    assert report.sections.count() == len(SECTION_KEYS)
    assert not any(section.has_content for section in report.sections.all())


def snapshot():
    return {
        "bsps": list(BespokeSupportProject.objects.order_by("pk").values()),
        "sections": list(ReportSection.objects.order_by("pk").values()),
        "reports": list(LearningReport.objects.order_by("pk").values()),
        "signatures": list(Signature.objects.order_by("pk").values()),
        "events": list(ReportEvent.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),
        "history": ReportSection.history.count(),
    }


@override_settings(DEBUG=True)
def test_seed_demo_twice_changes_nothing(db, capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    out = capsys.readouterr().out
    assert "partner@example.org" in out and "password: demo" in out


@override_settings(DEBUG=True)
def test_seed_demo_takes_a_password(db):
    call_command("seed_demo", password="another-password")
    assert User.objects.get(email="lead@example.org").check_password("another-password")


@override_settings(DEBUG=False)
def test_seed_demo_refuses_without_debug_unless_forced(db):
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not BespokeSupportProject.objects.exists()
    call_command("seed_demo", force=True)
    assert BespokeSupportProject.objects.count() == 20
