"""Programme admins invite people; the one-time link sets a password, once, for 7 days."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Role, User
from tests.factories import BespokeSupportProjectFactory, PartnershipFactory, UserFactory
from tests.support.signing_in import sign_in

NEW_PASSWORD = "a long enough passphrase 42"


@pytest.fixture
def admin(db):
    return UserFactory(role=Role.PROGRAMME_ADMIN, is_staff=True, full_name="Pat Admin")


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Post the invitation form; the e-mail goes once the invitation is committed."""

    def post(client, admin, **data):
        client.force_login(admin)
        fields = {
            "email": "Robin.New@Example.org",
            "full_name": "Robin New",
            "role": "delivery_partner",
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("accounts:invite"), {**fields, **data})

    return post


def link_in(message):
    return re.search(r"https?://[^/\s]+(/accounts/invitation/[^/\s]+/)", message.body).group(1)


def test_the_link_is_on_the_sites_address_whatever_host_the_request_named(
    admin, client, invite, settings
):
    """Like every e-mail, the invitation names SITE_URL: never the Host header, which the client
    chooses (a poisoned Host would send the one-time token elsewhere)."""
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    settings.SITE_URL = "https://reports.example.org"
    client.defaults["HTTP_HOST"] = "evil.example"
    invite(client, admin)
    (message,) = mail.outbox
    assert "https://reports.example.org/accounts/invitation/" in message.body
    assert "evil.example" not in message.body


def test_an_admin_invites_a_delivery_partner_to_their_bsps(admin, client, invite):
    bsp = BespokeSupportProjectFactory()
    response = invite(client, admin, bsps=[bsp.pk], job_title="Consultant")
    assert response.url == reverse("accounts:invite")
    user = User.objects.get(email="robin.new@example.org")
    assert (user.full_name, user.role, user.job_title) == (
        "Robin New",
        "delivery_partner",
        "Consultant",
    )
    assert not user.has_usable_password()
    assert list(user.assigned_bsps.all()) == [bsp]
    (message,) = mail.outbox
    assert message.to == ["robin.new@example.org"]
    assert "Pat Admin has invited you" in message.body
    token = link_in(message).rstrip("/").rsplit("/", 1)[1]
    # Only a hash of the token is stored.
    assert Invitation.objects.get().token_hash == Invitation.hash_token(token)
    assert token not in str(Invitation.objects.values_list())
    page = client.get(reverse("accounts:invite")).content.decode()
    assert "Invitation sent to robin.new@example.org" in page
    assert "Not used yet" in page


def test_the_link_sets_a_password_signs_in_and_works_only_once(admin, client, invite):
    invite(client, admin)
    link = link_in(mail.outbox[0])
    client.logout()
    page = client.get(link).content.decode()
    assert "Choose your password" in page and "robin.new@example.org" in page
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.url == reverse("reports:dashboard")
    assert client.get(reverse("reports:dashboard")).context["user"].email == "robin.new@example.org"
    assert User.objects.get(email="robin.new@example.org").check_password(NEW_PASSWORD)
    client.logout()
    assert sign_in(client, "robin.new@example.org", NEW_PASSWORD).url == reverse(
        "reports:dashboard"
    )
    client.logout()
    # Used: a clear message, and the password cannot be set again with it.
    for response in (
        client.get(link),
        client.post(link, {"new_password1": "x" * 20, "new_password2": "x" * 20}),
    ):
        assert response.status_code == 410
        assert "This link has already been used" in response.content.decode()
    assert User.objects.get(email="robin.new@example.org").check_password(NEW_PASSWORD)


def test_an_expired_link_says_so(admin, client, invite):
    invite(client, admin)
    link = link_in(mail.outbox[0])
    Invitation.objects.update(
        created_at=timezone.now() - datetime.timedelta(days=10),
        expires_at=timezone.now() - datetime.timedelta(days=3),
    )
    client.logout()
    response = client.get(link)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_a_new_invitation_replaces_the_old_link(admin, client, invite):
    invite(client, admin)
    invite(client, admin, full_name="Robin Newer")
    first, second = link_in(mail.outbox[0]), link_in(mail.outbox[1])
    client.logout()
    assert "This link has been replaced" in client.get(first).content.decode()
    assert client.get(second).status_code == 200
    assert User.objects.get(email="robin.new@example.org").full_name == "Robin Newer"


def test_an_unknown_link_is_not_valid(db, client):
    response = client.get(reverse("accounts:invitation", kwargs={"token": "made-up"}))
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_passwords_are_checked(admin, client, invite):
    invite(client, admin)
    link = link_in(mail.outbox[0])
    client.logout()
    page = client.post(link, {"new_password1": "short", "new_password2": "other"}).content
    assert b"The two passwords do not match." in page
    page = client.post(link, {"new_password1": "password", "new_password2": "password"}).content
    assert b"This password is too short" in page
    assert not User.objects.get(email="robin.new@example.org").has_usable_password()


def test_the_invitation_form_speaks_plainly(admin, client, invite):
    response = invite(client, admin, email="", full_name="", role="local_lead")
    page = response.content.decode()
    assert "Enter the e-mail address of the person to invite." in page
    assert "Enter the person&#x27;s full name." in page
    assert "Select the partnership of the local lead." in page
    assert not mail.outbox


def test_a_local_lead_is_invited_to_their_partnership(admin, client, invite):
    partnership = PartnershipFactory()
    invite(client, admin, role="local_lead", partnership=partnership.pk)
    user = User.objects.get(email="robin.new@example.org")
    assert (user.role, user.partnership) == ("local_lead", partnership)


def test_someone_with_an_account_is_not_invited_again(admin, client, invite):
    UserFactory(email="robin.new@example.org")
    response = invite(client, admin)
    assert "already has an account" in response.content.decode()
    assert not mail.outbox
