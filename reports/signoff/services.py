"""Writes of the report's life after drafting: submission, review, sign-off, publication,
withdrawal, void-on-edit and sign-off links."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User

from .. import access, editions, workflow
from ..authoring.services import (
    AUTOSAVE,
    SectionConflict,
    forget_replaced_autosave,
    latest_revision,
)
from ..models import (
    LearningReport,
    ReportEvent,
    ReportSection,
    ReviewVisit,
    SectionComment,
    SectionStatus,
    Signature,
    SignoffLink,
    Status,
    Transition,
)
from ..richtext import sanitise, to_text
from ..template_sections import SECTIONS_BY_KEY
from ..versions import VersionMoved, check_based_on
from ..workflow import TransitionNotAllowed
from . import notifications

LOCAL_REFLECTIONS = "local_reflections"


# Said in the audit log of a sign-off: the signatory's confirmation of the safeguarding check.
SAFEGUARDING_CONFIRMED = (
    f"Safeguarding check confirmed: “{Signature.IDENTIFIABILITY_CONFIRMATION}.”"
)
# Without it, nothing is signed.
CONFIRM_IDENTIFIABILITY = (
    "Confirm that you have checked that this report does not identify any child, family or "
    "member of staff"
)


class ContentChangedWhileReviewing(Exception):
    """The report's text changed between the reviewer reading it and pressing the button."""


# --- Review by the local area -------------------------------------------------------------------


def _lock_for_review(report, actor) -> LearningReport:
    locked = LearningReport.objects.select_for_update().select_related("bsp").get(pk=report.pk)
    if not access.can_review(actor, locked):
        raise TransitionNotAllowed(
            "Only the local area can do this, while the report awaits sign-off."
        )
    return locked


@transaction.atomic
def add_section_comment(*, report, actor, section_key: str, body: str) -> SectionComment:
    """A reviewer's comment on one section; it goes to the authors with the review decision."""
    _lock_for_review(report, actor)
    if section_key not in SECTIONS_BY_KEY:
        raise ValidationError("Choose a section of the report.")
    comment = SectionComment(
        report=report, section_key=section_key, author=actor, body=body.strip()
    )
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def write_local_reflections(
    *, report, actor, body: str, based_on_version: int, autosave: bool = False
) -> ReportSection:
    """The local area writes its "Immediate reflections" section itself, during review, if the
    section is still the version the writer started from.

    ``based_on_version`` is the version the text was based on (0 when the section had no row
    yet). If the stored section has moved on, raises SectionConflict and saves nothing. Saving the
    same text again changes nothing (no new version). Autosaves of one sitting are one version in
    the history, as a section's are.
    """
    locked = _lock_for_review(report, actor)
    clean = sanitise(body)
    section = (
        ReportSection.objects.select_for_update()
        .filter(report=locked, key=LOCAL_REFLECTIONS)
        .first()
    )
    stored_version = section.version if section else 0
    unchanged = section is not None and section.body == clean
    try:
        if not check_based_on(
            stored=stored_version, based_on=based_on_version, nothing_to_save=unchanged
        ):
            return section  # the same words, whichever version they started from
    except VersionMoved:
        raise SectionConflict(section=section, mine=clean, key=LOCAL_REFLECTIONS) from None
    if unchanged:
        return section
    if section is None:
        section = ReportSection(report=locked, key=LOCAL_REFLECTIONS)
    previous = latest_revision(section)
    section.body = clean
    section.version = stored_version + 1
    section.status = SectionStatus.COMPLETED if to_text(clean) else SectionStatus.NOT_STARTED
    section.updated_by = actor
    # A sign-off link's holder is not signed in: name them in the history ourselves.
    section._history_user = actor
    section._change_reason = AUTOSAVE if autosave else "saved"
    section.save()
    if autosave:
        forget_replaced_autosave(previous, actor=actor)
    return section


def _send_pending_comments(report, event: ReportEvent) -> int:
    """Tie the comments not yet sent to the authors to the review decision that sends them."""
    return SectionComment.objects.filter(report=report, sent_with__isnull=True).update(
        sent_with=event
    )


@transaction.atomic
def request_changes(*, report, actor, comment: str) -> ReportEvent:
    """Send the report back to its authors with the reviewer's comments."""
    event = workflow.apply(
        report=report, name=Transition.REQUEST_CHANGES, actor=actor, comment=comment
    )
    _send_pending_comments(report, event)
    return event


def _typed_signature(kind, actor, full_name: str, role: str) -> Signature:
    """A signature typed on a page (name and role), dated by the server; not yet stored."""
    return Signature(
        kind=kind,
        signed_by=actor,
        name=full_name.strip(),
        role=role.strip(),
        signed_on=timezone.localdate(),
    )


def _store(signature, locked, *, content_hash: str = "") -> None:
    """Store ``signature`` on the locked report, over its content as it is now."""
    signature.report = locked
    signature.content_hash = content_hash or locked.content_hash()
    signature.full_clean()
    signature.save()


@transaction.atomic
def sign_off(
    *,
    report,
    actor,
    full_name: str,
    role: str,
    consent: bool,
    consent_reason: str = "",
    checked_identifiability: bool,
    seen_hash: str = "",
    link: SignoffLink | None = None,
) -> Signature:
    """The local area signs the report as it is now, and agrees (or not) to its publication.

    ``checked_identifiability`` is the signatory's confirmation that they have checked that the
    report does not identify any child, family or member of staff: without it nothing is
    signed; with it, it is stored with the signature and said in the audit log.
    ``seen_hash`` is the content hash of the page the reviewer read: if the text changed since,
    nothing is signed. ``link`` is the sign-off link used, which signing spends. The answer to
    the consent question (and why, when it is no) is recorded with the event in the audit log.
    """
    if checked_identifiability is not True:
        raise ValidationError(CONFIRM_IDENTIFIABILITY)
    signature = _typed_signature(Signature.Kind.LOCAL_AREA, actor, full_name, role)
    signature.checked_identifiability = True
    if link is not None:
        signature.method = Signature.Method.LINK

    def record(locked):
        current = locked.content_hash()
        if seen_hash and seen_hash != current:
            raise ContentChangedWhileReviewing(
                "The report changed while you were reading it. Read it again before you sign."
            )
        locked.consent_to_publish = bool(consent)
        _store(signature, locked, content_hash=current)

    decision = "Consent to publish on the microsite: " + ("yes." if consent else "no.")
    if not consent and consent_reason.strip():
        decision += f" Why: {consent_reason.strip()}"
    decision += f"\n{SAFEGUARDING_CONFIRMED}"
    event = workflow.apply(
        report=report, name=Transition.SIGN_OFF, actor=actor, comment=decision, before_save=record
    )
    _send_pending_comments(report, event)
    if link is not None:
        spent = SignoffLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not spent:
            raise TransitionNotAllowed("This sign-off link has already been used.")
    # The report is signed: any other link sent for it stops working now.
    SignoffLink.objects.filter(report=report, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return signature


def _check_signatures_match(locked, kinds):
    current = locked.content_hash()
    signatures = locked.current_signatures
    for kind in kinds:
        signature = signatures.get(kind)
        if signature is None or signature.content_hash != current:
            raise TransitionNotAllowed(
                "The signatures do not match the report's content: it needs signing off again."
            )


@transaction.atomic
def countersign(*, report, actor, full_name: str, role: str) -> Signature:
    """The TCE project lead countersigns what the local area signed."""
    signature = _typed_signature(Signature.Kind.TCE_LEAD, actor, full_name, role)

    def record(locked):
        _check_signatures_match(locked, [Signature.Kind.LOCAL_AREA])
        _store(signature, locked)

    workflow.apply(report=report, name=Transition.COUNTERSIGN, actor=actor, before_save=record)
    return signature


class ChangeNoteMissing(TransitionNotAllowed):
    """A report published before is published again without saying what changed."""


@transaction.atomic
def publish(*, report, actor, change_note: str = "") -> ReportEvent:
    """Put a countersigned report, with the local area's consent, on the microsite as its next
    edition. When an edition was published before, ``change_note`` (public) says what changed;
    the earlier edition stays at its own address."""
    locked = {}

    def check(report_row):
        _check_signatures_match(report_row, [Signature.Kind.LOCAL_AREA, Signature.Kind.TCE_LEAD])
        if report_row.published_before and not change_note.strip():
            raise ChangeNoteMissing(
                "Say what changed since the last edition: readers see it with the report."
            )
        locked["report"] = report_row

    event = workflow.apply(report=report, name=Transition.PUBLISH, actor=actor, before_save=check)
    edition = editions.freeze(
        report=locked["report"], event=event, actor=actor, change_note=change_note
    )
    report.published_edition = edition
    return event


@transaction.atomic
def start_revision(*, report, actor, reason: str) -> ReportEvent:
    """Correct or update a published report: its working copy becomes a draft to change, send,
    sign and countersign again, while the published edition stays on the microsite until the
    revision is published. ``reason`` (what needs changing) goes in the audit log."""

    def supersede_signatures(locked):
        locked.signatures.filter(superseded_at__isnull=True).update(superseded_at=timezone.now())
        locked.consent_to_publish = None

    return workflow.apply(
        report=report,
        name=Transition.REVISE,
        actor=actor,
        comment=reason,
        before_save=supersede_signatures,
    )


@transaction.atomic
def give_consent(*, report, actor, full_name: str, role: str) -> Signature:
    """The local area, which signed the report off without agreeing to its publication, agrees
    now: a new signature over the same content, with consent. The TCE project lead's
    countersignature stands (the content is the same), so the report can then be published."""
    signature = _typed_signature(Signature.Kind.LOCAL_AREA, actor, full_name, role)

    def record(locked):
        _check_signatures_match(locked, [Signature.Kind.LOCAL_AREA, Signature.Kind.TCE_LEAD])
        locked.signatures.filter(kind=Signature.Kind.LOCAL_AREA, superseded_at__isnull=True).update(
            superseded_at=timezone.now()
        )
        locked.consent_to_publish = True
        _store(signature, locked)

    workflow.apply(
        report=report,
        name=Transition.GIVE_CONSENT,
        actor=actor,
        comment="Consent to publish on the microsite: yes (given after sign-off).",
        before_save=record,
    )
    return signature


@transaction.atomic
def withdraw_consent(*, report, actor, reason: str) -> ReportEvent:
    """The local area takes back its agreement to publication. A published report is withdrawn
    (its address shows a notice; ``reason`` stays private, in the audit log); one not yet
    published will not be."""

    def record(locked):
        locked.consent_to_publish = False

    return workflow.apply(
        report=report,
        name=Transition.WITHDRAW_CONSENT,
        actor=actor,
        comment=f"Consent to publish on the microsite: withdrawn. Why: {reason.strip()}",
        before_save=record,
    )


@transaction.atomic
def withdraw(*, report, actor, reason: str) -> ReportEvent:
    """Take a published report off the microsite; its page then shows the public reason."""
    return workflow.apply(report=report, name=Transition.WITHDRAW, actor=actor, comment=reason)


@transaction.atomic
def reopen(*, report, actor, reason: str) -> ReportEvent:
    """Bring a withdrawn report back as a draft, to be revised, signed and published again. Its
    signatures are superseded and the consent asked again; until it is published again, its
    public address keeps the withdrawal notice."""

    def supersede_signatures(locked):
        locked.signatures.filter(superseded_at__isnull=True).update(superseded_at=timezone.now())
        locked.consent_to_publish = None

    return workflow.apply(
        report=report,
        name=Transition.REOPEN,
        actor=actor,
        comment=reason,
        before_save=supersede_signatures,
    )


@transaction.atomic
def void_signoff_if_content_changed(*, report_id, changed_by=None, what="") -> ReportEvent | None:
    """Content changed after sign-off: supersede the signatures and send the report back for
    sign-off (a published one becomes a revision; its edition stays public). Run on every save
    of a section; does nothing while the report is not signed."""
    report = LearningReport.objects.select_for_update().get(pk=report_id)
    if report.status not in workflow.SIGNED_STATES:
        return None
    current = report.content_hash()
    signatures = report.signatures.filter(superseded_at__isnull=True)
    hashes = {s.content_hash for s in signatures}
    if hashes == {current}:
        return None
    return _void_signoff(report, changed_by=changed_by, what=what)


@transaction.atomic
def void_signoff(*, report_id, changed_by=None, what="") -> ReportEvent | None:
    """A change the content hash does not cover (the title, the BSP details in the report's
    table) was made after sign-off: as for changed text, supersede the signatures and send the
    report back for sign-off. Does nothing while the report is not signed."""
    report = LearningReport.objects.select_for_update().get(pk=report_id)
    if report.status not in workflow.SIGNED_STATES:
        return None
    return _void_signoff(report, changed_by=changed_by, what=what)


def _void_signoff(report, *, changed_by, what) -> ReportEvent:
    report.signatures.filter(superseded_at__isnull=True).update(superseded_at=timezone.now())
    who = f" by {changed_by.full_name}" if changed_by is not None else ""
    comment = f"{what or 'The content'} was changed{who} after sign-off: the signatures are void."
    if report.status == Status.PUBLISHED:
        comment += (
            " A revision is open; the published edition stays on the microsite until the "
            "revision is signed off, countersigned and published."
        )

    def reset_consent(locked):
        locked.consent_to_publish = None

    return workflow.apply(
        report=report,
        name=Transition.VOID_SIGNOFF,
        actor=None,
        comment=comment,
        before_save=reset_consent,
    )


# --- Sign-off links -----------------------------------------------------------------------------


class LinkRecipientInvalid(Exception):
    pass


@transaction.atomic
def send_signoff_link(
    *, report, actor, email: str, full_name: str, job_title: str = ""
) -> SignoffLink:
    """E-mail a sign-off link for ``report`` to a local lead, creating their account (with no
    password) when they have none. The e-mail goes after the commit."""
    if not access.can_send_signoff_link(actor, report):
        raise TransitionNotAllowed("You cannot send a sign-off link for this report now.")
    email = User.objects.normalize_email(email).lower()
    recipient = User.objects.filter(email__iexact=email).first()
    if recipient is None:
        recipient = User(
            email=email,
            full_name=full_name.strip(),
            job_title=job_title.strip(),
            role=Role.LOCAL_LEAD,
            partnership=report.bsp.partnership,
        )
        recipient.set_unusable_password()
        recipient.full_clean()
        recipient.save()
    elif not access.is_local_lead_of(recipient, report):
        raise LinkRecipientInvalid(
            f"{email} belongs to someone who is not a local lead of "
            f"{report.bsp.partnership.name}: a sign-off link can only go to the local area."
        )
    now = timezone.now()
    link = SignoffLink.objects.create(
        report=report,
        recipient=recipient,
        sent_by=actor,
        sent_at=now,
        expires_at=now + datetime.timedelta(days=settings.SIGNOFF_LINK_DAYS),
    )
    transaction.on_commit(lambda: notifications.send_signoff_link_email(link.pk), robust=True)
    return link


# --- What a reviewer has seen -------------------------------------------------------------------


@transaction.atomic
def record_review_visit(*, report, user) -> ReviewVisit:
    """Note that ``user`` is looking at the review page now. When the report was submitted again
    since their previous look, that look becomes the baseline of "what changed"."""
    now = timezone.now()
    visit, created = ReviewVisit.objects.select_for_update().get_or_create(
        report=report, user=user, defaults={"last_viewed_at": now}
    )
    if created:
        return visit
    last_submitted = (
        report.events.filter(transition=Transition.SUBMIT)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
    ).first()
    if last_submitted is not None and visit.last_viewed_at < last_submitted:
        visit.baseline_at = visit.last_viewed_at
    visit.last_viewed_at = now
    visit.save(update_fields=["last_viewed_at", "baseline_at"])
    return visit
