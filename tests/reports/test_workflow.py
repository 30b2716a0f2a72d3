"""The transition table: who may move a report from which state, and the audit log it leaves."""

import pytest

from accounts.models import Role
from reports import workflow
from reports.authoring import services as authoring_services
from reports.models import ReportEvent, SectionStatus, Status
from reports.template_sections import SECTIONS
from tests.factories import LearningReportFactory, ReportSectionFactory, UserFactory


@pytest.fixture
def report(db):
    report = LearningReportFactory(bsp__delivery_mode="digital", bsp__methodology_as_stated="Data")
    for spec in SECTIONS:
        if spec.required and not spec.written_by_local_area:
            ReportSectionFactory(report=report, key=spec.key, status=SectionStatus.COMPLETED)
    return report


@pytest.fixture
def partner(report):
    user = UserFactory(role=Role.DELIVERY_PARTNER)
    report.bsp.delivery_partners.add(user)
    return user


@pytest.fixture
def local_lead(report):
    return UserFactory(role=Role.LOCAL_LEAD, partnership=report.bsp.partnership)


def test_an_assigned_partner_submits_a_complete_draft(report, partner):
    event = authoring_services.submit_for_signoff(report=report, actor=partner)
    report.refresh_from_db()
    assert report.status == Status.AWAITING_SIGNOFF
    assert (event.actor, event.from_status, event.to_status) == (
        partner,
        Status.DRAFT,
        Status.AWAITING_SIGNOFF,
    )
    assert event.content_hash == report.content_hash()


def test_an_incomplete_report_cannot_be_submitted(report, partner):
    report.sections.filter(key="overall_goal").update(body="")
    report.bsp.delivery_mode = ""
    report.bsp.save()
    with pytest.raises(authoring_services.ReportIncomplete) as error:
        authoring_services.submit_for_signoff(report=report, actor=partner)
    assert [p.field for p in error.value.problems] == ["bsp.delivery_mode", "overall_goal"]
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert not ReportEvent.objects.exists()


def test_a_partner_not_assigned_cannot_submit(report):
    stranger = UserFactory(role=Role.DELIVERY_PARTNER)
    with pytest.raises(workflow.TransitionNotAllowed):
        authoring_services.submit_for_signoff(report=report, actor=stranger)
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_a_transition_from_the_wrong_state_is_refused(report, local_lead):
    with pytest.raises(workflow.TransitionNotAllowed, match="cannot be done now"):
        workflow.apply(report=report, name="sign_off", actor=local_lead)


def test_requesting_changes_needs_a_comment(report, partner, local_lead):
    authoring_services.submit_for_signoff(report=report, actor=partner)
    with pytest.raises(workflow.TransitionNotAllowed, match="needs a comment"):
        workflow.apply(report=report, name="request_changes", actor=local_lead)
    workflow.apply(
        report=report, name="request_changes", actor=local_lead, comment="Say more on goals."
    )
    assert report.status == Status.CHANGES_REQUESTED
    assert [t.name for t in workflow.available(partner, report)] == ["submit"]


def test_the_audit_log_is_append_only(report, partner):
    event = authoring_services.submit_for_signoff(report=report, actor=partner)
    event.comment = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
