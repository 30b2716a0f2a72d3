"""The report's life as one explicit transition table.

Each transition says from which states it may be made, to which state it leads and who may make
it. Views call `apply()` (through the services); nothing else assigns `LearningReport.status`.
Every transition is recorded in the append-only `ReportEvent` log in the same database
transaction, with the report's row locked (SELECT ... FOR UPDATE on PostgreSQL) so two people
pressing the same button at once produce one change, not two.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone

from . import access
from .models import LearningReport, ReportEvent, Status


class TransitionNotAllowed(Exception):
    """The report is not in a state this transition starts from, or the actor may not make it."""


def _nobody(user, report):
    """For transitions the portal makes itself: no person may make them by hand."""
    return False


def _admin(user, report):
    return user.is_authenticated and user.is_active and user.is_programme_admin


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: Status | Callable[[LearningReport], Status]
    allowed: Callable = _nobody
    needs_comment: bool = False
    automatic: bool = False  # made by the portal (actor None), never by a person

    def target_for(self, report) -> Status:
        return self.target(report) if callable(self.target) else self.target


def _after_countersign(report) -> Status:
    return Status.COUNTERSIGNED if report.consent_to_publish else Status.NOT_FOR_PUBLICATION


SIGNED_STATES = frozenset(
    {Status.SIGNED_OFF, Status.COUNTERSIGNED, Status.PUBLISHED, Status.NOT_FOR_PUBLICATION}
)

TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "submit",
            "Send for local sign-off",
            frozenset({Status.DRAFT, Status.CHANGES_REQUESTED}),
            Status.AWAITING_SIGNOFF,
            access.is_author,
        ),
        Transition(
            "request_changes",
            "Request changes",
            frozenset({Status.AWAITING_SIGNOFF}),
            Status.CHANGES_REQUESTED,
            access.is_local_lead_of,
            needs_comment=True,
        ),
        Transition(
            "sign_off",
            "Sign off",
            frozenset({Status.AWAITING_SIGNOFF}),
            Status.SIGNED_OFF,
            access.is_local_lead_of,
        ),
        Transition(
            "countersign",
            "Countersign",
            frozenset({Status.SIGNED_OFF}),
            _after_countersign,
            access.is_tce_lead_of,
        ),
        Transition(
            "publish",
            "Publish on the microsite",
            frozenset({Status.COUNTERSIGNED}),
            Status.PUBLISHED,
            access.is_tce_lead_of,
        ),
        Transition(
            "withdraw",
            "Withdraw from the microsite",
            frozenset({Status.PUBLISHED}),
            Status.WITHDRAWN,
            _admin,
            needs_comment=True,
        ),
        # A withdrawn report comes back as a draft to be revised, signed and published again
        # (services.reopen supersedes the old signatures).
        Transition(
            "reopen",
            "Re-open for revision",
            frozenset({Status.WITHDRAWN}),
            Status.DRAFT,
            _admin,
            needs_comment=True,
        ),
        # Made by the portal, not a person: content changed after sign-off voids the signatures
        # (services.void_signoff_if_content_changed, run on every save of a section).
        Transition(
            "void_signoff",
            "Content changed since sign-off",
            SIGNED_STATES,
            Status.AWAITING_SIGNOFF,
            automatic=True,
        ),
    ]
}


def available(user, report) -> list[Transition]:
    """The transitions ``user`` may make on ``report`` now (for buttons and pages)."""
    return [
        t
        for t in TRANSITIONS.values()
        if not t.automatic and report.status in t.sources and t.allowed(user, report)
    ]


def can(user, report, name) -> bool:
    t = TRANSITIONS[name]
    return report.status in t.sources and t.allowed(user, report)


@transaction.atomic
def apply(*, report, name, actor=None, comment="", before_save=None) -> ReportEvent:
    """Make transition ``name`` on ``report`` and record it. Returns the event.

    ``actor`` None means the portal itself (only for automatic transitions: `void_signoff`).
    ``before_save`` may change the locked report (e.g. record consent) before its new status is
    saved, in the same transaction. Raises TransitionNotAllowed; the database is then unchanged.
    """
    t = TRANSITIONS[name]
    locked = LearningReport.objects.select_for_update().select_related("bsp").get(pk=report.pk)
    if locked.status not in t.sources:
        raise TransitionNotAllowed(
            f"“{t.label}” cannot be done now: the report is {locked.get_status_display().lower()}."
        )
    if actor is None and not t.automatic:
        raise TransitionNotAllowed(f"“{t.label}” needs a person to make it.")
    if actor is not None and (t.automatic or not t.allowed(actor, locked)):
        raise TransitionNotAllowed(f"You cannot “{t.label.lower()}” on this report.")
    if t.needs_comment and not comment.strip():
        raise TransitionNotAllowed(f"Say why (“{t.label}” needs a comment).")
    if before_save is not None:
        before_save(locked)
    from_status = locked.status
    locked.status = t.target_for(locked)
    now = timezone.now()
    if locked.status == Status.PUBLISHED:
        locked.published_at = locked.published_at or now
        # Published again after a withdrawal: the notice gives way to the report.
        locked.withdrawn_at, locked.withdrawal_reason = None, ""
    if name == "withdraw":
        locked.withdrawn_at = now
        locked.withdrawal_reason = comment.strip()
    locked.full_clean()
    locked.save()
    event = ReportEvent.objects.create(
        report=locked,
        actor=actor,
        transition=name,
        from_status=from_status,
        to_status=locked.status,
        comment=comment.strip(),
        content_hash=locked.content_hash(),
    )
    # E-mail the people who act next once this is stored; a failed e-mail never undoes it.
    from . import notifications

    transaction.on_commit(partial(notifications.send_for_event, event.pk), robust=True)
    # The caller's object follows the database.
    for field in (
        "status",
        "published_at",
        "withdrawn_at",
        "withdrawal_reason",
        "consent_to_publish",
    ):
        setattr(report, field, getattr(locked, field))
    return event
