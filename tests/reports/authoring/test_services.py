"""The authoring services: starting a report, saving sections with optimistic concurrency,
the history they leave and restoring from it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reports import workflow
from reports.authoring import services as authoring_services
from reports.models import LearningReport, ReportSection, SectionStatus, Status
from reports.template_sections import SECTION_KEYS
from tests.factories import BespokeSupportProjectFactory, make_cast
from tests.support.details import details, save_details


def save(cast, body, *, version, who=None, **kwargs):
    return authoring_services.save_section(
        report=cast.report,
        key="reasons",
        actor=who or cast.partner,
        body=body,
        based_on_version=version,
        **kwargs,
    )


def test_an_admin_starts_a_report_with_every_section_empty(cast):
    report = cast.report
    assert report.status == Status.DRAFT
    assert report.title == report.bsp.local_area
    sections = report.sections.all()
    assert sorted(s.key for s in sections) == sorted(SECTION_KEYS)
    assert {(s.body, s.status, s.version) for s in sections} == {("", SectionStatus.NOT_STARTED, 1)}


def test_only_an_admin_starts_a_report_and_only_one_per_bsp(cast):
    bsp = BespokeSupportProjectFactory()
    with pytest.raises(PermissionDenied):
        authoring_services.create_report(bsp=bsp, actor=cast.tce_lead)
    with pytest.raises(ValidationError):
        authoring_services.create_report(bsp=cast.report.bsp, actor=cast.admin)
    assert LearningReport.objects.count() == 1


def test_a_report_whose_slug_is_taken_gets_the_programme_year(cast):
    twin = BespokeSupportProjectFactory(
        local_area=cast.report.bsp.local_area, programme_year=cast.report.bsp.programme_year + 1
    )
    report = authoring_services.create_report(bsp=twin, actor=cast.admin)
    assert report.slug == f"{cast.report.slug}-{twin.programme_year_label}"


def test_a_save_bumps_the_version_records_who_and_sets_the_status(cast):
    section = save(cast, "<p>Why they asked.</p>", version=1)
    assert (section.version, section.status, section.updated_by) == (
        2,
        SectionStatus.IN_PROGRESS,
        cast.partner,
    )
    section = save(cast, "<p>Why they asked.</p>", version=2, completed=True)
    assert (section.version, section.status) == (3, SectionStatus.COMPLETED)
    # Leaving out "completed" keeps the mark; emptying the section un-starts it.
    section = save(cast, "<p>Why they asked, in full.</p>", version=3)
    assert section.status == SectionStatus.COMPLETED
    section = save(cast, "", version=4, completed=True)
    assert section.status == SectionStatus.NOT_STARTED


def test_saving_the_same_text_again_makes_no_new_version(cast):
    save(cast, "<p>Same.</p>", version=1)
    again = save(cast, "<p>Same.</p>", version=2)
    assert again.version == 2
    assert ReportSection.history.filter(key="reasons").count() == 1


def test_a_stale_save_raises_a_conflict_and_overwrites_nothing(cast):
    save(cast, "<p>First author's words.</p>", version=1, who=cast.partner)
    with pytest.raises(authoring_services.SectionConflict) as conflict:
        save(cast, "<p>Second author's words.</p>", version=1, who=cast.tce_lead)
    assert conflict.value.mine == "<p>Second author's words.</p>"
    assert conflict.value.section.body == "<p>First author's words.</p>"
    stored = ReportSection.objects.get(report=cast.report, key="reasons")
    assert (stored.body, stored.version) == ("<p>First author's words.</p>", 2)


def test_a_stale_save_of_the_very_same_text_is_no_conflict(cast):
    save(cast, "<p>Both typed this.</p>", version=1, who=cast.partner)
    section = save(cast, "<p>Both typed this.</p>", version=1, who=cast.tce_lead)
    assert section.version == 2


def test_a_section_without_a_row_is_created_from_version_zero(cast):
    cast.report.sections.filter(key="reasons").delete()
    section = save(cast, "<p>New.</p>", version=0)
    assert section.version == 1
    with pytest.raises(authoring_services.SectionConflict):
        save(cast, "<p>Also new.</p>", version=0)


def test_saves_are_refused_to_readers_and_after_submission(cast):
    with pytest.raises(PermissionDenied):
        save(cast, "<p>Local lead edits.</p>", version=1, who=cast.local_lead)
    with pytest.raises(PermissionDenied):
        save(cast, "<p>Stranger.</p>", version=1, who=cast.other_partner)
    with pytest.raises(PermissionDenied):
        authoring_services.save_section(
            report=cast.report,
            key="local_reflections",
            actor=cast.partner,
            body="<p>Not ours to write.</p>",
            based_on_version=1,
        )
    sent = make_cast(status=Status.AWAITING_SIGNOFF)
    with pytest.raises(PermissionDenied):
        save(sent, "<p>Too late.</p>", version=2)


def test_a_section_save_waits_for_and_respects_a_submission(cast):
    """The report row is locked by both, so a save after "submit" sees the new state."""
    for key in ("reasons", "overall_goal", "approaches", "key_issues", "significant_learning"):
        authoring_services.save_section(
            report=cast.report,
            key=key,
            actor=cast.partner,
            body="<p>Done.</p>",
            based_on_version=1,
            completed=True,
        )
    cast.report.bsp.delivery_mode = "digital"
    cast.report.bsp.methodology_as_stated = "Data"
    cast.report.bsp.agencies_as_stated = "Police, health and education"
    cast.report.bsp.save()
    authoring_services.submit_for_signoff(report=cast.report, actor=cast.partner)
    stale = LearningReport.objects.get(pk=cast.report.pk)
    stale.status = Status.DRAFT  # what a page loaded before the submission believes
    with pytest.raises(PermissionDenied):
        authoring_services.save_section(
            report=stale, key="reasons", actor=cast.partner, body="<p>x</p>", based_on_version=2
        )


def test_autosaves_of_one_sitting_are_one_revision_but_explicit_saves_stay(cast):
    save(cast, "<p>Draft one.</p>", version=1, autosave=True)
    save(cast, "<p>Draft one and two.</p>", version=2, autosave=True)
    save(cast, "<p>Draft one, two and three.</p>", version=3, autosave=True)
    history = ReportSection.history.filter(key="reasons").order_by("history_date")
    assert [(h.version, h.history_change_reason) for h in history] == [(4, "autosave")]
    save(cast, "<p>Draft one, two and three.</p>", version=4, completed=True)
    save(cast, "<p>Another sitting.</p>", version=5, autosave=True)
    history = ReportSection.history.filter(key="reasons").order_by("history_date")
    assert [(h.version, h.history_change_reason) for h in history] == [
        (4, "autosave"),
        (5, "saved"),
        (6, "autosave"),
    ]


def test_autosaves_by_someone_else_or_much_later_are_kept_apart(cast):
    save(cast, "<p>Partner.</p>", version=1, autosave=True)
    save(cast, "<p>Lead.</p>", version=2, autosave=True, who=cast.tce_lead)
    ReportSection.history.filter(key="reasons").update(
        history_date=datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC)
    )
    save(cast, "<p>Lead, next day.</p>", version=3, autosave=True, who=cast.tce_lead)
    history = ReportSection.history.filter(key="reasons").order_by("history_date", "history_id")
    assert [(h.history_user, h.body) for h in history] == [
        (cast.partner, "<p>Partner.</p>"),
        (cast.tce_lead, "<p>Lead.</p>"),
        (cast.tce_lead, "<p>Lead, next day.</p>"),
    ]


def test_restoring_an_earlier_revision_is_a_new_version(cast):
    save(cast, "<p>The first text.</p>", version=1)
    save(cast, "<p>The second text.</p>", version=2)
    first = ReportSection.history.get(key="reasons", version=2)
    restored = authoring_services.restore_revision(
        report=cast.report, revision=first, actor=cast.tce_lead, based_on_version=3
    )
    assert (restored.body, restored.version, restored.updated_by) == (
        "<p>The first text.</p>",
        4,
        cast.tce_lead,
    )
    latest = ReportSection.history.filter(key="reasons").latest("history_date")
    assert latest.history_change_reason == "restored version 2"
    second = ReportSection.history.get(key="reasons", version=3)
    with pytest.raises(
        authoring_services.SectionConflict
    ):  # a restore chosen on an out-of-date page
        authoring_services.restore_revision(
            report=cast.report, revision=second, actor=cast.tce_lead, based_on_version=3
        )


def test_bsp_details_are_saved_by_authors_only(cast):
    changes = {"delivery_mode": "mixed", "commenced": datetime.date(2021, 5, 1)}
    save_details(cast, version=1, **changes)
    cast.report.bsp.refresh_from_db()
    assert (cast.report.bsp.delivery_mode, cast.report.bsp.commenced) == (
        "mixed",
        datetime.date(2021, 5, 1),
    )
    with pytest.raises(PermissionDenied):
        save_details(cast, version=2, who=cast.local_lead, delivery_mode="digital")
    cast.report.bsp.refresh_from_db()
    assert cast.report.bsp.delivery_mode == "mixed"


def test_a_details_save_raises_the_version_changes_the_title_and_never_the_slug(cast):
    slug = cast.report.slug
    assert cast.report.details_version == 1
    saved = save_details(cast, version=1, title="Swindon and Wiltshire", size="Unitary")
    assert (saved.title, saved.details_version, saved.slug) == ("Swindon and Wiltshire", 2, slug)
    stored = LearningReport.objects.get(pk=cast.report.pk)
    assert (stored.title, stored.details_version, stored.slug) == (
        "Swindon and Wiltshire",
        2,
        slug,
    )
    assert stored.bsp.size == "Unitary"
    # The caller's object follows, so its next save is based on the new version.
    assert cast.report.details_version == 2
    save_details(cast, version=2, size="Standard")
    assert LearningReport.objects.get(pk=cast.report.pk).details_version == 3


def test_saving_the_same_details_again_makes_no_new_version(cast):
    save_details(cast, version=1, size="Unitary")
    records = cast.report.bsp.history.count()
    save_details(cast, version=2, size="Unitary")
    cast.report.refresh_from_db()
    assert cast.report.details_version == 2
    assert cast.report.bsp.history.count() == records


def test_a_stale_details_save_is_refused_and_overwrites_nothing(cast):
    from partnerships.models import Methodology

    data = Methodology.objects.get(name="Data")
    # The partner opens the page; the lead saves; the partner saves what they entered.
    partners = details(cast, title="The partner's title", size="Unitary")
    save_details(cast, version=1, who=cast.tce_lead, title="The lead's title", methodologies=[data])
    with pytest.raises(authoring_services.DetailsConflict) as refused:
        save_details(cast, version=1, form=partners)
    conflict = refused.value
    assert conflict.report.details_version == 2
    assert conflict.changed == ["title", "size", "methodologies"]
    assert conflict.stored["title"] == "The lead's title"
    assert conflict.stored["methodologies"] == [data]
    assert (conflict.mine["title"], conflict.mine["size"]) == ("The partner's title", "Unitary")
    assert conflict.saved.history_user == cast.tce_lead
    stored = LearningReport.objects.get(pk=cast.report.pk)
    assert (stored.title, stored.details_version, stored.bsp.size) == ("The lead's title", 2, "")
    assert list(stored.bsp.methodologies.all()) == [data]
    # Based on the stored version, the same input is saved.
    save_details(cast, version=2, form=partners)
    stored = LearningReport.objects.get(pk=cast.report.pk)
    assert (stored.title, stored.details_version, stored.bsp.size) == (
        "The partner's title",
        3,
        "Unitary",
    )
    assert not stored.bsp.methodologies.exists()


def test_a_stale_save_of_the_stored_details_is_no_conflict(cast):
    save_details(cast, version=1, who=cast.tce_lead, size="Unitary")
    saved = save_details(cast, version=1, size="Unitary")
    assert saved.details_version == 2


def test_every_details_save_is_recorded_with_who_made_it(cast):
    from partnerships.models import Methodology

    strategy = Methodology.objects.get(name="Strategy")
    save_details(cast, version=1, title="New title", size="Unitary", methodologies=[strategy])
    bsp_record = cast.report.bsp.history.latest()
    assert (bsp_record.size, bsp_record.history_user, bsp_record.history_change_reason) == (
        "Unitary",
        cast.partner,
        authoring_services.DETAILS_SAVED,
    )
    # One record for the save, the methodologies with it (not a second one for them).
    assert (
        cast.report.bsp.history.filter(
            history_change_reason=authoring_services.DETAILS_SAVED
        ).count()
        == 1
    )
    assert [m.methodology for m in bsp_record.methodologies.all()] == [strategy]
    report_record = cast.report.history.latest()
    assert (report_record.title, report_record.details_version, report_record.history_user) == (
        "New title",
        2,
        cast.partner,
    )


def test_the_details_of_a_report_sent_for_sign_off_cannot_be_changed(db):
    sent = make_cast(status=Status.AWAITING_SIGNOFF)
    with pytest.raises(PermissionDenied):
        save_details(sent, version=1, title="Too late")
    assert LearningReport.objects.get(pk=sent.report.pk).title != "Too late"


def test_is_author_answers_from_prefetched_partners_without_a_query(
    cast, django_assert_num_queries
):
    from reports import access

    report = access.with_access_data(LearningReport.objects.all()).get(pk=cast.report.pk)
    stranger = cast.other_partner
    with django_assert_num_queries(0):
        assert access.is_author(cast.partner, report)
        assert not access.is_author(stranger, report)
        assert [t.name for t in workflow.available(cast.partner, report)] == ["submit"]
