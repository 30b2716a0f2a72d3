"""Two-step sign-in (django-otp's TOTP): set up from "Your account", asked for after the password
before any signed-in page, required of programme admins when the setting says so."""

import re
from base64 import b32decode

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests.factories import PASSWORD, UserFactory, make_cast
from tests.support.signing_in import sign_in


def code_for(key_text: str, *, later: int = 0) -> str:
    """The code an authenticator app shows for the key the set-up page gave: now, or ``later``
    30-second steps on (a code is good once: a second sign-in within the same 30 seconds uses
    the next one, which the portal accepts as a clock one step ahead)."""
    key = b32decode(key_text + "=" * (-len(key_text) % 8))
    return f"{totp(key, step=30, digits=6, drift=later):06d}"


def set_up(client):
    page = client.get(reverse("accounts:two-step-set-up")).content.decode()
    key = "".join(re.search(r'<code class="two-step-key">([^<]*)</code>', page).group(1).split())
    return key


def test_a_wrong_code_slows_down_the_next_try(db, client):
    cast = make_cast()
    sign_in(client, cast.partner.email, PASSWORD)
    key = set_up(client)
    client.post(reverse("accounts:two-step-set-up"), {"code": "000000"})
    at_once = client.post(reverse("accounts:two-step-set-up"), {"code": code_for(key)})
    assert at_once.status_code == 400
    assert "Too many wrong codes: wait a few seconds" in at_once.content.decode()


def test_a_person_turns_it_on_and_is_then_asked_for_a_code_after_the_password(db, client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after the wrong code below
    cast = make_cast()
    sign_in(client, cast.partner.email, PASSWORD)
    account = client.get(reverse("accounts:account")).content.decode()
    assert "Set up two-step sign-in" in account
    key = set_up(client)
    wrong = client.post(reverse("accounts:two-step-set-up"), {"code": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    right = client.post(reverse("accounts:two-step-set-up"), {"code": code_for(key)})
    assert right.status_code == 302
    assert TOTPDevice.objects.get(user=cast.partner).confirmed

    # Next time: the password is not enough.
    client.post(reverse("accounts:logout"))
    sign_in(client, cast.partner.email, PASSWORD)
    dashboard = reverse("reports:dashboard")
    response = client.get(dashboard)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two-step-verify"))
    assert client.get(reverse("admin:index")).url.startswith(reverse("accounts:two-step-verify"))
    page = client.get(response.url)
    assert "Enter the code from your authenticator app" in page.content.decode()
    refused = client.post(response.url, {"code": "12345x"})
    assert refused.status_code == 400 and "The code is 6 digits" in refused.content.decode()
    passed = client.post(response.url, {"code": code_for(key, later=1)})
    assert passed.status_code == 302 and passed.url == dashboard
    assert client.get(dashboard).status_code == 200


def test_a_code_used_once_cannot_be_used_again(db, client):
    cast = make_cast()
    sign_in(client, cast.partner.email, PASSWORD)
    key = set_up(client)
    code = code_for(key)
    client.post(reverse("accounts:two-step-set-up"), {"code": code})
    client.post(reverse("accounts:logout"))
    sign_in(client, cast.partner.email, PASSWORD)
    again = client.post(reverse("accounts:two-step-verify"), {"code": code})
    assert again.status_code == 400  # django-otp refuses a replayed code


def test_programme_admins_must_set_it_up_when_required(db, client, settings):
    settings.REQUIRE_ADMIN_TWO_STEP = True
    admin = UserFactory(role=Role.PROGRAMME_ADMIN, is_staff=True)
    sign_in(client, admin.email, PASSWORD)
    response = client.get(reverse("reports:dashboard"))
    assert response.url.startswith(reverse("accounts:two-step-set-up"))
    page = client.get(response.url).content.decode()
    assert "Programme admins sign in in two steps" in page
    assert "Not now" not in page
    # Others are not asked.
    partner = UserFactory(role=Role.DELIVERY_PARTNER)
    other = client_for(partner)
    assert other.get(reverse("reports:dashboard")).status_code == 200


def client_for(user):
    client = Client()
    sign_in(client, user.email, PASSWORD)
    return client


def test_it_can_be_turned_off_unless_required(db, client, settings):
    cast = make_cast()
    sign_in(client, cast.partner.email, PASSWORD)
    key = set_up(client)
    client.post(reverse("accounts:two-step-set-up"), {"code": code_for(key)})
    assert "Turn two-step sign-in off" in client.get(reverse("accounts:account")).content.decode()
    client.post(reverse("accounts:two-step-off"))
    assert not TOTPDevice.objects.filter(user=cast.partner).exists()
