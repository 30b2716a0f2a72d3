"""Keep derived things in step with the data.

- Any change to a report's content after sign-off (a section's text, the title, the BSP details
  in its table) voids its signatures (see services).
- A report or section change refreshes that report's search document; any change to what the
  public pages show (reports, sections, the register) bumps the cache version (see
  ``reports.caching``).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from partnerships.models import (
    Agency,
    BespokeSupportProject,
    Methodology,
    Partnership,
    PartnershipAgency,
    Region,
    Theme,
)

from . import services, workflow
from .caching import bump_public_version
from .models import LearningReport, ReportSection
from .search import update_search_document


@receiver(post_save, sender=LearningReport, dispatch_uid="report_saved_search_and_cache")
def report_saved(sender, instance, raw=False, using="default", **kwargs):
    if not raw:
        update_search_document(instance.pk, using=using)
    bump_public_version()


@receiver(post_save, sender=ReportSection, dispatch_uid="section_saved_search_and_cache")
@receiver(post_delete, sender=ReportSection, dispatch_uid="section_deleted_search_and_cache")
def section_changed(sender, instance, raw=False, using="default", **kwargs):
    if not raw:
        update_search_document(instance.report_id, using=using)
    bump_public_version()


@receiver(post_save, sender=Partnership, dispatch_uid="partnership_saved_search_and_cache")
@receiver(post_save, sender=Region, dispatch_uid="region_saved_search_and_cache")
def place_renamed(sender, instance, raw=False, using="default", **kwargs):
    """Partnership and region names are in the search documents of their reports."""
    if not raw:
        lookup = "bsp__partnership" if sender is Partnership else "bsp__region"
        for pk in (
            LearningReport.objects.using(using)
            .filter(**{lookup: instance})
            .values_list("pk", flat=True)
        ):
            update_search_document(pk, using=using)
    bump_public_version()


@receiver(post_save, sender=BespokeSupportProject, dispatch_uid="bsp_saved_cache")
@receiver(post_delete, sender=BespokeSupportProject, dispatch_uid="bsp_deleted_cache")
@receiver(post_delete, sender=LearningReport, dispatch_uid="report_deleted_cache")
@receiver(post_save, sender=Theme, dispatch_uid="theme_saved_cache")
@receiver(post_save, sender=Methodology, dispatch_uid="methodology_saved_cache")
@receiver(post_save, sender=Agency, dispatch_uid="agency_saved_cache")
@receiver(post_save, sender=PartnershipAgency, dispatch_uid="agency_listed_cache")
@receiver(post_delete, sender=PartnershipAgency, dispatch_uid="agency_unlisted_cache")
def register_changed(sender, **kwargs):
    bump_public_version()


@receiver(m2m_changed, sender=BespokeSupportProject.themes.through, dispatch_uid="bsp_themes")
@receiver(
    m2m_changed, sender=BespokeSupportProject.methodologies.through, dispatch_uid="bsp_methods"
)
def register_links_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        bump_public_version()


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
