"""The report's life as one explicit transition table.

Each transition says from which states it may be made, to which state it leads and who may make
it. Views call `apply()` (through the services); nothing else assigns `LearningReport.status`.
Every transition is recorded in the append-only `ReportEvent` log in the same database
transaction, with the report's row locked (SELECT ... FOR UPDATE on PostgreSQL) so two people
pressing the same button at once produce one change, not two.

Once the transaction has committed, ``apply()`` sends the domain signal ``report_transitioned``
(with the stored ``event``). What follows a transition connects to it in its capability's
``receivers.py``: the e-mails (``signoff``), the PDF (``pdfs``) and the microsite's page cache
(``microsite``). A failing receiver is logged and never undoes the transition.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from . import access
from .models import TAKEN_DOWN_NOTICE, LearningReport, ReportEvent, Status, Transition

logger = logging.getLogger(__name__)
# One structured record per state change (ids only: comments may name people).
events_log = logging.getLogger("tce.workflow")

# The public notice on a report withdrawn because the local area withdrew its agreement.
CONSENT_WITHDRAWN_NOTICE = "The local area asked for this report to be taken off the microsite."

# Sent once a transition is stored (on commit), with ``event``: the ReportEvent recorded.
report_transitioned = Signal()


class TransitionNotAllowed(Exception):
    """The report is not in a state this transition starts from, or the actor may not make it."""


class AlreadyDone(TransitionNotAllowed):
    """The same person has just made this very transition (a double click, a second tab, the
    Back button): nothing more to do. ``event`` is the one that did it."""

    def __init__(self, event):
        self.event = event
        when = timezone.localtime(event.created_at)
        super().__init__(
            f"Already done: you chose “{event.get_transition_display()}” at {when:%H:%M} and "
            f"the report is {event.report.status_phrase}."
        )


def _nobody(user, report):
    """For transitions the portal makes itself: no person may make them by hand."""
    return False


def _admin(user, report):
    return user.is_authenticated and user.is_active and user.is_programme_admin


@dataclass(frozen=True)
class Rule:
    """Who may make a transition, from which states, and where it leads."""

    name: Transition
    sources: frozenset
    target: Status | Callable[[LearningReport], Status]
    allowed: Callable = _nobody
    needs_comment: bool = False
    automatic: bool = False  # made by the portal (actor None), never by a person
    # A further condition on the report, beyond its status (e.g. "its edition is public").
    when: Callable[[LearningReport], bool] | None = None

    @property
    def label(self) -> str:
        return self.name.label

    def target_for(self, report) -> Status:
        return self.target(report) if callable(self.target) else self.target

    def starts_from(self, report) -> bool:
        return report.status in self.sources and (self.when is None or self.when(report))


def _after_countersign(report) -> Status:
    return Status.COUNTERSIGNED if report.consent_to_publish else Status.NOT_FOR_PUBLICATION


def _after_content_change(report) -> Status:
    """A published report whose content changes becomes a revision (a draft) while its edition
    stays public; a signed one not yet published goes back to the local area to sign again."""
    return Status.DRAFT if report.status == Status.PUBLISHED else Status.AWAITING_SIGNOFF


def _after_consent_withdrawn(report) -> Status:
    if report.is_public:
        return Status.WITHDRAWN
    return Status.NOT_FOR_PUBLICATION if report.status == Status.COUNTERSIGNED else report.status


def _is_public(report) -> bool:
    return report.is_public


def _may_be_taken_down(report) -> bool:
    """Public now; or withdrawn after publication in the ordinary way, its withdrawal notice (its
    title, a public reason) and its stored files still there: sensitive data found later."""
    return report.is_public or (
        report.status == Status.WITHDRAWN
        and report.published_edition_id is not None
        and not report.is_taken_down
    )


def _consent_to_withdraw(report) -> bool:
    """Publication the local area agreed to: a public edition, or a consent not yet acted on."""
    agreed = bool(report.consent_to_publish)
    return report.is_public or (
        agreed and report.status in (Status.SIGNED_OFF, Status.COUNTERSIGNED)
    )


# What a transition changes on the report (``apply`` saves these fields and no others).
TRANSITION_FIELDS = frozenset(
    {
        "status",
        "published_at",
        "withdrawn_at",
        "withdrawal_reason",
        "consent_to_publish",
        "signoff_due_on",
        "updated_at",
    }
)

SIGNED_STATES = frozenset(
    {Status.SIGNED_OFF, Status.COUNTERSIGNED, Status.PUBLISHED, Status.NOT_FOR_PUBLICATION}
)

TRANSITIONS = {
    t.name: t
    for t in [
        Rule(
            Transition.SUBMIT,
            frozenset({Status.DRAFT, Status.CHANGES_REQUESTED}),
            Status.AWAITING_SIGNOFF,
            access.is_author,
        ),
        Rule(
            Transition.REQUEST_CHANGES,
            frozenset({Status.AWAITING_SIGNOFF}),
            Status.CHANGES_REQUESTED,
            access.is_local_lead_of,
            needs_comment=True,
        ),
        Rule(
            Transition.SIGN_OFF,
            frozenset({Status.AWAITING_SIGNOFF}),
            Status.SIGNED_OFF,
            access.is_local_lead_of,
        ),
        Rule(
            Transition.COUNTERSIGN,
            frozenset({Status.SIGNED_OFF}),
            _after_countersign,
            access.is_tce_lead_of,
        ),
        Rule(
            Transition.PUBLISH,
            frozenset({Status.COUNTERSIGNED}),
            Status.PUBLISHED,
            access.is_tce_lead_of,
        ),
        # The published edition comes down, whatever state a revision of it is in.
        Rule(
            Transition.WITHDRAW,
            frozenset(Status) - {Status.WITHDRAWN},
            Status.WITHDRAWN,
            _admin,
            needs_comment=True,
            when=_is_public,
        ),
        # At once, because the published text contains sensitive personal data: every edition
        # comes down as with WITHDRAW, but the reason is private (the audit log) and the stored
        # files go (reports.safeguarding.takedown). Also after an ordinary withdrawal, whose
        # notice and files would otherwise stay.
        Rule(
            Transition.TAKE_DOWN,
            frozenset(Status),
            Status.WITHDRAWN,
            _admin,
            needs_comment=True,
            when=_may_be_taken_down,
        ),
        # A correction or update of a published report: its working copy becomes a draft again
        # while the published edition stays up (services.start_revision supersedes the
        # signatures of the working copy, not the edition's).
        Rule(
            Transition.REVISE,
            frozenset({Status.PUBLISHED}),
            Status.DRAFT,
            access.is_author,
            needs_comment=True,
        ),
        # The local area that said no to publication says yes later: a new signature over the
        # same content (services.give_consent).
        Rule(
            Transition.GIVE_CONSENT,
            frozenset({Status.NOT_FOR_PUBLICATION}),
            Status.COUNTERSIGNED,
            access.is_local_lead_of,
        ),
        # ...or takes back the agreement it gave: a published report is withdrawn.
        Rule(
            Transition.WITHDRAW_CONSENT,
            frozenset(Status) - {Status.WITHDRAWN, Status.NOT_FOR_PUBLICATION},
            _after_consent_withdrawn,
            access.is_local_lead_of,
            needs_comment=True,
            when=_consent_to_withdraw,
        ),
        # A withdrawn report comes back as a draft to be revised, signed and published again
        # (services.reopen supersedes the old signatures).
        Rule(
            Transition.REOPEN,
            frozenset({Status.WITHDRAWN}),
            Status.DRAFT,
            _admin,
            needs_comment=True,
        ),
        # Made by the portal, not a person: content changed after sign-off voids the signatures
        # (services.void_signoff_if_content_changed, run on every save of a section). A
        # published report's edition is untouched: the change opens a revision.
        Rule(
            Transition.VOID_SIGNOFF,
            SIGNED_STATES,
            _after_content_change,
            automatic=True,
        ),
    ]
}


def available(user, report) -> list[Rule]:
    """The transitions ``user`` may make on ``report`` now (for buttons and pages)."""
    return [
        t
        for t in TRANSITIONS.values()
        if not t.automatic and t.starts_from(report) and t.allowed(user, report)
    ]


def already_done(report, name, actor) -> ReportEvent | None:
    """The event by which ``actor`` made transition ``name`` on ``report``, if it is the report's
    newest event and the report is still where it led; otherwise None."""
    if actor is None or not actor.is_authenticated:
        return None
    last = report.events.select_related("report").order_by("-created_at", "-pk").first()
    if last is None or last.transition != name or last.actor_id != actor.pk:
        return None
    return last if last.to_status == last.report.status else None


def can(user, report, name) -> bool:
    t = TRANSITIONS[name]
    return t.starts_from(report) and t.allowed(user, report)


@transaction.atomic
def apply(*, report, name, actor=None, comment="", before_save=None) -> ReportEvent:
    """Make transition ``name`` on ``report`` and record it. Returns the event.

    ``actor`` None means the portal itself (only for automatic transitions: `void_signoff`).
    ``before_save`` may change the locked report (e.g. record consent) before its new status is
    saved, in the same transaction. Raises TransitionNotAllowed; the database is then unchanged.
    """
    t = TRANSITIONS[name]
    locked = LearningReport.objects.select_for_update().select_related("bsp").get(pk=report.pk)
    if not t.starts_from(locked):
        done = already_done(locked, name, actor)
        if done is not None:
            raise AlreadyDone(done)
        raise TransitionNotAllowed(
            f"“{t.label}” cannot be done now: the report is {locked.status_phrase}."
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
    if name == Transition.WITHDRAW:
        locked.withdrawn_at = now
        locked.withdrawal_reason = comment.strip()
    elif name == Transition.TAKE_DOWN:
        locked.withdrawn_at = now
        locked.withdrawal_reason = TAKEN_DOWN_NOTICE
    elif locked.status == Status.WITHDRAWN and locked.withdrawn_at is None:
        # The local area withdrew its agreement (its own reason stays in the audit log).
        locked.withdrawn_at = now
        locked.withdrawal_reason = CONSENT_WITHDRAWN_NOTICE
    locked.full_clean()
    locked.save(update_fields=TRANSITION_FIELDS)
    event = ReportEvent.objects.create(
        report=locked,
        actor=actor,
        transition=name,
        from_status=from_status,
        to_status=locked.status,
        comment=comment.strip(),
        content_hash=locked.content_hash(),
    )
    transaction.on_commit(lambda: announce(event))
    # The caller's object follows the database.
    for field in TRANSITION_FIELDS:
        setattr(report, field, getattr(locked, field))
    return event


def record(*, report, name, actor, comment: str = "", announce_it: bool = False) -> ReportEvent:
    """An entry in the audit log that changes no state (an addendum signed, a finding dismissed,
    a document imported): from and to the report's status as it is. ``announce_it`` sends
    ``report_transitioned`` once the transaction commits, as a transition does (the addenda's
    e-mails); the others concern nobody else."""
    event = ReportEvent.objects.create(
        report=report,
        actor=actor,
        transition=name,
        from_status=report.status,
        to_status=report.status,
        comment=comment,
        content_hash=report.content_hash(),
    )
    if announce_it:
        transaction.on_commit(lambda: announce(event))
    return event


def announce(event: ReportEvent) -> None:
    """Tell the capabilities that ``event`` happened; one failing receiver stops no other. Made
    after commit for every transition, and for the audit-log events that change no state
    (addenda)."""
    events_log.info(
        "transition",
        extra={
            "event_id": event.pk,
            "transition": event.transition,
            "report_id": event.report_id,
            "actor_id": event.actor_id,
            "from_status": event.from_status,
            "to_status": event.to_status,
        },
    )
    for receiver, result in report_transitioned.send_robust(sender=ReportEvent, event=event):
        if isinstance(result, Exception):
            logger.error(
                "After %s on report %s, %s failed",
                event.transition,
                event.report_id,
                getattr(receiver, "__qualname__", receiver),
                exc_info=result,
            )
