"""Writes of drafting: starting a report, saving and restoring sections, title and details, and
sending the finished draft for the local area's sign-off."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .. import access, richtext, workflow
from ..completeness import problems
from ..due_dates import default_signoff_due
from ..models import LearningReport, ReportSection, SectionStatus, Transition
from ..template_sections import SECTION_KEYS, SECTIONS_BY_KEY
from ..versions import VersionMoved, check_based_on

AUTOSAVE = "autosave"
# Autosaves by one person within this window replace each other in the history, so the history
# shows what someone wrote in a sitting, not every pause in their typing.
AUTOSAVE_SQUASH_WINDOW = datetime.timedelta(minutes=15)


class SectionConflict(Exception):
    """A save was based on an older version of the section than the one stored: nothing was
    saved. ``section`` is the stored section (None if it has no row yet), ``mine`` the sanitised
    text that was not saved."""

    def __init__(self, *, section, mine, key):
        super().__init__("The section changed since this edit started.")
        self.section = section
        self.mine = mine
        self.key = key


@transaction.atomic
def create_report(*, bsp, actor) -> LearningReport:
    """Start the learning report of ``bsp``: one empty, not started row per template section."""
    if not access.can_start_report(actor, bsp):
        raise PermissionDenied("Only programme admins start reports (and TCE leads, their own).")
    if LearningReport.objects.filter(bsp=bsp).exists():
        raise ValidationError("This BSP already has a learning report.")
    title = bsp.local_area
    slug = base = slugify(title)[:190] or "report"
    if LearningReport.objects.filter(slug=slug).exists():
        slug = f"{base}-{bsp.programme_year_label}"
    report = LearningReport(bsp=bsp, title=title, slug=slug)
    report.full_clean()
    report.save()
    ReportSection.objects.bulk_create(
        ReportSection(report=report, key=key, status=SectionStatus.NOT_STARTED)
        for key in SECTION_KEYS
    )
    return report


def _status_for(*, body: str, completed: bool) -> str:
    if not richtext.to_text(body):
        return SectionStatus.NOT_STARTED
    return SectionStatus.COMPLETED if completed else SectionStatus.IN_PROGRESS


def _lock_for_authoring(*, report, actor) -> LearningReport:
    # Locking the report row orders section saves after a concurrent "send for sign-off".
    locked = LearningReport.objects.select_for_update().select_related("bsp").get(pk=report.pk)
    if not access.can_edit_content(actor, locked):
        raise PermissionDenied("You cannot change this report now.")
    return locked


@transaction.atomic
def save_section(
    *,
    report,
    key: str,
    actor,
    body: str,
    based_on_version: int,
    completed: bool | None = None,
    autosave: bool = False,
    change_reason: str = "",
) -> ReportSection:
    """Store the text of one section, if it is still the version the author started from.

    ``based_on_version`` is the version the author's text was based on (0 when the section had no
    row yet). If the stored section has moved on, raises SectionConflict and saves nothing.
    ``completed`` None keeps the section's "completed" mark. Returns the stored section; saving
    the same text and mark again changes nothing (no new version).
    """
    spec = SECTIONS_BY_KEY.get(key)
    if spec is None:
        raise ValueError(f"{key!r} is not a section of the report template.")
    if spec.written_by_local_area:
        raise PermissionDenied("The local area writes this section when it signs off.")
    locked = _lock_for_authoring(report=report, actor=actor)
    clean = richtext.sanitise(body)
    section = ReportSection.objects.select_for_update().filter(report=locked, key=key).first()
    stored_version = section.version if section else 0
    if completed is None:
        completed = section is not None and section.status == SectionStatus.COMPLETED
    status = _status_for(body=clean, completed=completed)
    unchanged = section is not None and section.body == clean and section.status == status
    try:
        if not check_based_on(
            stored=stored_version, based_on=based_on_version, nothing_to_save=unchanged
        ):
            return section  # the same words reached the same place: nothing to choose between
    except VersionMoved:
        raise SectionConflict(section=section, mine=clean, key=key) from None
    if section is None:
        section = ReportSection(report=locked, key=key, version=0)
    elif section.body == clean and section.status == status:
        return section
    previous = latest_revision(section)
    section.body = clean
    section.status = status
    section.version = stored_version + 1
    section.updated_by = actor
    section._history_user = actor
    section._change_reason = AUTOSAVE if autosave else (change_reason or "saved")
    section.save()
    if autosave:
        forget_replaced_autosave(previous, actor=actor)
    return section


def latest_revision(section: ReportSection):
    """The section's newest history row, before a save adds another (None for a new section)."""
    if section.pk is None:
        return None
    return section.history.order_by("-history_date", "-history_id").first()


def forget_replaced_autosave(previous, *, actor) -> None:
    """After an autosave by ``actor``: drop ``previous`` (the row before it) if it was their own
    autosave of the same sitting, so the history keeps one version per sitting."""
    if (
        previous is not None
        and previous.history_change_reason == AUTOSAVE
        and previous.history_user_id == actor.pk
        and timezone.now() - previous.history_date < AUTOSAVE_SQUASH_WINDOW
    ):
        previous.delete()


@transaction.atomic
def restore_revision(*, report, revision, actor, based_on_version: int) -> ReportSection:
    """Make an earlier revision of a section its current text again (a new version; the text it
    replaces stays in the history)."""
    if revision.report_id != report.pk:
        raise ValueError("That revision belongs to another report.")
    return save_section(
        report=report,
        key=revision.key,
        actor=actor,
        body=revision.body,
        based_on_version=based_on_version,
        change_reason=f"restored version {revision.version}",
    )


DETAILS_SAVED = "title and BSP details saved"


class DetailsConflict(Exception):
    """A save of the details page was based on an older version than the one stored: nothing was
    saved. ``report`` is the stored report (its ``details_version`` is the one to base the next
    save on), ``stored`` and ``mine`` the stored details and those not saved (same keys),
    ``changed`` the keys where they differ, ``saved`` the report's history record of the save
    that made the stored version (None if no save on the details page made it)."""

    def __init__(self, *, report, stored, mine, changed, saved):
        super().__init__("The details changed since this edit started.")
        self.report = report
        self.stored = stored
        self.mine = mine
        self.changed = changed
        self.saved = saved


def _stored_details(report, keys) -> dict:
    """The stored values of ``keys``: "title" is the report's, the others its BSP's."""
    bsp = report.bsp
    stored = {}
    for key in keys:
        if key == "title":
            stored[key] = report.title
        elif key == "methodologies":
            stored[key] = list(bsp.methodologies.order_by("name"))
        else:
            stored[key] = getattr(bsp, key)
    return stored


def _changed(stored: dict, mine: dict) -> list[str]:
    def comparable(key, value):
        if key == "methodologies":
            return {m.pk for m in value}
        return value

    return [key for key in mine if comparable(key, mine[key]) != comparable(key, stored[key])]


@transaction.atomic
def update_bsp_details(*, report, actor, details: dict, based_on_version: int) -> LearningReport:
    """Change the details at the top of the report, if they are still the version the author
    started from: its title and its BSP's details (a validated form's cleaned data).

    ``based_on_version`` is the report's ``details_version`` the form was filled from. If the
    stored version has moved on, raises DetailsConflict and saves nothing. Returns the stored
    report; saving the same details again changes nothing (no new version). The slug never
    changes: the report's addresses are stable.
    """
    locked = _lock_for_authoring(report=report, actor=actor)
    mine = dict(details)
    if "methodologies" in mine:
        mine["methodologies"] = sorted(mine["methodologies"], key=lambda m: m.name)
    stored = _stored_details(locked, mine)
    changed = _changed(stored, mine)
    try:
        if not check_based_on(
            stored=locked.details_version, based_on=based_on_version, nothing_to_save=not changed
        ):
            return locked  # the same details reached the same place: nothing to choose between
    except VersionMoved:
        saved = (
            locked.history.filter(
                details_version=locked.details_version, history_change_reason=DETAILS_SAVED
            )
            .select_related("history_user")
            .order_by("history_date", "history_id")
            .first()
        )
        raise DetailsConflict(
            report=locked, stored=stored, mine=mine, changed=changed, saved=saved
        ) from None
    if not changed:
        return locked
    bsp = locked.bsp
    title = mine.pop("title", locked.title)
    methodologies = mine.pop("methodologies", None)
    for field, value in mine.items():
        setattr(bsp, field, value)
    bsp.full_clean()
    if methodologies is not None:
        # One history record per save: the one bsp.save() makes below, methodologies included.
        bsp.skip_history_when_saving = True
        try:
            bsp.methodologies.set(methodologies)
        finally:
            del bsp.skip_history_when_saving
    bsp._history_user = actor
    bsp._change_reason = DETAILS_SAVED
    bsp.save()
    locked.title = title
    locked.details_version += 1
    locked._history_user = actor
    locked._change_reason = DETAILS_SAVED
    locked.full_clean()
    locked.save()
    # The caller's object follows the database.
    report.title, report.details_version = locked.title, locked.details_version
    return locked


# --- Send for sign-off -------------------------------------------------------------------------


class ReportIncomplete(Exception):
    def __init__(self, problems):
        super().__init__("The report is not complete.")
        self.problems = problems


@transaction.atomic
def submit_for_signoff(*, report, actor, comment="", due_on: datetime.date | None = None):
    """Send a complete draft to the local area for sign-off, asking for it by ``due_on``
    (by default ``settings.SIGNOFF_DUE_WORKING_DAYS`` working days from today)."""
    found = problems(report)
    if found:
        raise ReportIncomplete(found)
    today = timezone.localdate()
    if due_on is not None and due_on <= today:
        raise ValidationError("The date to sign off by must be after today.")

    def ask_by(locked):
        locked.signoff_due_on = due_on or default_signoff_due(today)

    return workflow.apply(
        report=report, name=Transition.SUBMIT, actor=actor, comment=comment, before_save=ask_by
    )
