"""The search document of each report: what the search engines (``reports.search``) read.

It is made from the report's current published edition (and its published addenda), never from
the working copy (a report
under revision is found by what its published edition says); a report with no edition has an
empty document. Rebuilt by the receivers in ``receivers.py`` when a report is published (or
withdrawn) and when a name the document holds changes (in the portal, the admin or the shell),
and in bulk by ``manage.py update_search_index``.
"""

from django.contrib.postgres.search import SearchVector
from django.db import connections, models

from .. import richtext
from ..models import SEARCH_COLUMNS, Addendum, LearningReport
from ..search import CONFIG
from ..template_sections import SECTION_KEYS


def document_parts(report, edition) -> dict[str, str]:
    """The plain text of a report's published ``edition`` (and its published addenda) by search
    weight."""
    bsp = report.bsp
    ordered = sorted(edition.sections.all(), key=lambda s: SECTION_KEYS.index(s.key))
    addenda = report.addenda.filter(published_at__isnull=False)
    return {
        "A": edition.title,
        "B": " ".join([bsp.partnership.name, bsp.local_area, bsp.region.name]),
        "C": "\n".join(
            [
                *(richtext.to_text(s.body) for s in ordered if s.body),
                *(f"{a.title}\n{richtext.to_text(a.body)}" for a in addenda),
            ]
        ),
    }


def update_search_document(report_id: int, *, using: str = "default") -> None:
    """Store the report's search text (and, on PostgreSQL, its weighted vector).

    Written with ``update()`` so it neither fires signals again nor touches ``updated_at``.
    """
    try:
        report = (
            LearningReport.objects.using(using)
            .select_related("bsp__partnership", "bsp__region", "published_edition")
            .get(pk=report_id)
        )
    except LearningReport.DoesNotExist:
        return
    vendor = connections[using].vendor
    if report.published_edition is None:
        values = {"search_text": "", "search_vector": None}
    else:
        values = search_values(document_parts(report, report.published_edition), vendor=vendor)
    LearningReport.objects.using(using).filter(pk=report_id).update(**values)


def search_values(parts: dict[str, str], *, vendor: str) -> dict:
    """The field values to store for a report's ``document_parts``."""
    # The sections come first, so that a snippet quotes the report's text where it can.
    values = {"search_text": "\n".join([parts["C"], parts["A"], parts["B"]])}
    if vendor == "postgresql":
        values["search_vector"] = _weighted_vector(parts)
    return values


def _weighted_vector(parts: dict[str, str]):
    vector = None
    for weight, text in parts.items():
        part = SearchVector(
            models.Value(text, output_field=models.TextField()), weight=weight, config=CONFIG
        )
        vector = part if vector is None else vector + part
    return vector


def update_search_documents(report_ids, batch_size: int = 500, *, using: str = "default") -> int:
    """``update_search_document`` for many reports, a batch at a time: four queries to read a
    batch (the reports with their BSP, partnership, region and published edition; the editions'
    sections; the published addenda) and one ``bulk_update`` to write it, instead of several
    queries per report. It stores the same values as ``update_search_document`` and, like it,
    neither fires signals nor touches ``updated_at``.

    Returns how many reports it updated (ids of reports that do not exist are skipped).
    """
    vendor = connections[using].vendor
    ids = list(report_ids)
    updated = 0
    for start in range(0, len(ids), batch_size):
        reports = list(
            LearningReport.objects.using(using)
            .filter(pk__in=ids[start : start + batch_size])
            .select_related("bsp__partnership", "bsp__region", "published_edition")
            .prefetch_related(
                "published_edition__sections",
                models.Prefetch(
                    "addenda",
                    queryset=Addendum.objects.using(using).filter(published_at__isnull=False),
                    to_attr="published_addenda",
                ),
            )
            .defer(*SEARCH_COLUMNS)
        )
        # Off PostgreSQL a published report's vector is left as it is (``search_values`` makes
        # none), as update_search_document leaves it: the two kinds are written separately.
        with_edition, without_edition = [], []
        for report in reports:
            if report.published_edition is None:
                report.search_text, report.search_vector = "", None
                without_edition.append(report)
            else:
                parts = _prefetched_document_parts(report, report.published_addenda)
                for name, value in search_values(parts, vendor=vendor).items():
                    setattr(report, name, value)
                with_edition.append(report)
        manager = LearningReport.objects.using(using)
        if with_edition:
            fields = ["search_text", "search_vector"] if vendor == "postgresql" else ["search_text"]
            manager.bulk_update(with_edition, fields, batch_size=batch_size)
        if without_edition:
            manager.bulk_update(
                without_edition, ["search_text", "search_vector"], batch_size=batch_size
            )
        updated += len(reports)
    return updated


def _prefetched_document_parts(report, published_addenda) -> dict[str, str]:
    """``document_parts`` of the report's published edition, from prefetched rows."""
    edition = report.published_edition
    bsp = report.bsp
    ordered = sorted(edition.sections.all(), key=lambda s: SECTION_KEYS.index(s.key))
    return {
        "A": edition.title,
        "B": " ".join([bsp.partnership.name, bsp.local_area, bsp.region.name]),
        "C": "\n".join(
            [
                *(richtext.to_text(s.body) for s in ordered if s.body),
                *(f"{a.title}\n{richtext.to_text(a.body)}" for a in published_addenda),
            ]
        ),
    }
