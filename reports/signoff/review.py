"""Reads for the review and sign-off pages: what changed since a reviewer last looked, and the
comments on each section. (Where the report stands in the audit log, the voided sign-off, the
re-opening and the last request for changes, are ``LearningReport`` methods.)"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max
from django.utils.safestring import SafeString

from ..diffs import has_changed, html_diff
from ..models import ReportSection, SectionComment
from ..template_sections import SECTIONS


@dataclass(frozen=True)
class SectionChange:
    key: str
    heading: str
    diff: SafeString
    is_new: bool


def changes_since(report, when) -> list[SectionChange]:
    """Each section whose text differs from what it was at ``when``, with a word diff.

    Two queries: the latest historical version of each section at ``when``, then those rows.
    """
    Historical = ReportSection.history.model
    latest_ids = (
        Historical.objects.filter(report_id=report.pk, history_date__lte=when)
        .values("id")
        .annotate(last=Max("history_id"))
        .values_list("last", flat=True)
    )
    then = {
        h.id: ("" if h.history_type == "-" else h.body)
        for h in Historical.objects.filter(history_id__in=list(latest_ids))
    }
    now = report.sections_by_key
    changes = []
    for spec in SECTIONS:
        section = now.get(spec.key)
        if section is None:
            continue
        old = then.get(section.pk, "")
        if has_changed(old, section.body):
            changes.append(
                SectionChange(
                    key=spec.key,
                    heading=spec.heading,
                    diff=html_diff(old, section.body),
                    is_new=section.pk not in then,
                )
            )
    return changes


def comments_by_section(report) -> dict[str, list[SectionComment]]:
    grouped = defaultdict(list)
    for comment in report.comments.select_related("author", "sent_with"):
        grouped[comment.section_key].append(comment)
    return dict(grouped)
