"""What keeps the public microsite in step with the data.

On ``editions.edition_published`` and ``addenda.services.addendum_published``, in the publishing
transaction: the report's search document is made again, from its new edition or with its new
addendum (``search_index.update_search_document``).

On the domain event (``workflow.report_transitioned``: a new edition published, a report
withdrawn...), and on model signals for every saved change to what the public pages show (reports,
the register and the names it uses), including changes made in the admin or the shell:
- the cached public pages are cleared (``caching.clear_public_pages``);
- for renamed partnerships and regions, the reports' search documents are rebuilt.

A report's sections are its working copy: the public reads its published edition, which only a
publication changes, so saving a section touches neither the cache nor the search document.
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

from .. import editions, workflow
from ..addenda import services as addenda_services
from ..models import LearningReport
from .caching import clear_public_pages
from .search_index import update_search_document


@receiver(editions.edition_published, dispatch_uid="search_document_of_new_edition")
def edition_published(sender, edition, **kwargs):
    update_search_document(edition.report_id)


@receiver(addenda_services.addendum_published, dispatch_uid="search_document_of_new_addendum")
def addendum_published(sender, addendum, **kwargs):
    update_search_document(addendum.report_id)


@receiver(workflow.report_transitioned, dispatch_uid="microsite_cache_after_transition")
def transitioned(sender, event, **kwargs):
    clear_public_pages()


@receiver(post_save, sender=LearningReport, dispatch_uid="report_saved_cache")
def report_saved(sender, instance, raw=False, **kwargs):
    """A report the public can see (or its withdrawal notice): its address and title are on the
    public pages. A draft that was never published is on none of them, so saving it (a new
    report, an author at work) leaves the cache alone; its publication is a transition."""
    if instance.published_edition_id is not None or instance.withdrawn_at is not None:
        clear_public_pages()


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
    clear_public_pages()


@receiver(post_save, sender=BespokeSupportProject, dispatch_uid="bsp_saved_cache")
@receiver(post_delete, sender=BespokeSupportProject, dispatch_uid="bsp_deleted_cache")
@receiver(post_delete, sender=LearningReport, dispatch_uid="report_deleted_cache")
@receiver(post_save, sender=Theme, dispatch_uid="theme_saved_cache")
@receiver(post_save, sender=Methodology, dispatch_uid="methodology_saved_cache")
@receiver(post_save, sender=Agency, dispatch_uid="agency_saved_cache")
@receiver(post_save, sender=PartnershipAgency, dispatch_uid="agency_listed_cache")
@receiver(post_delete, sender=PartnershipAgency, dispatch_uid="agency_unlisted_cache")
def register_changed(sender, **kwargs):
    clear_public_pages()


@receiver(m2m_changed, sender=BespokeSupportProject.themes.through, dispatch_uid="bsp_themes")
@receiver(
    m2m_changed, sender=BespokeSupportProject.methodologies.through, dispatch_uid="bsp_methods"
)
def register_links_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        clear_public_pages()
