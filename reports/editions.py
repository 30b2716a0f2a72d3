"""Published editions: freezing what was signed when it is published.

``freeze`` is called by publishing (``reports.signoff.services.publish``), inside the same
transaction as the transition, with the report's row locked: a report has exactly one current
edition (``LearningReport.published_edition``), replaced only by the next publication.

It sends ``edition_published`` (with ``edition``) in that transaction, so that what is made from
the edition (the search document: ``reports.microsite.receivers``) changes with it or not at all.
"""

from django.dispatch import Signal

from .models import Edition, EditionSection, LearningReport, Signature

edition_published = Signal()


def freeze(*, report: LearningReport, event, actor, change_note: str = "") -> Edition:
    """Make the report's next edition from its working copy as it is now (signed and
    countersigned), and make it the one the public reads. ``report`` must be locked."""
    signatures = report.current_signatures
    previous = report.published_edition
    edition = Edition(
        report=report,
        number=(report.editions.order_by("-number").values_list("number", flat=True).first() or 0)
        + 1,
        title=report.title,
        details=[list(row) for row in report.details_rows],
        local_signature=signatures[Signature.Kind.LOCAL_AREA],
        tce_signature=signatures[Signature.Kind.TCE_LEAD],
        content_hash=report.content_hash(),
        change_note=change_note.strip() if previous is not None else "",
        published_at=event.created_at,
        published_by=actor,
        event=event,
    )
    edition.full_clean()
    edition.save()
    EditionSection.objects.bulk_create(
        EditionSection(edition=edition, key=section.key, body=section.body)
        for section in report.sections.all()
    )
    LearningReport.objects.filter(pk=report.pk).update(published_edition=edition)
    report.published_edition = edition
    edition_published.send(sender=Edition, edition=edition)
    return edition
