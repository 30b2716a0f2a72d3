"""The safeguarding check of a whole report: open and dismissed findings part by part, and
dismissing one with a reason (who may, the reason, a second press, the audit log)."""

import pytest
from django.core.exceptions import ValidationError

from reports.authoring import services as authoring_services
from reports.models import FindingDismissal, ReportEvent, ReportSection, Status, Transition
from reports.safeguarding import findings
from reports.signoff import services as signoff_services
from reports.workflow import TransitionNotAllowed
from tests.factories import make_cast, walk_to

pytestmark = pytest.mark.django_db

NAMED = "<p>We worked with Jack Smith, aged 14, and his family.</p>"


@pytest.fixture
def cast():
    return make_cast("Harbour Bay", sections={"reasons": NAMED})


def save(cast, key, body):
    section = ReportSection.objects.get(report=cast.report, key=key)
    authoring_services.save_section(
        report=cast.report,
        key=key,
        actor=cast.partner,
        body=body,
        based_on_version=section.version,
        completed=True,
    )


def fresh(cast):
    return type(cast.report).objects.get(pk=cast.report.pk)


def dismiss(cast, actor=None, text="Jack Smith", kind="name", reason="A made-up name.", **kw):
    return findings.dismiss(
        report=cast.report,
        actor=actor or cast.partner,
        part=kw.get("part", "reasons"),
        kind=kind,
        text=text,
        reason=reason,
    )


def test_each_finding_is_open_with_its_sentence_until_dismissed(cast):
    (part,) = [p for p in findings.check_report(fresh(cast)) if p.part == "reasons"]
    assert [(f.kind, f.text) for f in part.open] == [("name", "Jack Smith"), ("age", "aged 14")]
    jack = part.open[0]
    assert (jack.before, jack.after) == ("We worked with ", ", aged 14, and his family.")
    assert jack.why.startswith("A person's name")
    assert part.dismissed == []

    dismiss(cast)

    (part,) = [p for p in findings.check_report(fresh(cast)) if p.part == "reasons"]
    assert [f.text for f in part.open] == ["aged 14"]
    (dismissed,) = part.dismissed
    assert dismissed.text == "Jack Smith"
    assert dismissed.dismissal.reason == "A made-up name."
    assert dismissed.dismissal.dismissed_by == cast.partner


def test_a_dismissal_is_recorded_in_the_audit_log_with_the_passage_and_the_reason(cast):
    dismiss(cast, reason="  The name of the project's mascot.  ")
    dismissal = FindingDismissal.objects.get()
    assert (dismissal.part, dismissal.kind, dismissal.text, dismissal.reason) == (
        "reasons",
        "name",
        "Jack Smith",
        "The name of the project's mascot.",
    )
    event = ReportEvent.objects.get(report=cast.report, transition=Transition.DISMISS_FINDING)
    assert event.actor == cast.partner
    assert event.from_status == event.to_status == Status.DRAFT
    assert "“Jack Smith”" in event.comment
    assert "Why: The name of the project's mascot." in event.comment
    assert fresh(cast).status == Status.DRAFT


def test_a_reason_is_required(cast):
    with pytest.raises(ValidationError, match="Say why"):
        dismiss(cast, reason="   ")
    assert not FindingDismissal.objects.exists()
    assert not ReportEvent.objects.filter(transition=Transition.DISMISS_FINDING).exists()


@pytest.mark.parametrize("role", ["partner", "tce_lead", "admin"])
def test_the_authors_dismiss_while_they_can_change_the_report(cast, role):
    dismiss(cast, actor=cast.by_role(role))
    assert FindingDismissal.objects.count() == 1


@pytest.mark.parametrize("role", ["local_lead", "other_partner", "other_tce_lead"])
def test_nobody_else_dismisses(cast, role):
    with pytest.raises(TransitionNotAllowed):
        dismiss(cast, actor=cast.by_role(role))
    assert not FindingDismissal.objects.exists()


def test_nobody_dismisses_once_the_report_has_gone_for_sign_off(cast):
    walk_to(cast.report, cast, Status.AWAITING_SIGNOFF)
    with pytest.raises(TransitionNotAllowed):
        dismiss(cast)
    assert not FindingDismissal.objects.exists()


def test_a_second_dismissal_of_the_same_finding_says_it_is_done_already(cast):
    dismiss(cast)
    with pytest.raises(findings.AlreadyDismissed, match="already been dismissed"):
        dismiss(cast, reason="Another reason.")
    assert FindingDismissal.objects.get().reason == "A made-up name."
    assert ReportEvent.objects.filter(transition=Transition.DISMISS_FINDING).count() == 1


def test_only_a_passage_the_check_finds_can_be_dismissed(cast):
    with pytest.raises(ValidationError, match="no longer in"):
        dismiss(cast, text="Mary Jones")
    with pytest.raises(ValidationError, match="no longer in"):
        dismiss(cast, text="Jack Smith", part="key_issues")
    with pytest.raises(ValidationError, match="a part of the report"):
        dismiss(cast, part="nowhere")
    assert not FindingDismissal.objects.exists()


def test_editing_a_passage_away_resolves_its_finding(cast):
    save(cast, "reasons", "<p>We worked with a young person and their family.</p>")
    assert findings.check_part(fresh(cast), "reasons").found == []


def test_a_dismissal_holds_for_its_passage_only(cast):
    dismiss(cast)
    save(cast, "reasons", "<p>We worked with Jack Smith and with Mary Jones.</p>")
    part = findings.check_part(fresh(cast), "reasons")
    assert [f.text for f in part.dismissed] == ["Jack Smith"]
    assert [f.text for f in part.open] == ["Mary Jones"]


def test_the_details_table_is_checked_value_by_value(cast):
    bsp = cast.report.bsp
    bsp.methodology_as_stated = "Mentoring by Mrs Jones"
    bsp.save()
    (details,) = [p for p in findings.check_report(fresh(cast)) if p.part == findings.DETAILS]
    (found,) = details.found
    assert (found.text, found.where) == ("Mrs Jones", "BSP methodology / methodologies")
    assert details.heading == "Details of Bespoke Support Project (BSP)"

    findings.dismiss(
        report=cast.report,
        actor=cast.partner,
        part="details",
        kind="name",
        text="Mrs Jones",
        reason="The methodology is named after her.",
    )
    (details,) = [p for p in findings.check_report(fresh(cast)) if p.part == findings.DETAILS]
    assert details.open == [] and len(details.dismissed) == 1


def test_the_local_areas_reflections_are_checked(cast):
    walk_to(cast.report, cast, Status.AWAITING_SIGNOFF)
    signoff_services.write_local_reflections(
        report=cast.report,
        actor=cast.local_lead,
        body="<p>A 15-year-old from Elm Road told us it helped.</p>",
        based_on_version=ReportSection.objects.get(
            report=cast.report, key="local_reflections"
        ).version,
    )
    (part,) = [p for p in findings.check_report(fresh(cast)) if p.part == "local_reflections"]
    assert part.heading == "Immediate reflections from the local area"
    assert {f.kind for f in part.open} == {"age", "street"}


def test_an_addendums_text_is_checked():
    check = findings.check_text("<p>Six months on, Jayden, 15, lives on the Moor Estate.</p>")
    assert {f.kind for f in check.found} >= {"age", "street"}
