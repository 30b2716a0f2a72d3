"""Sign-off links: a local lead without an account reviews and signs one report from an e-mail."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from reports.models import Signature, SignoffLink, Status
from tests.factories import UserFactory, make_cast, walk_to


@pytest.fixture
def cast(cast):
    """Here the report awaits the local area's sign-off."""
    walk_to(cast.report, cast, Status.AWAITING_SIGNOFF)
    return cast


def url(name, report, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": report.slug, **kwargs})


def send_link(
    client, report, sender, django_capture_on_commit_callbacks, email="vicky@example.gov.uk"
):
    client.force_login(sender)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("report-send-signoff-link", report),
            {"full_name": "Vicky Finn", "email": email, "job_title": "MACE Chair"},
        )
    client.logout()
    return response


def link_in(message):
    """The path and query of the sign-off link in an e-mail (SITE_URL is the e-mail's host)."""
    return re.search(r"https?://[^/\s]+(/sign-off/\S+)", message.body).group(1)


def test_the_tce_lead_sends_a_link_to_a_local_lead_without_an_account(
    client, report, cast, django_capture_on_commit_callbacks
):
    response = send_link(client, report, cast.tce_lead, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    vicky = User.objects.get(email="vicky@example.gov.uk")
    assert (vicky.role, vicky.partnership, vicky.full_name) == (
        Role.LOCAL_LEAD,
        report.bsp.partnership,
        "Vicky Finn",
    )
    assert not vicky.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["vicky@example.gov.uk"]
    assert "Tess Lead, TCE project lead, asks you to review and sign off" in message.body
    link = SignoffLink.objects.get()
    assert (link.report, link.recipient, link.sent_by) == (report, vicky, cast.tce_lead)
    assert link.expires_at - link.sent_at == datetime.timedelta(days=14)


def test_the_link_lets_them_review_comment_and_sign_that_report_only(
    client, report, cast, django_capture_on_commit_callbacks
):
    send_link(client, report, cast.tce_lead, django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0])
    response = client.get(path)
    assert response.status_code == 302 and response.url == url("report-review", report)
    page = client.get(response.url).content.decode()
    assert "You are using the sign-off link that Tess Lead sent to Vicky Finn" in page
    assert "Audit log" not in page
    # Not signed in: nothing else of the portal opens.
    assert client.get(reverse("reports:dashboard")).status_code == 302
    assert client.get(url("report-audit", report)).status_code == 302
    other = make_cast(
        "Later",
        partnership=report.bsp.partnership,
        programme_year=2022,
        status=Status.AWAITING_SIGNOFF,
    ).report
    assert client.get(url("report-review", other)).status_code == 302

    client.post(url("report-comment", report, section_key="reasons"), {"reasons-body": "Good."})
    assert report.comments.get().author.email == "vicky@example.gov.uk"
    response = client.post(
        url("report-sign", report),
        {
            "consent": "no",
            "checked_identifiability": "on",
            "consent_reason": "The board meets in May.",
            "full_name": "Vicky Finn",
            "role": "MACE Chair",
            "seen_hash": report.content_hash(),
        },
    )
    assert response.url == url("signoff-link-done", report)
    report.refresh_from_db()
    assert (report.status, report.consent_to_publish) == (Status.SIGNED_OFF, False)
    signature = report.signatures.get()
    assert signature.signed_by.email == "vicky@example.gov.uk"
    assert signature.method == Signature.Method.LINK
    assert SignoffLink.objects.get().used_at is not None
    # Spent: neither the session nor the link opens the report again.
    assert client.get(url("report-review", report)).status_code == 302
    assert client.get(path).status_code == 403


def test_an_expired_link_does_not_open(client, report, cast, django_capture_on_commit_callbacks):
    send_link(client, report, cast.tce_lead, django_capture_on_commit_callbacks)
    past = timezone.now() - datetime.timedelta(days=15)
    SignoffLink.objects.update(sent_at=past, expires_at=past + datetime.timedelta(days=14))
    response = client.get(link_in(mail.outbox[0]))
    assert response.status_code == 403
    assert "This sign-off link does not work" in response.content.decode()


def test_a_token_opens_only_its_own_link(client, report, cast, django_capture_on_commit_callbacks):
    send_link(client, report, cast.tce_lead, django_capture_on_commit_callbacks)
    first = link_in(mail.outbox[0])
    send_link(client, report, cast.tce_lead, django_capture_on_commit_callbacks)
    second_id = SignoffLink.objects.order_by("-pk").first().pk
    token = first.split("?", 1)[1]
    forged = url("signoff-link", report, link_id=second_id) + "?" + token
    assert client.get(forged).status_code == 403
    assert client.get(first.split("?")[0] + "?sesame=nonsense").status_code == 403
    assert client.get(first.split("?")[0]).status_code == 403


def test_opening_a_link_signs_out_whoever_else_was_signed_in(
    client, report, cast, django_capture_on_commit_callbacks
):
    send_link(client, report, cast.tce_lead, django_capture_on_commit_callbacks)
    client.force_login(cast.partner)
    client.get(link_in(mail.outbox[0]))
    assert client.get(reverse("reports:dashboard")).status_code == 302


def test_a_link_goes_only_to_the_reports_local_area(
    client, report, cast, django_capture_on_commit_callbacks
):
    response = send_link(
        client, report, cast.tce_lead, django_capture_on_commit_callbacks, cast.partner.email
    )
    assert response.status_code == 400
    assert "is not a local lead of" in response.content.decode()
    response = send_link(
        client,
        report,
        cast.tce_lead,
        django_capture_on_commit_callbacks,
        cast.other_local_lead.email,
    )
    assert response.status_code == 400
    assert not SignoffLink.objects.exists() and mail.outbox == []


def test_a_local_lead_with_an_account_gets_the_link_too(
    client, report, cast, django_capture_on_commit_callbacks
):
    send_link(
        client, report, cast.tce_lead, django_capture_on_commit_callbacks, cast.local_lead.email
    )
    assert SignoffLink.objects.get().recipient == cast.local_lead
    assert "You can also sign in with your account as usual." in mail.outbox[0].body


@pytest.mark.parametrize("role", ["partner", "other_tce_lead", "local_lead"])
def test_only_the_reports_tce_lead_or_an_admin_sends_links(client, report, cast, role):
    client.force_login(cast.by_role(role))
    response = client.post(
        url("report-send-signoff-link", report),
        {"full_name": "X", "email": "x@example.org"},
    )
    assert response.status_code in (302, 404)
    assert not SignoffLink.objects.exists()


def test_emails_to_a_link_holder_carry_their_link(
    client, report, cast, django_capture_on_commit_callbacks
):
    """When the report comes back for sign-off, a local lead without a password is e-mailed
    their live link, not a sign-in page they cannot use."""
    from reports.authoring import services as authoring_services
    from reports.signoff import services as signoff_services

    send_link(client, report, cast.tce_lead, django_capture_on_commit_callbacks)
    vicky = User.objects.get(email="vicky@example.gov.uk")
    signoff_services.request_changes(report=report, actor=vicky, comment="Fix the dates.")
    with django_capture_on_commit_callbacks(execute=True):
        authoring_services.submit_for_signoff(report=report, actor=cast.partner)
    to_vicky = next(m for m in mail.outbox if m.to == [vicky.email])
    assert f"/sign-off/{report.slug}/" in to_vicky.body
    lonely = UserFactory(role=Role.LOCAL_LEAD, partnership=report.bsp.partnership)
    lonely.set_unusable_password()
    lonely.save()
    mail.outbox.clear()
    signoff_services.request_changes(report=report, actor=vicky, comment="Again.")
    with django_capture_on_commit_callbacks(execute=True):
        authoring_services.submit_for_signoff(report=report, actor=cast.partner)
    to_lonely = next(m for m in mail.outbox if m.to == [lonely.email])
    assert "Ask your TCE project lead, Tess Lead" in to_lonely.body


@pytest.mark.pdf
def test_the_link_holder_downloads_the_draft_they_are_asked_to_sign(
    client, report, cast, django_capture_on_commit_callbacks
):
    send_link(client, report, cast.tce_lead, django_capture_on_commit_callbacks)
    review = client.get(link_in(mail.outbox[0])).url
    page = client.get(review).content.decode()
    assert f'href="{url("report-pdf-draft", report)}">Download the report you are asked' in page

    # Prepared in the background, without any request of the link holder's: "being
    # prepared" first (its render queued once that answer was sent), then the file.
    waiting = client.get(url("report-pdf-draft", report))
    assert waiting.status_code == 503
    assert "being prepared" in waiting.content.decode()
    response = client.get(url("report-pdf-draft", report))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "private" in response["Cache-Control"]
    # Without the link, nobody signed out gets it.
    assert Client().get(url("report-pdf-draft", report)).status_code == 302
