"""What a person can do next with a report, and where: the one place that decides it.

From the transitions open to them (``workflow.available``) and a few other rights (sending a
sign-off link), every signed-in page that shows a report offers the same steps with the same
addresses: "My reports", the report's overview, its review page and its preview. A report's title
leads where its viewer can act: a local lead to the page where they review and sign; a TCE lead
to where they countersign, publish, withdraw or send a sign-off link; an author to the sections.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.urls import reverse

from accounts.models import Role

from . import access, workflow
from .models import SectionStatus, Status, Transition
from .template_sections import SECTIONS

WAITING = {
    Status.DRAFT: "Being written by the delivery partners",
    Status.CHANGES_REQUESTED: "The delivery partners are making the changes asked for",
    Status.AWAITING_SIGNOFF: "Waiting for the local area to sign it off",
    Status.SIGNED_OFF: "Waiting for the TCE project lead to countersign",
    Status.COUNTERSIGNED: "Waiting to be published",
    Status.PUBLISHED: "Published on the microsite",
    Status.NOT_FOR_PUBLICATION: "Signed off; the local area chose not to publish it",
    Status.WITHDRAWN: "Withdrawn from the microsite",
}

# The order in which the steps open to one person are offered; the first is the main one. Steps
# that take a report down come last, after the addenda's.
_ORDER = [
    Transition.SUBMIT,
    Transition.SIGN_OFF,
    Transition.REQUEST_CHANGES,
    Transition.COUNTERSIGN,
    Transition.PUBLISH,
    Transition.GIVE_CONSENT,
    Transition.REVISE,
]
_TAKING_DOWN = [
    Transition.WITHDRAW,
    Transition.TAKE_DOWN,
    Transition.WITHDRAW_CONSENT,
    Transition.REOPEN,
]


@dataclass(frozen=True)
class Step:
    label: str
    url: str = ""
    # On the review page itself (a form further down), not a page of its own.
    on_review_page: bool = False


def _url(name, report, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": report.slug, **kwargs})


def required_sections_complete(report) -> tuple[int, int]:
    """(required sections written and marked complete, required sections): the authors' part."""
    required = [s for s in SECTIONS if s.required and not s.written_by_local_area]
    complete = [
        s
        for s in required
        if (section := report.sections_by_key.get(s.key))
        and section.has_content
        and section.status == SectionStatus.COMPLETED
    ]
    return len(complete), len(required)


def _step(user, report, name) -> Step:
    review = _url("report-review", report)
    if name == Transition.SUBMIT:
        complete, required = required_sections_complete(report)
        if complete == required:
            return Step("Check and send for sign-off", _url("report-send", report))
        return Step("Continue writing", _url("report-overview", report))
    if name == Transition.SIGN_OFF:
        return Step("Review and sign off", review)
    if name == Transition.REQUEST_CHANGES:
        return Step("Request changes", review + "#request-changes", on_review_page=True)
    if name == Transition.TAKE_DOWN:
        return Step(
            "Take down now: contains sensitive personal data", _url("report-take-down", report)
        )
    pages = {
        Transition.COUNTERSIGN: "report-countersign",
        Transition.PUBLISH: "report-publish",
        Transition.WITHDRAW: "report-withdraw",
        Transition.REOPEN: "report-reopen",
        Transition.REVISE: "report-revise",
        Transition.GIVE_CONSENT: "report-give-consent",
        Transition.WITHDRAW_CONSENT: "report-withdraw-consent",
    }
    return Step(workflow.TRANSITIONS[name].label, _url(pages[name], report))


def steps_for(user, report) -> list[Step]:
    """Every step ``user`` can take on ``report`` now, the main one first."""
    names = {t.name for t in workflow.available(user, report)}
    to_sign, add = _addendum_steps(user, report)
    steps = [
        *to_sign,
        *(_step(user, report, name) for name in _ORDER if name in names),
        *add,
        *(_step(user, report, name) for name in _TAKING_DOWN if name in names),
    ]
    if access.can_send_signoff_link(user, report):
        link_step = Step("Send a sign-off link", _url("report-send-signoff-link", report))
        # Where the local area has nobody who can sign in, the link is how it signs.
        if not _has_local_lead_account(report):
            steps.insert(0, link_step)
        else:
            steps.append(link_step)
    return steps


def _addendum_steps(user, report) -> tuple[list[Step], list[Step]]:
    """(signing the addenda that wait for ``user``'s side, adding one): for a published report's
    local area and TCE project lead."""
    if not access.can_write_addendum(user, report):
        return [], []
    to_sign = [
        Step(
            f"Sign the addendum “{addendum.title}”",
            reverse("reports:addendum-sign", kwargs={"slug": report.slug, "pk": addendum.pk}),
        )
        for addendum in report.addenda.all()
        if addendum.published_at is None
        and addendum.waiting_for == access.addendum_side(user, report)
    ]
    return to_sign, [Step("Add an addendum", _url("addendum-write", report))]


def _has_local_lead_account(report) -> bool:
    """Someone of the partnership's local area who can sign in (a sign-off link's recipient has
    an account without a password)."""
    return (
        report.bsp.partnership.local_leads.filter(role=Role.LOCAL_LEAD, is_active=True)
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .exists()
    )


def waiting_for(report) -> str:
    """What the report waits for, in words."""
    if report.is_under_revision:
        return f"Revision: {WAITING[report.status][:1].lower()}{WAITING[report.status][1:]}"
    return WAITING[report.status]


def next_step(user, report) -> Step:
    """The main thing ``user`` can do, or (without an address) what the report waits for."""
    steps = steps_for(user, report)
    return steps[0] if steps else Step(waiting_for(report))


def landing_url(user, report) -> str:
    """Where the report's title leads ``user``: where they can act on it. Reviewing, signing,
    countersigning, publishing, withdrawing and sign-off links are on the review page; writing
    is on the overview."""
    overview = _url("report-overview", report)
    steps = steps_for(user, report)
    writing = {overview, _url("report-send", report)}
    if steps and steps[0].url not in writing:
        return _url("report-review", report)
    return overview
