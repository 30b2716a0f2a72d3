"""What follows a change of a report, for sign-off.

On the domain event (``workflow.report_transitioned``):
- the people who act next are e-mailed (``notifications.send_for_event``).

On model signals, because changes made in the admin or the shell must be caught too:
- ``ReportSection`` saved or deleted, ``LearningReport`` title changed, ``BespokeSupportProject``
  fields of the details table changed, its methodologies ticked or unticked: a report that was
  signed off has its signatures voided (``services.void_signoff``), since what was signed changed.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from partnerships.models import BespokeSupportProject

from .. import workflow
from ..models import LearningReport, ReportSection
from . import notifications, services


@receiver(workflow.report_transitioned, dispatch_uid="signoff_email_after_transition")
def email_the_next_people(sender, event, **kwargs):
    notifications.send_for_event(event.pk)


@receiver(post_save, sender=ReportSection, dispatch_uid="void_signoff_on_section_save")
@receiver(post_delete, sender=ReportSection, dispatch_uid="void_signoff_on_section_delete")
def void_signoff_on_content_change(sender, instance, raw=False, **kwargs):
    if raw:
        return
    signed = LearningReport.objects.filter(
        pk=instance.report_id, status__in=workflow.SIGNED_STATES
    ).exists()
    if not signed:
        return
    # simple-history recorded this change just before us: it knows who made it.
    latest = instance.history.order_by("-history_date", "-history_id").first()
    services.void_signoff_if_content_changed(
        report_id=instance.report_id,
        changed_by=latest.history_user if latest is not None else None,
        what=f"“{instance.heading}”",
    )


@receiver(post_save, sender=LearningReport, dispatch_uid="void_signoff_on_title_change")
def void_signoff_on_title_change(sender, instance, created=False, raw=False, **kwargs):
    """The title heads the report, its page and its PDF: changed after sign-off (in the admin,
    the shell), it voids the sign-off as changed text does. The content hash covers the sections
    only (signatures already stored keep matching), so the change is read from the history."""
    if raw or created or instance.status not in workflow.SIGNED_STATES:
        return
    # simple-history recorded this save just before us: compare it with the one before.
    records = list(instance.history.order_by("-history_date", "-history_id")[:2])
    if len(records) < 2 or records[0].title == records[1].title:
        return
    event = services.void_signoff(
        report_id=instance.pk, changed_by=records[0].history_user, what="The title"
    )
    if event is not None:
        # The object that was saved follows the database: saving it again cannot undo the void.
        for field in ("status", "consent_to_publish"):
            setattr(instance, field, getattr(event.report, field))


@receiver(post_save, sender=BespokeSupportProject, dispatch_uid="void_signoff_on_bsp_change")
def void_signoff_on_bsp_change(sender, instance, created=False, raw=False, **kwargs):
    """The BSP's fields make the report's "Details of Bespoke Support Project" table: changed
    after sign-off (in the admin, the shell), they void the sign-off as changed text does."""
    if raw or created:
        return
    report = LearningReport.objects.filter(
        bsp_id=instance.pk, status__in=workflow.SIGNED_STATES
    ).first()
    if report is None:
        return
    # simple-history recorded this save just before us: compare it with the one before.
    records = list(instance.history.order_by("-history_date", "-history_id")[:2])
    if len(records) < 2:
        return
    fields = [instance._meta.get_field(name) for name in instance.REPORT_DETAILS_FIELDS]
    changed = [
        f for f in fields if getattr(records[0], f.attname) != getattr(records[1], f.attname)
    ]
    if changed:
        services.void_signoff(
            report_id=report.pk,
            changed_by=records[0].history_user,
            what=f"The BSP details ({', '.join(str(f.verbose_name) for f in changed)})",
        )


@receiver(
    m2m_changed,
    sender=BespokeSupportProject.methodologies.through,
    dispatch_uid="void_signoff_on_bsp_methodologies",
)
def void_signoff_on_bsp_methodologies(sender, instance, action, reverse, pk_set, **kwargs):
    """Ticked or unticked methodologies (``bsp.methodologies``: simple-history, which records
    them, does not support changes made from the methodology's side). A clear is seen before it
    happens, so that clearing nothing changes nothing."""
    if reverse:
        return
    if action in ("post_add", "post_remove"):
        if not pk_set:
            return  # set() with nothing to change
    elif action != "pre_clear" or not instance.methodologies.exists():
        return
    report = LearningReport.objects.filter(
        bsp_id=instance.pk, status__in=workflow.SIGNED_STATES
    ).first()
    if report is not None:
        latest = instance.history.order_by("-history_date", "-history_id").first()
        services.void_signoff(
            report_id=report.pk,
            changed_by=latest.history_user if latest is not None else None,
            what="The BSP details (methodologies)",
        )
