"""Writing an addendum to a published report, and signing one written by the other side."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.keeping_text import login_required

from .. import access
from ..models import Addendum, LearningReport
from ..safeguarding import findings
from ..workflow import TransitionNotAllowed
from . import services
from .forms import AddendumForm, SignAddendumForm


def _report(request, slug):
    return access.get_report_or_404(
        request.user,
        LearningReport.objects.select_related("bsp__partnership", "published_edition"),
        slug=slug,
    )


def _review(report):
    return reverse("reports:report-review", kwargs={"slug": report.slug})


@login_required
def write(request, slug):
    report = _report(request, slug)
    if not access.can_write_addendum(request.user, report):
        messages.error(
            request,
            "Only the local area or the TCE project lead can add an addendum, to a published "
            "report.",
        )
        return redirect(_review(report))
    action = reverse("reports:addendum-write", kwargs={"slug": report.slug})
    form = AddendumForm(request.POST if request.method == "POST" else None, action=action)
    check = None
    if request.method == "POST" and "check" in request.POST:
        # "Check the text": the safeguarding check of what is written so far; nothing is sent.
        if form.is_valid() or "body" not in form.errors:
            check = findings.check_text(form.cleaned_data.get("body", ""), "addendum")
    elif request.method == "POST" and form.is_valid():
        try:
            addendum = services.write(
                report=report,
                actor=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form.add_error("body", error)
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
            return redirect(_review(report))
        else:
            messages.success(
                request,
                f"You signed the addendum “{addendum.title}”. It is published under the report "
                f"once {addendum.waiting_for.label} signs it too.",
            )
            return redirect(_review(report))
    return render(
        request,
        "reports/addenda/write.html",
        {
            "report": report,
            "form": form,
            "side": access.addendum_side(request.user, report),
            "check": check,
        },
        status=400 if form.errors else 200,
    )


@login_required
def sign(request, slug, pk):
    report = _report(request, slug)
    addendum = get_object_or_404(Addendum.objects.select_related("report"), report=report, pk=pk)
    if request.method == "POST" and addendum.published_at is not None:
        messages.info(request, f"The addendum “{addendum.title}” is published already.")
        return redirect(_review(report))
    if not access.can_sign_addendum(request.user, addendum):
        messages.error(request, "You cannot sign this addendum.")
        return redirect(_review(report))
    action = reverse("reports:addendum-sign", kwargs={"slug": report.slug, "pk": addendum.pk})
    form = SignAddendumForm(
        request.POST if request.method == "POST" else None,
        action=action,
        initial={"seen_hash": addendum.content_hash},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.countersign(
                addendum=addendum,
                actor=request.user,
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                seen_hash=form.cleaned_data["seen_hash"],
            )
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"The addendum “{addendum.title}” is published under the report."
            )
        return redirect(_review(report))
    check = findings.check_text(addendum.body, "addendum")
    return render(
        request,
        "reports/addenda/sign.html",
        {
            "report": report,
            "addendum": addendum,
            "form": form,
            "check": check,
            "marked_body": findings.mark_html(addendum.body, check.found),
        },
        status=400 if form.errors else 200,
    )
