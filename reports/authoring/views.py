"""Authoring: the signed-in pages where delivery partners (and TCE leads, admins) write reports.

Every view finds its report through `access.get_report_or_404`, so another partnership's report is
a 404. People who may see a report but not change it (local leads, or anyone once it has gone for
sign-off) are sent from the editing pages to the overview; their POSTs are refused (403).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from accounts.keeping_text import login_required
from partnerships.models import BespokeSupportProject, with_agencies

from .. import access, next_steps, workflow
from ..diffs import html_diff
from ..due_dates import default_signoff_due
from ..models import LearningReport, ReportSection, SectionStatus, Status, Transition
from ..rendering import build_document
from ..richtext import sanitise, word_count
from ..safeguarding import findings
from ..safeguarding.forms import with_dismiss_forms
from ..template_sections import SECTIONS, SECTIONS_BY_KEY, SectionSpec
from . import editor, services
from .forms import (
    BSPDetailsForm,
    CreateReportForm,
    RestoreForm,
    SectionForm,
    SendForSignoffForm,
)

HistoricalSection = ReportSection.history.model

# Where each problem of `completeness.problems` is put right.
DETAIL_ANCHORS = {
    "bsp.delivery_mode": "id_delivery_mode_0",
    "bsp.commenced": "id_commenced_month",
    "bsp.methodologies": "id_methodologies_0",
}


def authoring_reports():
    """Reports with what the authoring pages and the access predicates read, in few queries."""
    return access.with_access_data(
        LearningReport.objects.select_related(
            "bsp__partnership", "bsp__region", "bsp__tce_lead", "published_edition"
        ).prefetch_related("sections")
    )


def _report(request, slug, *, details=False):
    queryset = authoring_reports()
    if details:
        queryset = queryset.prefetch_related(
            "bsp__methodologies", with_agencies("bsp__partnership__"), "signatures"
        )
    return access.get_report_or_404(request.user, queryset, slug=slug)


def _authored(spec: SectionSpec) -> bool:
    return not spec.written_by_local_area


@dataclass
class Task:
    """A row of the overview's task list."""

    spec: SectionSpec
    section: ReportSection | None
    url: str

    @property
    def status(self):
        return self.section.status if self.section else SectionStatus.NOT_STARTED

    @property
    def status_label(self):
        return SectionStatus(self.status).label


def _tasks(report, *, editable: bool) -> list[Task]:
    tasks = []
    for spec in SECTIONS:
        url = ""
        if editable and _authored(spec):
            url = reverse("reports:section-edit", kwargs={"slug": report.slug, "key": spec.key})
        tasks.append(Task(spec=spec, section=report.sections_by_key.get(spec.key), url=url))
    return tasks


@login_required
def dashboard(request):
    """ "My reports": the reports the signed-in person works on, each with its next step."""
    # The addenda: a published report's next step may be to sign one.
    reports = access.reports_for(
        request.user, authoring_reports().prefetch_related("addenda")
    ).order_by("title")
    rows = []
    for report in reports:
        complete, required = next_steps.required_sections_complete(report)
        rows.append(
            {
                "report": report,
                "written": complete,
                "required": required,
                "next": next_steps.next_step(request.user, report),
                "url": next_steps.landing_url(request.user, report),
            }
        )
    context = {
        "rows": rows,
        "can_create": access.can_create_reports(request.user),
        "can_import": access.can_import(request.user),
    }
    if context["can_create"]:
        context["bsps_without_report"] = BespokeSupportProject.objects.filter(
            learning_report__isnull=True
        ).count()
    return render(request, "reports/authoring/dashboard.html", context)


@login_required
def report_create(request):
    """A programme admin starts the report of a BSP that has none."""
    if not access.can_create_reports(request.user):
        raise PermissionDenied("Only programme admins start reports.")
    form = CreateReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        report = services.create_report(bsp=form.cleaned_data["bsp"], actor=request.user)
        messages.success(request, f"The report of {report.title} has been started.")
        return redirect("reports:report-overview", slug=report.slug)
    return render(request, "reports/authoring/report_create.html", {"form": form})


@login_required
def report_overview(request, slug):
    """The report as a task list: details table, every section with its status."""
    report = _report(request, slug, details=True)
    editable = access.can_edit_content(request.user, report)
    written, required = next_steps.required_sections_complete(report)
    tasks = _tasks(report, editable=editable)
    context = {
        "report": report,
        "editable": editable,
        "main_tasks": [t for t in tasks if not t.spec.group],
        "grouped_tasks": [t for t in tasks if t.spec.group],
        "group_heading": next(t.spec.group for t in tasks if t.spec.group),
        "written": written,
        "required": required,
        "can_submit": workflow.can(request.user, report, Transition.SUBMIT),
        "steps": next_steps.steps_for(request.user, report),
        "can_see_private_notes": access.can_see_private_notes(request.user, report),
        # While the authors revise it: why it was re-opened.
        "reopened": report.reopening() if report.status in access.AUTHOR_EDITABLE_STATES else None,
        "changes_request": report.last_changes_request()
        if report.status == Status.CHANGES_REQUESTED
        else None,
    }
    return render(request, "reports/authoring/overview.html", context)


def _refuse_edit(request, report, message):
    """Those who may see but not change: a GET goes back to the overview, a POST is refused."""
    if request.method == "POST":
        raise PermissionDenied(message)
    messages.info(request, message)
    return redirect("reports:report-overview", slug=report.slug)


def _why_not_editable(user, report) -> str:
    if access.is_author(user, report):
        return f"This report cannot be changed now: it is {report.status_phrase}."
    return "You can read this report; its delivery partners write it."


@login_required
def details_edit(request, slug):
    """The report's title and the BSP details table at the top of the report."""
    report = _report(request, slug, details=True)
    if not access.can_edit_content(request.user, report):
        return _refuse_edit(request, report, _why_not_editable(request.user, report))
    form = BSPDetailsForm(request.POST if request.method == "POST" else None, report=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_bsp_details(
                report=report,
                actor=request.user,
                details=form.details(),
                based_on_version=form.cleaned_data["based_on_version"],
            )
        except services.DetailsConflict as conflict:
            return _details_conflict(request, conflict)
        messages.success(request, "The title and BSP details have been saved.")
        return redirect("reports:report-overview", slug=report.slug)
    return render(request, "reports/authoring/details_edit.html", {"report": report, "form": form})


def _details_conflict(request, conflict):
    """A save based on old details: show the stored values beside the ones not saved, and the
    form again with the person's own input, now based on the stored version. Nothing was saved."""
    stored = conflict.report
    data = request.POST.copy()
    data["based_on_version"] = stored.details_version
    form = BSPDetailsForm(data, report=stored, submit_label="Save my version")
    context = {
        "report": stored,
        "form": form,
        "conflict": conflict,
        "comparison": form.comparison(conflict),
    }
    return render(request, "reports/authoring/details_edit.html", context, status=409)


def _next_section_url(report, key):
    keys = [s.key for s in SECTIONS if _authored(s)]
    position = keys.index(key)
    if position + 1 < len(keys):
        following = keys[position + 1]
        return reverse("reports:section-edit", kwargs={"slug": report.slug, "key": following})
    return reverse("reports:report-overview", kwargs={"slug": report.slug})


@login_required
def section_edit(request, slug, key):
    """One section: guidance, the rich-text editor, autosave (htmx) and the "completed" mark."""
    report = _report(request, slug)
    spec = SECTIONS_BY_KEY.get(key)
    if spec is None:
        raise Http404("No such section.")
    action_url = reverse("reports:section-edit", kwargs={"slug": report.slug, "key": key})
    if not _authored(spec):
        return _refuse_edit(request, report, "The local area writes this section at sign-off.")
    if not access.can_edit_content(request.user, report):
        if request.method == "POST" and access.is_author(request.user, report):
            return _not_saved(request, report, spec, request.POST.get("body", ""))
        return _refuse_edit(request, report, _why_not_editable(request.user, report))

    section = report.sections_by_key.get(key)
    if request.method == "POST":
        form = SectionForm(request.POST, action_url=action_url)
        if form.is_valid():
            try:
                saved = services.save_section(
                    report=report,
                    key=key,
                    actor=request.user,
                    body=form.cleaned_data["body"],
                    based_on_version=form.cleaned_data["based_on_version"],
                    completed=form.cleaned_data["completed"],
                    autosave=bool(request.htmx),
                )
            except services.SectionConflict as conflict:
                if request.htmx:
                    return _save_status(request, report, spec, conflict=conflict)
                return _conflict(request, report, spec, conflict, form.cleaned_data["completed"])
            except PermissionDenied:
                if request.htmx:
                    return _save_status(request, report, spec, refused=True)
                return _not_saved(request, report, spec, form.cleaned_data["body"])
            if request.htmx:
                return _save_status(request, report, spec, section=saved)
            messages.success(request, f"“{spec.heading}” has been saved.")
            if "save_next" in request.POST:
                return redirect(_next_section_url(report, key))
            return redirect("reports:report-overview", slug=report.slug)
        if request.htmx:
            return _save_status(request, report, spec, form=form)
    else:
        form = SectionForm(
            initial={
                "body": section.body if section else "",
                "based_on_version": section.version if section else 0,
                "completed": (
                    ("yes" if section.status == SectionStatus.COMPLETED else "no")
                    if section and section.status != SectionStatus.NOT_STARTED
                    else None
                ),
            },
            action_url=action_url,
        )
    body = form.data.get("body", "") if form.is_bound else form.initial["body"]
    return render(
        request,
        "reports/authoring/section_edit.html",
        {
            "report": report,
            "spec": spec,
            "section": section,
            "form": form,
            "word_count": word_count(body),
            "check": _section_check(report, key),
        },
    )


def _section_check(report, key, body=None):
    """The safeguarding check of the section, each open finding with its dismiss form."""
    check = findings.check_part(report, key, body=body)
    with_dismiss_forms(report, [check], back="section")
    return check


def _save_status(request, report, spec, *, section=None, **problem):
    """The autosave answer of a section (see ``editor.save_status``): after a save, the
    section's safeguarding check too, swapped in beside the editor."""
    context = {"report": report, "spec": spec, "saved": section}
    if section is not None:
        context["check"] = _section_check(report, spec.key, body=section.body)
    return editor.save_status(
        request, "reports/authoring/section_edit.html#save-status", context, **problem
    )


def _conflict(request, report, spec, conflict, completed):
    """A save based on an old version: show both texts and let the person choose. Nothing was
    saved."""
    stored = conflict.section
    action_url = reverse("reports:section-edit", kwargs={"slug": report.slug, "key": spec.key})
    form = SectionForm(
        initial={
            "body": conflict.mine,
            "based_on_version": stored.version if stored else 0,
            "completed": None if completed is None else ("yes" if completed else "no"),
        },
        action_url=action_url,
        autosave=False,
        submit_label="Save my version",
    )
    context = {
        "report": report,
        "spec": spec,
        "stored": stored,
        "mine": conflict.mine,
        "form": form,
        "diff": html_diff(stored.body if stored else "", conflict.mine),
        "word_count": word_count(conflict.mine),
        "edit_url": action_url,
    }
    return render(request, "reports/authoring/conflict.html", context, status=409)


def _not_saved(request, report, spec, body):
    return editor.not_saved(
        request,
        report=report,
        what="your text",
        reason=_why_not_editable(request.user, report),
        text_html=mark_safe(sanitise(body)),  # noqa: S308 - nh3-cleaned
        back_url=reverse("reports:report-overview", kwargs={"slug": report.slug}),
        breadcrumbs="reports/authoring/_breadcrumbs.html",
        status=403,
    )


@login_required
def report_preview(request, slug):
    """The report exactly as its public page will show it."""
    report = _report(request, slug, details=True)
    document = build_document(report)
    # Signed-in pages only: the passages the safeguarding check found, marked in place.
    parts = findings.check_report(report)
    findings.mark_document(document, parts)
    return render(
        request,
        "reports/authoring/preview.html",
        {
            "report": report,
            # The page of a published edition, showing the working copy instead.
            "edition": report,
            "current_edition": report,
            "document": document,
            "steps": next_steps.steps_for(request.user, report),
            **findings.summary(parts),
        },
    )


def _revisions(report):
    # Rows made when a report is started (empty sections) say nothing: leave them out.
    return (
        HistoricalSection.objects.filter(report_id=report.pk)
        .exclude(Q(history_type="+") & Q(body=""))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


@login_required
def report_history(request, slug):
    """Who changed which section when."""
    report = _report(request, slug)
    page = Paginator(_revisions(report), 50).get_page(request.GET.get("page"))
    for revision in page:
        revision.heading = SECTIONS_BY_KEY[revision.key].heading
    return render(request, "reports/authoring/history.html", {"report": report, "page": page})


@login_required
def section_history(request, slug, key):
    """The revisions of one section, a readable difference between any two, and restore."""
    report = _report(request, slug)
    spec = SECTIONS_BY_KEY.get(key)
    if spec is None:
        raise Http404("No such section.")
    revisions = list(_revisions(report).filter(key=key))
    by_id = {str(r.history_id): r for r in revisions}
    newer = by_id.get(request.GET.get("to", "")) or (revisions[0] if revisions else None)
    older = by_id.get(request.GET.get("from", ""))
    if older is None and newer is not None:
        position = revisions.index(newer)
        older = revisions[position + 1] if position + 1 < len(revisions) else None
    section = report.sections_by_key.get(key)
    can_restore = access.can_edit_content(request.user, report) and _authored(spec)
    context = {
        "report": report,
        "spec": spec,
        "section": section,
        "revisions": revisions,
        "older": older,
        "newer": newer,
        "diff": html_diff(older.body if older else "", newer.body) if newer else "",
        "can_restore": can_restore,
        "squash_minutes": int(services.AUTOSAVE_SQUASH_WINDOW.total_seconds() // 60),
    }
    return render(request, "reports/authoring/section_history.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def section_restore(request, slug, revision_id):
    """Restore an earlier version, once the person has seen what it will replace."""
    report = _report(request, slug)
    revision = get_object_or_404(HistoricalSection, report_id=report.pk, history_id=revision_id)
    spec = SECTIONS_BY_KEY[revision.key]
    if not access.can_edit_content(request.user, report) or not _authored(spec):
        raise PermissionDenied(_why_not_editable(request.user, report))
    history_url = reverse("reports:section-history", kwargs={"slug": slug, "key": revision.key})
    if request.method == "GET":
        current = report.sections_by_key.get(revision.key)
        context = {
            "report": report,
            "spec": spec,
            "revision": revision,
            "current": current,
            "diff": html_diff(current.body if current else "", revision.body),
            "history_url": history_url,
        }
        return render(request, "reports/authoring/section_restore.html", context)
    form = RestoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The restore could not be done: reload the page and try again.")
        return redirect(history_url)
    try:
        services.restore_revision(
            report=report,
            revision=revision,
            actor=request.user,
            based_on_version=form.cleaned_data["based_on_version"],
        )
    except services.SectionConflict:
        messages.error(
            request,
            "The section changed while you were looking at its history, so nothing was restored. "
            "Check the latest version below, then choose again.",
        )
        return redirect(history_url)
    messages.success(
        request,
        f"Version {revision.version} of “{spec.heading}” is the current text again. The text it "
        "replaced is kept in the history.",
    )
    return redirect(history_url)


@login_required
def report_send(request, slug):
    """Check the report is complete and send it to the local area for sign-off."""
    report = _report(request, slug, details=True)
    done = request.method == "POST" and workflow.already_done(
        report, Transition.SUBMIT, request.user
    )
    if done:  # a second press of "Send": the first one sent it
        messages.info(request, str(workflow.AlreadyDone(done)))
        return redirect("reports:report-overview", slug=report.slug)
    if not workflow.can(request.user, report, Transition.SUBMIT):
        return _refuse_edit(request, report, _why_not_editable(request.user, report))
    parts = with_dismiss_forms(report, findings.check_report(report), back="send")
    form = SendForSignoffForm(
        request.POST if request.method == "POST" else None,
        default_due_on=default_signoff_due(timezone.localdate()),
        open_findings=findings.open_count(parts),
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_for_signoff(
                report=report,
                actor=request.user,
                comment=form.cleaned_data["comment"],
                due_on=form.cleaned_data["due_on"],
            )
        except services.ReportIncomplete as incomplete:
            problems = [
                {"message": p.message, "url": _problem_url(request.user, report, p)}
                for p in incomplete.problems
            ]
        except workflow.AlreadyDone as done:  # pressed twice at once: the other press sent it
            messages.info(request, str(done))
            return redirect("reports:report-overview", slug=report.slug)
        except workflow.TransitionNotAllowed as refused:
            messages.error(request, str(refused))
            return redirect("reports:report-overview", slug=report.slug)
        else:
            due = formats.date_format(report.signoff_due_on, "l j F Y")
            messages.success(
                request,
                "The report has been sent to the local area for sign-off. They are asked to sign "
                f"it off by {due}.",
            )
            return redirect("reports:report-overview", slug=report.slug)
    written, required = next_steps.required_sections_complete(report)
    context = {
        "report": report,
        "form": form,
        "problems": problems,
        "tasks": _tasks(report, editable=True),
        "written": written,
        "required": required,
        **findings.summary(parts),
    }
    return render(request, "reports/authoring/send.html", context)


def _problem_url(user, report, problem):
    """Where to fix it; none when only a programme admin can, and this is not one."""
    field = problem.field
    if problem.for_admin:
        if not (user.is_staff and user.has_perm("partnerships.change_partnership")):
            return ""
        return reverse("admin:partnerships_partnership_change", args=[report.bsp.partnership_id])
    if field.startswith("bsp."):
        url = reverse("reports:details-edit", kwargs={"slug": report.slug})
        return f"{url}#{DETAIL_ANCHORS.get(field, 'main-content')}"
    return reverse("reports:section-edit", kwargs={"slug": report.slug, "key": field})
