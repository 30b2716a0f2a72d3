"""Any change to a report's content after sign-off voids its signatures (see services)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import services, workflow
from .models import LearningReport, ReportSection


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
