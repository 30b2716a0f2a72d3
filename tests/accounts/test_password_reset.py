"""Forgotten passwords: a link by e-mail, once, for a day; nobody learns who has an account."""

import datetime
import re
import time

import pytest
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services
from tests.factories import UserFactory
from tests.support.signing_in import sign_in

OLD_PASSWORD = "correct horse battery staple"  # the factory's
NEW_PASSWORD = "a long enough passphrase 42"


@pytest.fixture
def robin(db):
    return UserFactory(email="robin@example.org", full_name="Robin Reset")


def ask_for_link(client, email):
    return client.post(reverse("accounts:password-reset"), {"email": email})


def link_in(message):
    """The path of the reset link, checking that it is built on SITE_URL."""
    prefix = reverse("accounts:password-reset")
    found = re.search(re.escape(settings.SITE_URL) + f"({prefix}[^/\\s]+/[^/\\s]+/)", message.body)
    return found.group(1)


def choose(client, path, password=NEW_PASSWORD, again=None):
    """Follow the link (it redirects to a page without the token), then post the new password."""
    form_page = client.get(path)
    assert form_page.status_code == 302
    return client.post(
        form_page.url, {"new_password1": password, "new_password2": again or password}
    )


def confirm_url(uidb64, token):
    return reverse("accounts:password-reset-confirm", kwargs={"uidb64": uidb64, "token": token})


def test_the_sign_in_page_links_to_the_reset_page(db, client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("accounts:password-reset")}">Forgotten your password?' in page


def test_the_whole_journey(robin, client):
    page = client.get(reverse("accounts:password-reset")).content.decode()
    assert "Reset your password" in page

    response = ask_for_link(client, "Robin@Example.org")
    assert response.url == reverse("accounts:password-reset-sent")
    assert "Check your e-mail" in client.get(response.url).content.decode()

    (message,) = mail.outbox
    assert message.to == ["robin@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Reset your password for the TCE learning reports portal"
    assert "Dear Robin Reset" in message.body
    assert "the link works once, for 24 hours" in message.body
    path = link_in(message)
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert f'<a href="{settings.SITE_URL}{path}">Choose a new password</a>' in html

    # The token leaves the address bar at once: the form is on a page without it.
    token = path.rstrip("/").rsplit("/", 1)[1]
    form_page = client.get(path)
    assert form_page.url.endswith("/set-password/") and token not in form_page.url
    page = client.get(form_page.url).content.decode()
    assert "Choose a new password" in page and "robin@example.org" in page

    response = client.post(
        form_page.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.url == reverse("accounts:password-reset-complete")
    assert "Your password has been changed" in client.get(response.url).content.decode()

    assert sign_in(client, "robin@example.org", NEW_PASSWORD).url == reverse("reports:dashboard")
    client.logout()
    refused = sign_in(client, "robin@example.org", OLD_PASSWORD)
    assert refused.status_code == 200
    assert "Enter a correct e-mail address and password." in refused.content.decode()


def test_an_unknown_address_gets_the_same_page_and_no_mail(robin, client):
    known = ask_for_link(client, "robin@example.org")
    mail.outbox.clear()
    unknown = ask_for_link(client, "nobody@example.org")
    assert unknown.url == known.url
    assert not mail.outbox


@pytest.mark.parametrize(
    "person",
    [
        {"is_active": False},
        # Invited, never chose a password: they use their invitation or ask to be invited again.
        {"password": None},  # the factory makes an unusable password of None
    ],
    ids=["inactive", "invited without a password yet"],
)
def test_accounts_without_a_working_password_get_nothing(db, client, person):
    UserFactory(email="quiet@example.org", **person)
    response = ask_for_link(client, "quiet@example.org")
    assert response.url == reverse("accounts:password-reset-sent")
    assert not mail.outbox
    page = client.get(response.url).content.decode()
    assert "If you were invited but have not chosen a password yet" in page
    assert "Use the link in your invitation e-mail" in page


def test_the_form_speaks_plainly(db, client):
    for email, error in [
        ("", "Enter your e-mail address."),
        ("not an address", "Enter an e-mail address in the correct format"),
    ]:
        response = ask_for_link(client, email)
        assert response.status_code == 200
        page = response.content.decode()
        assert "There is a problem" in page and error in page
    assert not mail.outbox


def test_a_used_link_says_so_and_offers_a_new_one(robin, client):
    ask_for_link(client, "robin@example.org")
    path = link_in(mail.outbox[0])
    choose(client, path)
    for response in (
        client.get(path),
        client.post(path, {"new_password1": "x" * 20, "new_password2": "x" * 20}),
    ):
        assert response.status_code == 410
        page = response.content.decode()
        assert "This link does not work" in page
        assert f'href="{reverse("accounts:password-reset")}">Ask for a new link' in page
    robin.refresh_from_db()
    assert robin.check_password(NEW_PASSWORD)


def test_the_link_stops_working_once_the_person_signs_in(robin, client):
    """Django's token also covers the last sign-in: remembering the password spends the link."""
    ask_for_link(client, "robin@example.org")
    path = link_in(mail.outbox[0])
    sign_in(client, "robin@example.org", OLD_PASSWORD)
    client.logout()
    assert client.get(path).status_code == 410


class TokensFrom(PasswordResetTokenGenerator):
    """Django's token generator, its clock set back: a link e-mailed some time ago."""

    def __init__(self, ago):
        super().__init__()
        self.ago = ago

    def _now(self):
        return super()._now() - self.ago


def link_made(user, ago):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return confirm_url(uid, TokensFrom(ago).make_token(user))


def test_a_link_works_for_a_day(robin, client):
    assert settings.PASSWORD_RESET_TIMEOUT == 24 * 60 * 60
    nearly = link_made(robin, datetime.timedelta(hours=23, minutes=50))
    assert client.get(nearly).status_code == 302

    expired = client.get(link_made(robin, datetime.timedelta(hours=24, minutes=10)))
    assert expired.status_code == 410
    page = expired.content.decode()
    assert "This link does not work" in page and "work once, for 24 hours" in page


@pytest.mark.parametrize(
    ("uidb64", "token"),
    [("MQ", "made-up-token"), ("not-base64!", "abc-def"), ("OTk5OTk5", "set-password")],
    ids=["made-up token", "not a user id", "no such user"],
)
def test_a_mangled_link_is_a_clear_page_not_an_error(robin, client, uidb64, token):
    response = client.get(confirm_url(uidb64, token))
    assert response.status_code == 410
    assert "This link does not work" in response.content.decode()


def test_the_new_password_is_checked_by_the_validators(robin, client):
    ask_for_link(client, "robin@example.org")
    path = link_in(mail.outbox[0])
    for password, again, error in [
        (NEW_PASSWORD, "something else entirely", "The two passwords do not match."),
        ("short", None, "This password is too short"),
        ("password1234", None, "This password is too common"),
        ("robin@example.org", None, "too similar to the e-mail address"),
    ]:
        page = choose(client, path, password, again).content.decode()
        assert "There is a problem" in page and error in page
    robin.refresh_from_db()
    assert robin.check_password(OLD_PASSWORD)


def test_other_sessions_are_signed_out(robin, client):
    from django.test import Client

    elsewhere = Client()
    elsewhere.force_login(robin)
    assert elsewhere.get(reverse("reports:dashboard")).status_code == 200
    ask_for_link(client, "robin@example.org")
    choose(client, link_in(mail.outbox[0]))
    assert elsewhere.get(reverse("reports:dashboard")).status_code == 302


def test_an_address_gets_a_few_emails_an_hour_at_most(robin, client, monkeypatch):
    limit = services.PASSWORD_RESET_EMAILS_PER_HOUR
    assert limit == 3
    other = UserFactory(email="other@example.org")
    for _ in range(limit + 2):
        response = ask_for_link(client, "robin@example.org")
        assert response.url == reverse("accounts:password-reset-sent")
    assert [m.to for m in mail.outbox] == [["robin@example.org"]] * limit
    # Someone else is not held back by it.
    ask_for_link(client, "other@example.org")
    assert mail.outbox[-1].to == [other.email]
    # An hour later (the cache's clock), Robin can have a link again.
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 60 * 60 + 1)
    mail.outbox.clear()
    ask_for_link(client, "robin@example.org")
    assert [m.to for m in mail.outbox] == [["robin@example.org"]]


def test_only_the_newest_links_count(robin, client):
    """Each link stays valid until one is used; using one spends them all (the password changed)."""
    ask_for_link(client, "robin@example.org")
    ask_for_link(client, "robin@example.org")
    first, second = (link_in(message) for message in mail.outbox)
    choose(client, second)
    assert client.get(first).status_code == 410


def test_the_link_sends_no_referrer_and_no_page_has_inline_script_or_style(robin, client):
    ask_for_link(client, "robin@example.org")
    path = link_in(mail.outbox[0])
    at_the_link = [client.get(path), client.get(confirm_url("MQ", "made-up-token"))]
    for response in at_the_link:
        assert response.headers["Referrer-Policy"] == "no-referrer"
    # The pages with forms keep the portal's policy: it sends no Referer to other sites, and
    # unlike no-referrer it lets the browser send the form's Origin for the CSRF check.
    form_page = client.get(at_the_link[0].url)
    assert form_page.headers["Referrer-Policy"] == "same-origin"
    pages = [
        client.get(reverse("accounts:password-reset")),
        client.get(reverse("accounts:password-reset-sent")),
        form_page,
        client.get(reverse("accounts:password-reset-complete")),
        at_the_link[1],
    ]
    for response in pages:
        page = response.content.decode()
        assert " style=" not in page and "<style" not in page
        for script in page.split("<script")[1:]:
            assert script.split(">", 1)[0].strip().startswith("src=")


def test_the_admin_sign_in_links_to_the_reset_page(db, client):
    page = client.get(reverse("admin:login")).content.decode()
    assert f'href="{reverse("accounts:password-reset")}">Forgotten your password?' in page


def test_the_email_goes_once_the_page_has_been_sent(robin, rf):
    """Sent during the request, a slow mail server would make the answer slower for an address
    with an account than for one without: the e-mail waits until the response is sent."""
    from accounts.views import PasswordResetView

    request = rf.post(reverse("accounts:password-reset"), {"email": robin.email})
    request._dont_enforce_csrf_checks = True
    response = PasswordResetView.as_view()(request)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-reset-sent")
    assert mail.outbox == []
    response.close()  # what a WSGI server does after the last byte
    assert [message.to for message in mail.outbox] == [[robin.email]]
    assert link_in(mail.outbox[0])


def test_a_failing_mail_server_still_gives_the_same_page(robin, client, settings):
    settings.EMAIL_BACKEND = "tests.support.failing_email.EmailBackend"
    response = ask_for_link(client, robin.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-reset-sent")


def test_one_client_asks_for_ten_links_an_hour_at_most(db, client, monkeypatch):
    """Whatever addresses it asks for, one client cannot have the site e-mail many people."""
    limit = services.PASSWORD_RESET_REQUESTS_PER_CLIENT_PER_HOUR
    assert limit == 10
    people = [UserFactory(email=f"person{n}@example.org") for n in range(limit + 1)]
    for person in people[:limit]:
        assert ask_for_link(client, person.email).url == reverse("accounts:password-reset-sent")
    assert len(mail.outbox) == limit
    refused = client.post(reverse("accounts:password-reset"), {"email": people[-1].email})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    page = refused.content.decode()
    assert "<h1>Too many requests for a new password</h1>" in page
    assert "no e-mail was sent" in page
    assert len(mail.outbox) == limit
    # Another client is not held back by it.
    other = client.post(
        reverse("accounts:password-reset"), {"email": people[-1].email}, REMOTE_ADDR="192.0.2.7"
    )
    assert other.url == reverse("accounts:password-reset-sent")
    assert mail.outbox[-1].to == [people[-1].email]
    # An hour later (the cache's clock), the first client can ask again.
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 60 * 60 + 1)
    assert ask_for_link(client, people[0].email).url == reverse("accounts:password-reset-sent")
