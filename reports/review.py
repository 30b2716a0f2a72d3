"""Reads for the review and sign-off pages: what changed since a reviewer last looked, the
comments on each section, and whether the sign-off was voided."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max
from django.utils.safestring import SafeString

from .diffs import has_changed, html_diff
from .models import ReportEvent, ReportSection, SectionComment, Status
from .template_sections import SECTIONS


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


def voided_signoff(report) -> ReportEvent | None:
    """The event that voided the sign-off, while the report has not been signed off since."""
    last = (
        report.events.filter(transition__in=["void_signoff", "sign_off"])
        .order_by("-created_at", "-pk")
        .first()
    )
    return last if last is not None and last.transition == "void_signoff" else None


def reopening(report) -> ReportEvent | None:
    """Why a withdrawn report was re-opened, while it waits to be published again."""
    if report.withdrawn_at is None or report.status == Status.WITHDRAWN:
        return None
    return (
        report.events.filter(transition="reopen")
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def last_changes_request(report) -> ReportEvent | None:
    return (
        report.events.filter(transition="request_changes")
        .select_related("actor")
        .prefetch_related("comments")
        .order_by("-created_at", "-pk")
        .first()
    )
