"""Your account: who you are in the portal, and changing your password while signed in."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.factories import PartnershipFactory, UserFactory
from tests.support.signing_in import sign_in

OLD_PASSWORD = "correct horse battery staple"  # the factory's
NEW_PASSWORD = "a long enough passphrase 42"


@pytest.fixture
def robin(db):
    return UserFactory(
        email="robin@example.org",
        full_name="Robin Account",
        job_title="Partnership manager",
        role=Role.LOCAL_LEAD,
        partnership=PartnershipFactory(name="Kernow Safeguarding Partnership"),
    )


def change(client, old, new1, new2=None):
    return client.post(
        reverse("accounts:password-change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def test_signed_out_visitors_are_sent_to_sign_in(db, client):
    for name in ("accounts:account", "accounts:password-change"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_the_account_page_says_who_you_are(robin, client):
    client.force_login(robin)
    page = client.get(reverse("accounts:account")).content.decode()
    for text in (
        "Robin Account",
        "robin@example.org",
        "Partnership manager",
        "Local lead",
        "Kernow Safeguarding Partnership",
        f'href="{reverse("accounts:password-change")}"',
    ):
        assert text in page, text
    # Every signed-in page links to it.
    assert (
        f'href="{reverse("accounts:account")}"'
        in client.get(reverse("reports:home")).content.decode()
    )


def test_changing_the_password_keeps_this_session_and_ends_the_others(robin, client):
    assert sign_in(client, "robin@example.org", OLD_PASSWORD).status_code == 302
    elsewhere = Client()
    assert sign_in(elsewhere, "robin@example.org", OLD_PASSWORD).status_code == 302
    response = change(client, OLD_PASSWORD, NEW_PASSWORD)
    assert response.url == reverse("accounts:account")
    page = client.get(response.url).content.decode()
    assert "Your password is changed." in page  # and still signed in
    assert elsewhere.get(reverse("accounts:account")).status_code == 302  # signed out there
    robin.refresh_from_db()
    assert robin.check_password(NEW_PASSWORD)
    client.logout()
    assert sign_in(client, "robin@example.org", OLD_PASSWORD).status_code == 200  # refused
    assert sign_in(client, "robin@example.org", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("old", "new1", "new2", "message"),
    [
        ("a wrong guess", NEW_PASSWORD, NEW_PASSWORD, "Your current password is not right."),
        (OLD_PASSWORD, NEW_PASSWORD, "something else 42", "The two new passwords do not match."),
        (OLD_PASSWORD, "short", "short", "This password is too short."),
        ("", "", "", "Enter your current password."),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(robin, client, old, new1, new2, message):
    client.force_login(robin)
    response = change(client, old, new1, new2)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "<title>Error: Change your password" in page
    robin.refresh_from_db()
    assert robin.check_password(OLD_PASSWORD)


def test_an_account_without_a_password_has_none_to_change(robin, client):
    robin.set_unusable_password()
    robin.save()
    client.force_login(robin)
    assert "Change your password" not in client.get(reverse("accounts:account")).content.decode()
    response = client.get(reverse("accounts:password-change"))
    assert response.url == reverse("accounts:account")
