"""Writing, signing and publishing addenda.

An addendum is written by one side (a local lead of the partnership, or the BSP's TCE project
lead or a programme admin), who signs it as they send it; it is published when the other side
countersigns. The report's status, its published edition and its signatures never change. Each
step is in the report's audit log, and ``workflow.announce`` tells the capabilities (e-mail, the
PDF, the page cache) once it is committed. ``addendum_published`` is sent in the publishing
transaction, for what is made from it at once (the search document).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from .. import access, workflow
from ..models import Addendum, LearningReport, ReportEvent, Transition
from ..richtext import sanitise, to_text
from ..workflow import TransitionNotAllowed

addendum_published = Signal()


def _sign(addendum, side, *, actor, full_name, role):
    prefix = "local" if side == Addendum.Side.LOCAL_AREA else "tce"
    setattr(addendum, f"{prefix}_name", full_name.strip())
    setattr(addendum, f"{prefix}_role", role.strip())
    setattr(addendum, f"{prefix}_signed_on", timezone.localdate())
    setattr(addendum, f"{prefix}_signed_by", actor)


def _record(report, name, actor, comment) -> ReportEvent:
    return workflow.record(report=report, name=name, actor=actor, comment=comment, announce_it=True)


@transaction.atomic
def write(*, report, actor, title: str, body: str, full_name: str, role: str) -> Addendum:
    """``actor`` writes an addendum to the published ``report`` and signs it for their side."""
    locked = LearningReport.objects.select_for_update().select_related("bsp").get(pk=report.pk)
    if not access.can_write_addendum(actor, locked):
        raise TransitionNotAllowed(
            "Only the local area or the TCE project lead can add an addendum, to a published "
            "report."
        )
    clean = sanitise(body)
    if not to_text(clean):
        raise ValidationError("Write the addendum.")
    addendum = Addendum(
        report=locked,
        edition=locked.published_edition,
        title=title.strip(),
        body=clean,
        written_by=actor,
        content_hash=Addendum.hash_of(title.strip(), clean),
    )
    side = access.addendum_side(actor, locked)
    _sign(addendum, side, actor=actor, full_name=full_name, role=role)
    addendum.full_clean()
    addendum.save()
    _record(
        locked,
        Transition.SIGN_ADDENDUM,
        actor,
        f"Addendum “{addendum.title}” written and signed for {side.label} by {full_name.strip()}"
        f"{', ' + role.strip() if role.strip() else ''}. It waits for "
        f"{addendum.waiting_for.label}'s signature.",
    )
    return addendum


@transaction.atomic
def countersign(*, addendum, actor, full_name: str, role: str, seen_hash: str = "") -> Addendum:
    """The other side signs the addendum as they read it (``seen_hash``), which publishes it."""
    locked = Addendum.objects.select_for_update().select_related("report__bsp").get(pk=addendum.pk)
    if locked.published_at is not None and access.addendum_side(actor, locked.report):
        raise TransitionNotAllowed(f"The addendum “{locked.title}” is published already.")
    if not access.can_sign_addendum(actor, locked):
        raise TransitionNotAllowed("You cannot sign this addendum.")
    if seen_hash and seen_hash != locked.content_hash:
        raise TransitionNotAllowed("The addendum changed while you were reading it.")
    side = locked.waiting_for
    _sign(locked, side, actor=actor, full_name=full_name, role=role)
    locked.published_at = timezone.now()
    locked.full_clean()
    locked.save()
    _record(
        locked.report,
        Transition.PUBLISH_ADDENDUM,
        actor,
        f"Addendum “{locked.title}” signed for {side.label} by {full_name.strip()}"
        f"{', ' + role.strip() if role.strip() else ''}: published under the report.",
    )
    addendum_published.send(sender=Addendum, addendum=locked)
    return locked
