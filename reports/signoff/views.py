"""Sign-off and publication: the review page, signing, countersigning, publishing, withdrawal,
the audit log and sign-off links. Each view collects input and calls one service."""

from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.keeping_text import login_required, text_kept_page
from partnerships.models import with_agencies

from .. import access, next_steps, workflow
from ..authoring import editor
from ..authoring.forms import paragraphs_from_plain_text
from ..diffs import html_diff
from ..models import LearningReport, ReviewVisit, SectionComment, Signature, Transition
from ..rendering import RenderedSection, build_document
from ..richtext import sanitise
from ..safeguarding import findings, takedown
from ..template_sections import SECTIONS_BY_KEY
from ..workflow import TransitionNotAllowed
from . import links as signoff_links
from . import review, services
from .forms import (
    CountersignForm,
    GiveConsentForm,
    PublishForm,
    ReflectionsForm,
    ReopenForm,
    RequestChangesForm,
    ReviseForm,
    SectionCommentForm,
    SendSignoffLinkForm,
    SignOffForm,
    TakeDownForm,
    WithdrawConsentForm,
    WithdrawForm,
)

LOCAL_REFLECTIONS = services.LOCAL_REFLECTIONS


def _reports():
    return LearningReport.objects.select_related(
        "bsp__partnership", "bsp__region", "bsp__tce_lead", "published_edition"
    ).prefetch_related(
        "sections",
        "signatures",
        "bsp__methodologies",
        with_agencies("bsp__partnership__"),
    )


def _url(name, report, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": report.slug, **kwargs})


def acting(view):
    """The person acting on the report: the signed-in user, or the recipient of a sign-off link
    opened in this browser (for that report only). Nobody: off to sign in."""

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        link = None
        actor = request.user if request.user.is_authenticated else None
        if actor is None:
            link = signoff_links.granted_link(request, slug)
            actor = link.recipient if link is not None else None
        if actor is None:
            if request.method == "POST":  # signed out meanwhile: give the words back
                return text_kept_page(request, signed_out=True, status=401)
            return redirect_to_login(request.get_full_path())
        report = access.get_report_or_404(actor, _reports(), slug=slug)
        return view(request, report, actor, link, *args, **kwargs)

    return wrapper


def account_holders(view):
    """Pages for people with an account only (not for sign-off links)."""

    @wraps(view)
    @login_required
    def wrapper(request, slug, *args, **kwargs):
        report = access.get_report_or_404(request.user, _reports(), slug=slug)
        return view(request, report, *args, **kwargs)

    return wrapper


# --- The review page -----------------------------------------------------------------------------


@dataclass
class SectionView:
    section: RenderedSection
    comments: list = field(default_factory=list)
    form: SectionCommentForm | None = None


@dataclass
class GroupView:
    heading: str
    intro: str
    is_group: bool
    sections: list[SectionView]


def _comment_form(report, key, data=None):
    return SectionCommentForm(
        data,
        prefix=key,
        section_heading=SECTIONS_BY_KEY[key].heading,
        action=_url("report-comment", report, section_key=key),
    )


def _actions(actor, report):
    """The buttons of the page: the viewer's next steps (``next_steps``), signing itself where
    the steps say "Review and sign off", which is this page."""
    review = _url("report-review", report)
    links = []
    for step in next_steps.steps_for(actor, report):
        if step.url == review:
            links.append(
                (workflow.TRANSITIONS[Transition.SIGN_OFF].label, _url("report-sign", report))
            )
        elif step.on_review_page:
            links.append((step.label, "#request-changes"))
        else:
            links.append((step.label, step.url))
    return links


def _reflections_form(report, section=None, *, conflict=None):
    """The reflections in the section editor, based on the stored version; after a conflict, the
    writer's own text based on the version that is stored now."""
    if conflict is not None:
        stored = conflict.section
        body, button = conflict.mine, "Save my version"
    else:
        stored = section
        body, button = (section.body if section else ""), "Save reflections"
    return ReflectionsForm(
        initial={"body": body, "based_on_version": stored.version if stored else 0},
        action=_url("report-reflections", report),
        button=button,
        autosave=conflict is None,  # choosing between two versions is saved on purpose only
    )


def _review_page(request, report, actor, link, *, bound=None, conflict=None, status=200):
    """Render the review page; ``bound`` holds a form that failed validation, ``conflict`` a
    save of the reflections that was based on an old version (nothing was saved)."""
    bound = bound or {}
    can_review = access.can_review(actor, report)
    visit = ReviewVisit.objects.filter(report=report, user=actor).first()
    if request.method == "GET":
        visit = services.record_review_visit(report=report, user=actor)
    document = build_document(report)
    # What the safeguarding check found, and what the authors dismissed: marked in the text.
    findings_parts = findings.check_report(report)
    findings.mark_document(document, findings_parts)
    comments = review.comments_by_section(report)
    groups = []
    for group in document.groups:
        sections = [
            SectionView(
                section=s,
                comments=comments.get(s.key, []),
                form=(bound.get(s.key) or _comment_form(report, s.key)) if can_review else None,
            )
            for s in ([group.opening] if group.opening else []) + group.sections
            if not (can_review and s.key == LOCAL_REFLECTIONS)
        ]
        if sections:
            groups.append(GroupView(group.heading, group.intro, group.is_group, sections))
    reflections = report.sections_by_key.get(LOCAL_REFLECTIONS)
    context = {
        "report": report,
        "actor": actor,
        "link": link,
        "groups": groups,
        "footnotes": document.footnotes,
        "details_rows": document.source.details_rows,
        **findings.summary(findings_parts),
        "can_review": can_review,
        "can_see_audit": link is None and access.can_see_audit(actor, report),
        "action_links": _actions(actor, report),
        "changes": (
            review.changes_since(report, visit.baseline_at)
            if visit is not None and visit.baseline_at
            else []
        ),
        "baseline_at": visit.baseline_at if visit is not None else None,
        "voided": report.voided_signoff(),
        "reopened": report.reopening(),
        "addenda": report.addenda.select_related("written_by") if report.is_public else [],
        "changes_request": report.last_changes_request()
        if report.status == "changes_requested"
        else None,
        "pending_comments": SectionComment.objects.filter(
            report=report, sent_with__isnull=True
        ).count(),
        "can_request_changes": workflow.can(actor, report, Transition.REQUEST_CHANGES),
        "reflections": reflections,
        "reflections_form": bound.get("reflections")
        or _reflections_form(report, reflections, conflict=conflict),
        "conflict": conflict,
        "conflict_diff": (
            html_diff(conflict.section.body if conflict.section else "", conflict.mine)
            if conflict is not None
            else ""
        ),
        "keep_stored_url": _url("report-review", report) + "#local-reflections",
        "changes_form": bound.get("changes")
        or RequestChangesForm(action=_url("report-request-changes", report)),
        "error_form": next(iter(bound.values()), None),
    }
    return render(request, "reports/signoff/review.html", context, status=status)


@acting
def review_page(request, report, actor, link):
    return _review_page(request, report, actor, link)


def _refuse(request, report, error):
    if isinstance(error, workflow.AlreadyDone):
        messages.info(request, str(error))  # a double click: the first one did it
    else:
        messages.error(request, str(error))
    return redirect(_url("report-review", report))


def _done_already(request, report, actor, name):
    """A second press of a button whose first press went through: say where the report is."""
    if request.method != "POST":
        return None
    done = workflow.already_done(report, name, actor)
    return _refuse(request, report, workflow.AlreadyDone(done)) if done is not None else None


def _not_saved(request, report, link, error, *, what, text_html):
    """A refused write that carried someone's words (a comment, the reflections, a request for
    changes): show the reason and give them their text back, never lose it."""
    return editor.not_saved(
        request,
        report=report,
        link=link,
        what=what,
        reason=error,
        text_html=text_html,
        back_url=_url("report-review", report),
        breadcrumbs="reports/signoff/_breadcrumbs.html",
        status=409,
    )


def _plain_text_html(text):
    return mark_safe(paragraphs_from_plain_text(text))  # noqa: S308 - escaped by it


@require_POST
@acting
def add_comment(request, report, actor, link, section_key):
    if section_key not in SECTIONS_BY_KEY:
        raise Http404("No such section.")
    form = _comment_form(report, section_key, request.POST)
    if not form.is_valid():
        return _review_page(request, report, actor, link, bound={section_key: form}, status=400)
    body = form.cleaned_data["body"]
    try:
        services.add_section_comment(report=report, actor=actor, section_key=section_key, body=body)
    except TransitionNotAllowed as error:
        return _not_saved(
            request, report, link, error, what="your comment", text_html=_plain_text_html(body)
        )
    messages.success(request, f"Your comment on “{SECTIONS_BY_KEY[section_key].heading}” is saved.")
    return redirect(_url("report-review", report) + f"#section-{section_key}")


@require_POST
@acting
def write_reflections(request, report, actor, link):
    """Saves the reflections: "Save reflections", or an autosave (htmx) while the person types,
    which is answered with the "saved at" line instead of a page."""
    form = ReflectionsForm(request.POST, action=_url("report-reflections", report))
    if not form.is_valid():
        if request.htmx:
            return _reflections_save_status(request, form=form)
        return _review_page(request, report, actor, link, bound={"reflections": form}, status=400)
    try:
        saved = services.write_local_reflections(
            report=report,
            actor=actor,
            body=form.cleaned_data["body"],
            based_on_version=form.cleaned_data["based_on_version"],
            autosave=bool(request.htmx),
        )
    except TransitionNotAllowed as error:
        if request.htmx:
            return _reflections_save_status(request, refused=True)
        return _not_saved(
            request,
            report,
            link,
            error,
            what="your reflections",
            text_html=mark_safe(sanitise(form.cleaned_data["body"])),  # noqa: S308 - nh3-cleaned
        )
    except services.SectionConflict as conflict:
        if request.htmx:
            return _reflections_save_status(request, conflict=conflict)
        return _review_page(request, report, actor, link, conflict=conflict, status=409)
    if request.htmx:
        return _reflections_save_status(request, saved=saved)
    messages.success(request, "The local area's reflections are saved.")
    return redirect(_url("report-review", report) + "#local-reflections")


def _reflections_save_status(request, *, saved=None, **problem):
    """The autosave answer of the reflections, as for a section (see ``editor.save_status``)."""
    return editor.save_status(
        request,
        "reports/signoff/review.html#reflections-save-status",
        {"saved": saved},
        conflict_name="autosave_conflict",
        **problem,
    )


@require_POST
@acting
def request_changes(request, report, actor, link):
    if already := _done_already(request, report, actor, Transition.REQUEST_CHANGES):
        return already
    form = RequestChangesForm(request.POST, action=_url("report-request-changes", report))
    if not form.is_valid():
        return _review_page(request, report, actor, link, bound={"changes": form}, status=400)
    comment = form.cleaned_data["comment"]
    try:
        services.request_changes(report=report, actor=actor, comment=comment)
    except TransitionNotAllowed as error:
        return _not_saved(
            request,
            report,
            link,
            error,
            what="your request for changes",
            text_html=_plain_text_html(comment),
        )
    messages.success(request, "The report has gone back to its authors with your comments.")
    return redirect(_url("report-review", report))


# --- Signing ------------------------------------------------------------------------------------


@acting
def sign(request, report, actor, link):
    if already := _done_already(request, report, actor, Transition.SIGN_OFF):
        return already
    if not workflow.can(actor, report, Transition.SIGN_OFF):
        return _refuse(request, report, "The report cannot be signed off now.")
    action = _url("report-sign", report)
    form = SignOffForm(
        request.POST if request.method == "POST" else None,
        action=action,
        initial={"seen_hash": report.content_hash()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sign_off(
                report=report,
                actor=actor,
                full_name=data["full_name"],
                role=data["role"],
                consent=data["consent"],
                consent_reason=data["consent_reason"],
                checked_identifiability=data["checked_identifiability"],
                seen_hash=data["seen_hash"],
                link=link,
            )
        except (TransitionNotAllowed, services.ContentChangedWhileReviewing) as error:
            return _refuse(request, report, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            agreed = "agreed" if data["consent"] else "did not agree"
            messages.success(
                request,
                f"You signed off the Project Learning Report for {report.title}. The local area "
                f"{agreed} to share it on the microsite. The TCE project lead will countersign it.",
            )
            if link is not None:
                signoff_links.forget(request, report.slug)
                return redirect(_url("signoff-link-done", report))
            return redirect(_url("report-review", report))
    reflections = report.sections_by_key.get(LOCAL_REFLECTIONS)
    return render(
        request,
        "reports/signoff/sign.html",
        {
            "report": report,
            "form": form,
            "link": link,
            "has_reflections": reflections is not None and reflections.has_content,
            **findings.summary(findings.check_report(report)),
        },
        status=400 if form.errors else 200,
    )


@account_holders
def countersign(request, report):
    return _signature_step(
        request,
        report,
        name=Transition.COUNTERSIGN,
        form_class=CountersignForm,
        service=services.countersign,
        refusal="The report cannot be countersigned now.",
        done=lambda: f"You countersigned the report. It is now: {report.status_phrase}.",
        context={"local": report.current_signatures.get(Signature.Kind.LOCAL_AREA)},
    )


@account_holders
def publish(request, report):
    if already := _done_already(request, report, request.user, Transition.PUBLISH):
        return already
    if not workflow.can(request.user, report, Transition.PUBLISH):
        return _refuse(request, report, "The report cannot be published now.")
    previous = report.published_edition
    form = PublishForm(
        request.POST if request.method == "POST" else None,
        action=_url("report-publish", report),
        new_edition=report.published_before,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.publish(
                report=report,
                actor=request.user,
                change_note=form.cleaned_data.get("change_note", ""),
            )
        except TransitionNotAllowed as error:
            return _refuse(request, report, error)
        edition = report.published_edition
        messages.success(
            request,
            "The report is published on the microsite"
            + (f" as edition {edition.number}." if edition.number > 1 else "."),
        )
        return redirect(_url("report-review", report))
    return render(
        request,
        "reports/signoff/publish.html",
        {"report": report, "form": form, "previous": previous},
        status=400 if form.errors else 200,
    )


@account_holders
def revise(request, report):
    return _step_with_reason(
        request,
        report,
        name=Transition.REVISE,
        form_class=ReviseForm,
        service=services.start_revision,
        refusal="Only the report's authors can start a revision of a published report.",
        done="A revision is open: change the report, then send it for sign-off. The published "
        "edition stays on the microsite until the revision is published.",
    )


@account_holders
def give_consent(request, report):
    return _signature_step(
        request,
        report,
        name=Transition.GIVE_CONSENT,
        form_class=GiveConsentForm,
        service=services.give_consent,
        refusal="Only the local area can agree to publication now.",
        done=lambda: "You agreed to publication. The TCE project lead can now publish the report.",
    )


def _signature_step(request, report, *, name, form_class, service, refusal, done, context=None):
    """A step made by signing (countersign, agree to publication): its page ``report-<name>``
    (dashes for underscores) with the signature form (template ``reports/signoff/<name>.html``),
    the service, then back to the review page with ``done()``."""
    if already := _done_already(request, report, request.user, name):
        return already
    if not workflow.can(request.user, report, name):
        return _refuse(request, report, refusal)
    page = f"report-{name.replace('_', '-')}"
    form = form_class(request.POST if request.method == "POST" else None, action=_url(page, report))
    if request.method == "POST" and form.is_valid():
        try:
            service(
                report=report,
                actor=request.user,
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
            )
        except TransitionNotAllowed as error:
            return _refuse(request, report, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done())
            return redirect(_url("report-review", report))
    return render(
        request,
        f"reports/signoff/{name}.html",
        {"report": report, "form": form, **(context or {})},
        status=400 if form.errors else 200,
    )


@account_holders
def withdraw_consent(request, report):
    return _step_with_reason(
        request,
        report,
        name=Transition.WITHDRAW_CONSENT,
        form_class=WithdrawConsentForm,
        service=services.withdraw_consent,
        refusal="Only the local area can withdraw its agreement to publication, once given.",
        done="The local area's agreement to publication is withdrawn.",
    )


@account_holders
def withdraw(request, report):
    return _step_with_reason(
        request,
        report,
        name=Transition.WITHDRAW,
        form_class=WithdrawForm,
        service=services.withdraw,
        refusal="Only a programme admin can withdraw a published report.",
        done="The report is withdrawn from the microsite.",
    )


@account_holders
def take_down(request, report):
    return _step_with_reason(
        request,
        report,
        name=Transition.TAKE_DOWN,
        form_class=TakeDownForm,
        service=takedown.take_down,
        refusal="Only a programme admin can take a report down, while it is on the microsite.",
        done="The report is taken down: it is no longer on the microsite, its address says it "
        "was removed, and its stored PDFs are deleted.",
    )


@account_holders
def reopen(request, report):
    return _step_with_reason(
        request,
        report,
        name=Transition.REOPEN,
        form_class=ReopenForm,
        service=services.reopen,
        refusal="Only a programme admin can re-open a withdrawn report.",
        done="The report is a draft again: the authors can revise it, then send it for sign-off.",
    )


def _step_with_reason(request, report, *, name, form_class, service, refusal, done):
    """A step that needs a reason (withdraw, re-open, revise, withdraw consent): its page
    ``report-<name>`` (dashes for underscores) with the form (template
    ``reports/signoff/<name>.html``), the service, then back to the review page."""
    if already := _done_already(request, report, request.user, name):
        return already
    if not workflow.can(request.user, report, name):
        return _refuse(request, report, refusal)
    page = f"report-{name.replace('_', '-')}"
    form = form_class(request.POST if request.method == "POST" else None, action=_url(page, report))
    if request.method == "POST" and form.is_valid():
        try:
            service(report=report, actor=request.user, reason=form.cleaned_data["reason"])
        except TransitionNotAllowed as error:
            return _refuse(request, report, error)
        messages.success(request, done)
        return redirect(_url("report-review", report))
    return render(
        request,
        f"reports/signoff/{name}.html",
        {"report": report, "form": form},
        status=400 if form.errors else 200,
    )


# --- The audit log ------------------------------------------------------------------------------


@account_holders
def audit(request, report):
    if not access.can_see_audit(request.user, report):  # pragma: no cover - same rule as view
        raise Http404("No such report.")
    events = report.events.select_related("actor").prefetch_related("comments__author")
    return render(
        request,
        "reports/signoff/audit.html",
        {
            "report": report,
            "events": events,
            "signatures": report.signatures.select_related("signed_by").order_by("recorded_at"),
            "links": report.signoff_links.select_related("recipient", "sent_by"),
        },
    )


# --- Sign-off links -----------------------------------------------------------------------------


@account_holders
def send_signoff_link(request, report):
    if not access.can_send_signoff_link(request.user, report):
        return _refuse(
            request,
            report,
            "Sign-off links can be sent while the report awaits sign-off, by its TCE project lead.",
        )
    form = SendSignoffLinkForm(
        request.POST if request.method == "POST" else None,
        action=_url("report-send-signoff-link", report),
    )
    if request.method == "POST" and form.is_valid():
        try:
            link = services.send_signoff_link(
                report=report,
                actor=request.user,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                job_title=form.cleaned_data["job_title"],
            )
        except services.LinkRecipientInvalid as error:
            form.add_error("email", str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"A sign-off link is on its way to {link.recipient.email}. It works until "
                f"{formats.date_format(timezone.localtime(link.expires_at), 'j F Y')} or until "
                "they sign.",
            )
            return redirect(_url("report-review", report))
    return render(
        request,
        "reports/signoff/send_link.html",
        {
            "report": report,
            "form": form,
            "links": report.signoff_links.select_related("recipient", "sent_by"),
            "link_days": settings.SIGNOFF_LINK_DAYS,
        },
        status=400 if form.errors else 200,
    )


def open_signoff_link(request, slug, link_id):
    link = signoff_links.redeem(request, slug=slug, link_id=link_id)
    if link is None:
        return render(request, "reports/signoff/link_invalid.html", status=403)
    return redirect(_url("report-review", link.report))


def signoff_link_done(request, slug):
    return render(request, "reports/signoff/link_done.html")
