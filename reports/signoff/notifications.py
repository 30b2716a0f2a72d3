"""E-mail on every transition to the people who act next, and only those assigned to the report.

`workflow.apply()` schedules `send_for_event` with `transaction.on_commit`: the e-mail goes only
once the transition is safely stored, and a failure to send is logged, never undoing it.

Who hears of what (the actor is never e-mailed about their own step):

| the report is now            | e-mailed                                                       |
| ---------------------------- | -------------------------------------------------------------- |
| awaiting local sign-off      | the partnership's local leads; the BSP's TCE project lead       |
| changes requested            | the BSP's delivery partners and TCE project lead (the authors)  |
| signed off by the local area | the BSP's TCE project lead (to countersign)                     |
| countersigned                | the BSP's TCE project lead (to publish)                         |
| published / not for publication | the BSP's delivery partners and the partnership's local leads |
| withdrawn                    | the TCE project lead, delivery partners and local leads         |
| re-opened as a draft         | the TCE project lead, delivery partners and local leads         |
| an addendum signed by one side | the other side (local leads; TCE project lead)                |
| an addendum published        | local leads, TCE project lead, delivery partners                |
"""

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Role, User

from .. import next_steps
from ..models import ReportEvent, SignoffLink, Status, Transition
from ..template_sections import SECTION_KEYS
from . import links as signoff_links

logger = logging.getLogger(__name__)

SUBJECTS = {
    Transition.SUBMIT: "{title}: ready for the local area's sign-off",
    Transition.REQUEST_CHANGES: "{title}: the local area asks for changes",
    Transition.SIGN_OFF: "{title}: signed off by the local area, ready to countersign",
    Transition.COUNTERSIGN: "{title}: countersigned",
    Transition.PUBLISH: "{title}: published on the microsite",
    Transition.WITHDRAW: "{title}: withdrawn from the microsite",
    Transition.TAKE_DOWN: "{title}: taken down from the microsite (sensitive personal data)",
    Transition.REOPEN: "{title}: re-opened for revision",
    Transition.VOID_SIGNOFF: "{title}: content changed since sign-off, it needs signing off again",
    Transition.SIGN_ADDENDUM: "{title}: an addendum to sign",
    Transition.PUBLISH_ADDENDUM: "{title}: an addendum is published",
}


HAPPENED = {
    Transition.SUBMIT: "sent the report to the local area for sign-off",
    Transition.REQUEST_CHANGES: "asked the authors for changes to the report",
    Transition.SIGN_OFF: "signed the report off for the local area",
    Transition.COUNTERSIGN: "countersigned the report",
    Transition.PUBLISH: "published the report on the TCE Support Programme's microsite",
    Transition.WITHDRAW: "withdrew the report from the microsite",
    Transition.TAKE_DOWN: (
        "took the report down from the microsite at once, because it contains sensitive "
        "personal data; its stored PDFs have been deleted"
    ),
    Transition.REOPEN: "re-opened the withdrawn report for revision: it is a draft again",
    Transition.REVISE: (
        "started a revision of the published report: it is a draft again, and the published "
        "edition stays on the microsite until the revision is published"
    ),
    Transition.GIVE_CONSENT: "agreed, for the local area, to the report's publication",
    Transition.WITHDRAW_CONSENT: (
        "withdrew the local area's agreement to the report's publication"
    ),
    Transition.SIGN_ADDENDUM: "wrote and signed an addendum to the published report",
    Transition.PUBLISH_ADDENDUM: "signed an addendum, which is now published under the report",
    Transition.VOID_SIGNOFF: (
        "voided the sign-off: the report's content changed after it was signed"
    ),
}


def recipients_for(event: ReportEvent) -> list[User]:
    bsp = event.report.bsp
    local_leads = list(
        User.objects.filter(role=Role.LOCAL_LEAD, partnership_id=bsp.partnership_id, is_active=True)
    )
    partners = list(bsp.delivery_partners.filter(is_active=True))
    lead = [bsp.tce_lead] if bsp.tce_lead is not None and bsp.tce_lead.is_active else []
    if event.transition == Transition.SIGN_ADDENDUM:
        people = local_leads + lead  # the other side signs it (the writer is the actor)
    elif event.transition == Transition.PUBLISH_ADDENDUM:
        people = local_leads + lead + partners
    else:
        people = _by_status(event, local_leads, partners, lead)
    unique = {}
    for person in people:
        if person.pk != event.actor_id:
            unique.setdefault(person.pk, person)
    return list(unique.values())


def _by_status(event, local_leads, partners, lead):
    return {
        Status.AWAITING_SIGNOFF: local_leads + lead,
        Status.CHANGES_REQUESTED: partners + lead,
        Status.SIGNED_OFF: lead,
        Status.COUNTERSIGNED: lead,
        Status.PUBLISHED: partners + local_leads,
        Status.NOT_FOR_PUBLICATION: partners + local_leads,
        Status.WITHDRAWN: lead + partners + local_leads,
        Status.DRAFT: lead + partners + local_leads,  # re-opened after a withdrawal
    }.get(event.to_status, [])


def url_for(recipient: User, report) -> str | None:
    """Where the recipient acts: the review page, or their sign-off link if they have no
    password. None when they have neither (they must ask the TCE project lead for a link)."""
    if recipient.has_usable_password():
        return settings.SITE_URL + reverse("reports:report-review", kwargs={"slug": report.slug})
    link = (
        SignoffLink.objects.live()
        .filter(report=report, recipient=recipient)
        .select_related("report", "recipient")
        .first()
    )
    return signoff_links.link_url(link) if link is not None else None


def actions_for(recipient: User, report) -> list[str]:
    """What the recipient can do now: their next steps (``next_steps``, as every page says)."""
    return [step.label for step in next_steps.steps_for(recipient, report)]


def comments_by_section(event: ReportEvent):
    grouped = defaultdict(list)
    for comment in event.comments.select_related("author"):
        grouped[comment.section_key].append(comment)
    return [(grouped[key][0].heading, grouped[key]) for key in SECTION_KEYS if key in grouped]


def send_message(message: EmailMultiAlternatives, what: str) -> bool:
    """Send one e-mail; a failure is logged, never raised (the change it reports stands)."""
    try:
        message.send()
    except Exception:
        logger.exception("Could not send the e-mail about %s to %s", what, message.to)
        return False
    return True


def send_for_event(event_id: int) -> int:
    """E-mail the people concerned by one transition. Returns how many e-mails went."""
    event = ReportEvent.objects.select_related("report__bsp__tce_lead", "actor").get(pk=event_id)
    report = event.report
    subject = SUBJECTS.get(event.transition, "{title}: " + event.get_to_status_display()).format(
        title=f"Project Learning Report: {report.title}"
    )
    comments = comments_by_section(event)
    connection = get_connection()
    sent = 0
    for recipient in recipients_for(event):
        context = {
            "recipient": recipient,
            "report": report,
            "event": event,
            "actor_name": event.actor.full_name if event.actor else "The portal",
            "happened": HAPPENED.get(event.transition, event.transition),
            "actions": actions_for(recipient, report),
            "url": url_for(recipient, report),
            "tce_lead": report.bsp.tce_lead,
            "comments": comments,
        }
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("reports/email/transition.txt", context),
            to=[recipient.email],
            connection=connection,
        )
        message.attach_alternative(
            render_to_string("reports/email/transition.html", context), "text/html"
        )
        sent += send_message(message, f"“{event.transition}” on {report.title}")
    return sent


def send_signoff_link_email(link_id: int) -> bool:
    link = SignoffLink.objects.select_related("report", "recipient", "sent_by").get(pk=link_id)
    context = {"link": link, "report": link.report, "url": signoff_links.link_url(link)}
    message = EmailMultiAlternatives(
        subject=f"Project Learning Report: {link.report.title}: please review and sign it off",
        body=render_to_string("reports/email/signoff_link.txt", context),
        to=[link.recipient.email],
    )
    message.attach_alternative(
        render_to_string("reports/email/signoff_link.html", context), "text/html"
    )
    return send_message(message, f"the sign-off link for {link.report.title}")
