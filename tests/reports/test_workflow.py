"""The transition table: who may move a report from which state, and the audit log it leaves.

Every transition, for every role, from every state, is allowed exactly where the programme says.
The expectations are written out here by hand (not read from `workflow.TRANSITIONS`), so a change
to who may do what fails until someone decides it on purpose.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from reports import workflow
from reports.authoring import services as authoring_services
from reports.models import Edition, LearningReport, ReportEvent, Signature, Status
from tests.factories import ROLES, make_cast, walk_to


@pytest.fixture
def cast(db):
    """Here the report is written: ready to send for the local area's sign-off."""
    return make_cast()


@pytest.fixture
def report(cast):
    return cast.report


def test_an_assigned_partner_submits_a_complete_draft(report, cast):
    event = authoring_services.submit_for_signoff(report=report, actor=cast.partner)
    report.refresh_from_db()
    assert report.status == Status.AWAITING_SIGNOFF
    assert (event.actor, event.from_status, event.to_status) == (
        cast.partner,
        Status.DRAFT,
        Status.AWAITING_SIGNOFF,
    )
    assert event.content_hash == report.content_hash()


def test_an_incomplete_report_cannot_be_submitted(report, cast):
    report.sections.filter(key="overall_goal").update(body="")
    report.bsp.delivery_mode = ""
    report.bsp.save()
    with pytest.raises(authoring_services.ReportIncomplete) as error:
        authoring_services.submit_for_signoff(report=report, actor=cast.partner)
    assert [p.field for p in error.value.problems] == ["bsp.delivery_mode", "overall_goal"]
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert not ReportEvent.objects.exists()


def test_a_partner_not_assigned_cannot_submit(report, cast):
    with pytest.raises(workflow.TransitionNotAllowed):
        authoring_services.submit_for_signoff(report=report, actor=cast.other_partner)
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_a_transition_from_the_wrong_state_is_refused(report, cast):
    with pytest.raises(workflow.TransitionNotAllowed, match="cannot be done now"):
        workflow.apply(report=report, name="sign_off", actor=cast.local_lead)


def test_requesting_changes_needs_a_comment(report, cast):
    authoring_services.submit_for_signoff(report=report, actor=cast.partner)
    with pytest.raises(workflow.TransitionNotAllowed, match="needs a comment"):
        workflow.apply(report=report, name="request_changes", actor=cast.local_lead)
    workflow.apply(
        report=report, name="request_changes", actor=cast.local_lead, comment="Say more on goals."
    )
    assert report.status == Status.CHANGES_REQUESTED
    assert [t.name for t in workflow.available(cast.partner, report)] == ["submit"]


def test_the_audit_log_is_append_only(report, cast):
    event = authoring_services.submit_for_signoff(report=report, actor=cast.partner)
    event.comment = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


# --- Every transition, for every role, from every state ------------------------------------------

AUTHORS = {"admin", "tce_lead", "partner"}
PROGRAMME_LEAD = {"admin", "tce_lead"}
LOCAL = {"local_lead"}

EVERY = set(Status)


def _withdrawn_consent(state):
    if state in (Status.SIGNED_OFF, Status.COUNTERSIGNED):
        return {Status.SIGNED_OFF: Status.SIGNED_OFF}.get(state, Status.NOT_FOR_PUBLICATION)
    return None


# transition -> (states it starts from, roles who may make it, state it leads to), for a report
# with no public edition and (PUBLIC) for one whose published edition is on the microsite.
EXPECTED = {
    "submit": ({Status.DRAFT, Status.CHANGES_REQUESTED}, AUTHORS, Status.AWAITING_SIGNOFF),
    "request_changes": ({Status.AWAITING_SIGNOFF}, LOCAL, Status.CHANGES_REQUESTED),
    "sign_off": ({Status.AWAITING_SIGNOFF}, LOCAL, Status.SIGNED_OFF),
    "countersign": ({Status.SIGNED_OFF}, PROGRAMME_LEAD, Status.COUNTERSIGNED),
    "publish": ({Status.COUNTERSIGNED}, PROGRAMME_LEAD, Status.PUBLISHED),
    "withdraw": (set(), {"admin"}, Status.WITHDRAWN),
    "take_down": (set(), {"admin"}, Status.WITHDRAWN),
    "reopen": ({Status.WITHDRAWN}, {"admin"}, Status.DRAFT),
    "revise": ({Status.PUBLISHED}, AUTHORS, Status.DRAFT),
    "give_consent": ({Status.NOT_FOR_PUBLICATION}, LOCAL, Status.COUNTERSIGNED),
    # Consent given and not yet acted on (put_in gives it after sign-off).
    "withdraw_consent": ({Status.SIGNED_OFF, Status.COUNTERSIGNED}, LOCAL, _withdrawn_consent),
    # Only the portal voids a sign-off (when content changes); no person may.
    "void_signoff": (set(), set(), Status.AWAITING_SIGNOFF),
}
PUBLIC = {
    **EXPECTED,
    # A public edition can be withdrawn whatever state its revision is in.
    "withdraw": (EVERY - {Status.WITHDRAWN}, {"admin"}, Status.WITHDRAWN),
    # Also once withdrawn in the ordinary way (put_in gives a public reason): files and notice go.
    "take_down": (EVERY, {"admin"}, Status.WITHDRAWN),
    "withdraw_consent": (
        EVERY - {Status.WITHDRAWN, Status.NOT_FOR_PUBLICATION},
        LOCAL,
        Status.WITHDRAWN,
    ),
}


def test_the_table_covers_every_transition():
    assert set(EXPECTED) == set(workflow.TRANSITIONS) == set(PUBLIC)


def put_in(report, status):
    """Test set-up only: place the report in ``status`` (consent given, reason for withdrawal)."""
    LearningReport.objects.filter(pk=report.pk).update(
        status=status,
        consent_to_publish=True if status not in (Status.DRAFT, Status.AWAITING_SIGNOFF) else None,
        withdrawal_reason="Test" if status == Status.WITHDRAWN else "",
        withdrawn_at=timezone.now() if status == Status.WITHDRAWN else None,
    )
    report.refresh_from_db()


def give_an_edition(report, cast):
    """Test set-up only: a published edition of ``report``, as if it had been published."""
    signatures = [
        Signature.objects.create(
            report=report,
            kind=kind,
            name="Someone",
            signed_on=timezone.localdate(),
            content_hash=report.content_hash(),
            superseded_at=timezone.now(),
        )
        for kind in (Signature.Kind.LOCAL_AREA, Signature.Kind.TCE_LEAD)
    ]
    edition = Edition.objects.create(
        report=report,
        number=1,
        title=report.title,
        details=[],
        local_signature=signatures[0],
        tce_signature=signatures[1],
        content_hash=report.content_hash(),
    )
    LearningReport.objects.filter(pk=report.pk).update(published_edition=edition)


@pytest.mark.parametrize("public", [False, True], ids=["not-public", "public"])
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
@pytest.mark.parametrize("name", list(EXPECTED))
def test_transition_for_role_from_every_state(report, cast, name, role, public):
    actor = AnonymousUser() if role == "anonymous" else cast.by_role(role)
    if public:
        give_an_edition(report, cast)
    sources, roles, target_of = (PUBLIC if public else EXPECTED)[name]
    for state in Status.values:
        put_in(report, state)
        target = target_of(state) if callable(target_of) else target_of
        allowed = state in sources and role in roles
        assert workflow.can(actor, report, name) is allowed, (name, role, state)
        assert (name in [t.name for t in workflow.available(actor, report)]) is allowed
        before = ReportEvent.objects.count()
        if allowed:
            event = workflow.apply(report=report, name=name, actor=actor, comment="Because.")
            report.refresh_from_db()
            assert report.status == target, (name, role, state)
            assert (event.from_status, event.to_status, event.actor) == (state, target, actor)
            assert ReportEvent.objects.count() == before + 1
        else:
            with pytest.raises(workflow.TransitionNotAllowed):
                workflow.apply(report=report, name=name, actor=actor, comment="Because.")
            report.refresh_from_db()
            assert report.status == state, (name, role, state)
            assert ReportEvent.objects.count() == before


def test_countersigning_without_consent_keeps_the_report_unpublished(report, cast):
    walk_to(report, cast, Status.SIGNED_OFF, consent=False)
    workflow.apply(report=report, name="countersign", actor=cast.tce_lead)
    assert report.status == Status.NOT_FOR_PUBLICATION
    assert not workflow.can(cast.tce_lead, report, "publish")
    assert not LearningReport.objects.published().filter(pk=report.pk).exists()


def test_the_portal_alone_voids_a_sign_off(report):
    put_in(report, Status.SIGNED_OFF)
    event = workflow.apply(report=report, name="void_signoff", actor=None, comment="Changed.")
    assert (event.actor, report.status) == (None, Status.AWAITING_SIGNOFF)
