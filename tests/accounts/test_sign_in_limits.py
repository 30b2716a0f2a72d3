"""Guessing passwords: django-axes pauses an address on one client after a few wrong ones."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.support.signing_in import sign_in

PASSWORD = "correct horse battery staple"  # the factory's


@pytest.fixture
def robin(db):
    return UserFactory(email="robin@example.org", full_name="Robin Guess")


def wrong_guesses(client, email, count, **extra):
    for _ in range(count):
        response = client.post(
            reverse("accounts:login"), {"username": email, "password": "a wrong guess"}, **extra
        )
        assert response.status_code == 200
        assert "Enter a correct e-mail address and password." in response.content.decode()


def assert_locked_out(response, email):
    assert response.status_code == 429
    page = response.content.decode()
    assert "<h1>Too many attempts to sign in</h1>" in page
    assert f"<strong>{email}</strong> was entered wrongly 5 times" in page
    assert "is paused for 15 minutes" in page
    assert f'href="{reverse("accounts:password-reset")}"' in page


def test_five_wrong_passwords_pause_the_address_on_that_client(robin, client):
    assert (
        5,
        datetime.timedelta(minutes=15),
    ) == (settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)
    # Letter case does not make a new count.
    wrong_guesses(client, "robin@example.org", 3)
    wrong_guesses(client, "Robin@Example.org", 1)
    locked = client.post(
        reverse("accounts:login"), {"username": "ROBIN@example.org", "password": "a wrong guess"}
    )
    assert_locked_out(locked, "robin@example.org")
    # The right password does not get through while the pause lasts.
    assert_locked_out(sign_in(client, "robin@example.org", PASSWORD), "robin@example.org")
    assert "_auth_user_id" not in client.session
    # Robin on another machine, and other people on this one, sign in as usual.
    elsewhere = sign_in(client, "robin@example.org", PASSWORD, REMOTE_ADDR="192.0.2.9")
    assert elsewhere.url == reverse("reports:dashboard")
    client.logout()
    UserFactory(email="sam@example.org")
    assert sign_in(client, "sam@example.org", PASSWORD).url == reverse("reports:dashboard")


def test_the_pause_ends_after_the_cool_off(robin, client):
    wrong_guesses(client, "robin@example.org", 4)
    assert_locked_out(sign_in(client, "robin@example.org", "a fifth guess"), "robin@example.org")
    assert_locked_out(sign_in(client, "robin@example.org", PASSWORD), "robin@example.org")
    # A wrong guess during the pause starts it again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=10))
    assert_locked_out(sign_in(client, "robin@example.org", "a sixth guess"), "robin@example.org")
    [attempt] = AccessAttempt.objects.all()
    assert timezone.now() - attempt.attempt_time < datetime.timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert sign_in(client, "robin@example.org", PASSWORD).url == reverse("reports:dashboard")


def test_signing_in_clears_the_count(robin, client):
    wrong_guesses(client, "robin@example.org", 4)
    assert sign_in(client, "robin@example.org", PASSWORD).url == reverse("reports:dashboard")
    client.logout()
    wrong_guesses(client, "robin@example.org", 4)
    assert sign_in(client, "robin@example.org", PASSWORD).url == reverse("reports:dashboard")


def test_an_address_without_an_account_is_paused_the_same_way(db, client):
    """The pause tells nobody whether an address has an account."""
    wrong_guesses(client, "nobody@example.org", 4)
    assert_locked_out(sign_in(client, "nobody@example.org", "a fifth guess"), "nobody@example.org")
    assert_locked_out(sign_in(client, "nobody@example.org", "anything"), "nobody@example.org")


def test_the_attempts_are_in_the_admin(robin, client):
    wrong_guesses(client, "robin@example.org", 2)
    admin = UserFactory(email="ada@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "robin@example.org" in page
