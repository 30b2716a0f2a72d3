"""Every transition, for every role, from every state: allowed exactly where the programme says.

The expectations are written out here by hand (not read from `workflow.TRANSITIONS`), so a change
to who may do what fails until someone decides it on purpose.
"""

import pytest

from reports import workflow
from reports.models import LearningReport, ReportEvent, Status
from tests.reports.signoff_helpers import ROLES, complete_report, people_for

AUTHORS = {"admin", "tce_lead", "partner"}
PROGRAMME_LEAD = {"admin", "tce_lead"}
LOCAL = {"local_lead"}

# transition -> (states it starts from, roles who may make it, state it leads to)
EXPECTED = {
    "submit": ({Status.DRAFT, Status.CHANGES_REQUESTED}, AUTHORS, Status.AWAITING_SIGNOFF),
    "request_changes": ({Status.AWAITING_SIGNOFF}, LOCAL, Status.CHANGES_REQUESTED),
    "sign_off": ({Status.AWAITING_SIGNOFF}, LOCAL, Status.SIGNED_OFF),
    "countersign": ({Status.SIGNED_OFF}, PROGRAMME_LEAD, Status.COUNTERSIGNED),
    "publish": ({Status.COUNTERSIGNED}, PROGRAMME_LEAD, Status.PUBLISHED),
    "withdraw": ({Status.PUBLISHED}, {"admin"}, Status.WITHDRAWN),
    "reopen": ({Status.WITHDRAWN}, {"admin"}, Status.DRAFT),
    # Only the portal voids a sign-off (when content changes); no person may.
    "void_signoff": (set(), set(), Status.AWAITING_SIGNOFF),
}


def test_the_table_covers_every_transition():
    assert set(EXPECTED) == set(workflow.TRANSITIONS)


def put_in(report, status):
    """Test set-up only: place the report in ``status`` (consent given, reason for withdrawal)."""
    LearningReport.objects.filter(pk=report.pk).update(
        status=status,
        consent_to_publish=True if status not in (Status.DRAFT, Status.AWAITING_SIGNOFF) else None,
        withdrawal_reason="Test" if status == Status.WITHDRAWN else "",
    )
    report.refresh_from_db()


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
@pytest.mark.parametrize("name", list(EXPECTED))
def test_transition_for_role_from_every_state(db, name, role):
    from django.contrib.auth.models import AnonymousUser

    report = complete_report()
    people = people_for(report)
    actor = AnonymousUser() if role == "anonymous" else people.by_role(role)
    sources, roles, target = EXPECTED[name]
    for state in Status.values:
        put_in(report, state)
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


def test_countersigning_without_consent_keeps_the_report_unpublished(db):
    report = complete_report()
    people = people_for(report)
    LearningReport.objects.filter(pk=report.pk).update(
        status=Status.SIGNED_OFF, consent_to_publish=False
    )
    report.refresh_from_db()
    workflow.apply(report=report, name="countersign", actor=people.tce_lead)
    assert report.status == Status.NOT_FOR_PUBLICATION
    assert not workflow.can(people.tce_lead, report, "publish")
    assert not LearningReport.objects.published().filter(pk=report.pk).exists()


def test_the_portal_alone_voids_a_sign_off(db):
    report = complete_report()
    put_in(report, Status.SIGNED_OFF)
    event = workflow.apply(report=report, name="void_signoff", actor=None, comment="Changed.")
    assert (event.actor, report.status) == (None, Status.AWAITING_SIGNOFF)
