"""Who may see and change which report: one place, used by every view, queryset and template.

- Programme admins: every report.
- TCE project leads: the reports of BSPs they lead.
- Delivery partners: the reports of BSPs they are assigned to.
- Local leads: the reports of their own partnership.
- Anyone else: nothing here (the public sees published reports through `published()`).

Another partnership's report is a 404 (`get_report_or_404`), never a 403 that confirms it exists.
"""

from django.http import Http404

from accounts.models import Role

from .models import Addendum, LearningReport, Status

# The states in which the authors may still change the text.
AUTHOR_EDITABLE_STATES = {Status.DRAFT, Status.CHANGES_REQUESTED}


def reports_for(user, queryset=None):
    """The reports ``user`` may see as a member of the programme (drafts included)."""
    queryset = LearningReport.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role == Role.PROGRAMME_ADMIN:
        return queryset
    if user.role == Role.TCE_LEAD:
        return queryset.filter(bsp__tce_lead=user)
    if user.role == Role.DELIVERY_PARTNER:
        return queryset.filter(bsp__delivery_partners=user).distinct()
    if user.role == Role.LOCAL_LEAD and user.partnership_id:
        return queryset.filter(bsp__partnership_id=user.partnership_id)
    return queryset.none()


def get_report_or_404(user, queryset=None, **lookup):
    try:
        return reports_for(user, queryset).get(**lookup)
    except LearningReport.DoesNotExist as missing:
        raise Http404("No such report.") from missing


def can_view(user, report) -> bool:
    return reports_for(user).filter(pk=report.pk).exists()


def can_edit_content(user, report) -> bool:
    """Authors (assigned delivery partners, the BSP's TCE lead, admins) change the text of a
    report while it is a draft or has changes requested. Local leads review; they write only the
    local area's reflections, during review (see the sign-off workflow)."""
    if report.status not in AUTHOR_EDITABLE_STATES:
        return False
    return is_author(user, report)


def is_author(user, report) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.PROGRAMME_ADMIN:
        return True
    if user.role == Role.TCE_LEAD:
        return report.bsp.tce_lead_id == user.pk
    if user.role == Role.DELIVERY_PARTNER:
        bsp = report.bsp
        # Listings prefetch the partners (`with_access_data`): answer from memory, not per row.
        prefetched = getattr(bsp, "_prefetched_objects_cache", {})
        if "delivery_partners" in prefetched:
            return any(partner.pk == user.pk for partner in prefetched["delivery_partners"])
        return bsp.delivery_partners.filter(pk=user.pk).exists()
    return False


def with_access_data(queryset):
    """What the predicates above read, fetched once for a whole listing of reports."""
    return queryset.select_related("bsp").prefetch_related("bsp__delivery_partners")


def can_create_reports(user) -> bool:
    """Programme admins start a report for a BSP that has none."""
    return user.is_authenticated and user.is_active and user.role == Role.PROGRAMME_ADMIN


def can_start_report(user, bsp) -> bool:
    """Programme admins start any BSP's report; a TCE project lead starts the report of a BSP
    they lead by importing it from a document."""
    if can_create_reports(user):
        return True
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.TCE_LEAD
        and bsp.tce_lead_id == user.pk
    )


def can_import(user) -> bool:
    """Programme admins and TCE project leads import existing reports from documents (into a
    report they may write: see ``reports.importing.services``)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role in (Role.PROGRAMME_ADMIN, Role.TCE_LEAD)
    )


def is_local_lead_of(user, report) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.LOCAL_LEAD
        and user.partnership_id == report.bsp.partnership_id
    )


def is_tce_lead_of(user, report) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and (
            user.role == Role.PROGRAMME_ADMIN
            or (user.role == Role.TCE_LEAD and report.bsp.tce_lead_id == user.pk)
        )
    )


def can_review(user, report) -> bool:
    """The local area reviews while the report awaits its sign-off: comments on sections, writes
    its own reflections, requests changes or signs off (the last two are transitions)."""
    return report.status == Status.AWAITING_SIGNOFF and is_local_lead_of(user, report)


def can_see_audit(user, report) -> bool:
    """The audit log is for people with an account on the report, not for sign-off links."""
    return can_view(user, report)


def can_send_signoff_link(user, report) -> bool:
    """The BSP's TCE project lead (or an admin) sends sign-off links while the report awaits
    sign-off."""
    return report.status == Status.AWAITING_SIGNOFF and is_tce_lead_of(user, report)


def addendum_side(user, report) -> Addendum.Side | None:
    """Which side ``user`` signs an addendum to ``report`` for: the local area (its local leads)
    or the TCE project lead (the BSP's, or a programme admin); None for anyone else."""
    if is_local_lead_of(user, report):
        return Addendum.Side.LOCAL_AREA
    if is_tce_lead_of(user, report):
        return Addendum.Side.TCE_LEAD
    return None


def can_write_addendum(user, report) -> bool:
    """Either side adds an addendum to a report while it is on the microsite."""
    return report.is_public and addendum_side(user, report) is not None


def can_sign_addendum(user, addendum) -> bool:
    """The side an unpublished addendum waits for signs it (publishing it)."""
    return (
        addendum.published_at is None
        and addendum.report.is_public
        and addendum.waiting_for is not None
        and addendum_side(user, addendum.report) == addendum.waiting_for
    )


def can_see_private_notes(user, report) -> bool:
    """Notes for the programme team (``PrivateNote``) are read and written by the programme's
    people on the report: programme admins, its TCE project lead and its delivery partners (its
    authors). Never the local area (local leads, sign-off links) and never the public."""
    return is_author(user, report)


__all__ = [
    "AUTHOR_EDITABLE_STATES",
    "addendum_side",
    "can_create_reports",
    "can_edit_content",
    "can_import",
    "can_review",
    "can_see_audit",
    "can_see_private_notes",
    "can_send_signoff_link",
    "can_sign_addendum",
    "can_view",
    "can_write_addendum",
    "get_report_or_404",
    "is_author",
    "is_local_lead_of",
    "is_tce_lead_of",
    "reports_for",
    "with_access_data",
]
