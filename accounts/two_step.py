"""Two-step sign-in: a code from an authenticator app (TOTP, django-otp) after the password.

Anyone with a password may turn it on from "Your account". A person who has it must give a code
after their password before any signed-in page (the admin included) opens. With
``REQUIRE_ADMIN_TWO_STEP`` on, programme admins must set it up before anything else.
"""

from base64 import b32encode
from urllib.parse import quote

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .keeping_text import login_required

ISSUER = "TCE learning reports"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="The 6-digit code from your authenticator app",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "min_length": "Enter all 6 digits of the code",
            "max_length": "Enter the 6 digits of the code, nothing else",
        },
    )

    def __init__(self, *args, device=None, button="Continue", **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("confirm", button))

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("The code is 6 digits")
        if self.device is not None:
            allowed, _why = self.device.verify_is_allowed()
            if not allowed:
                # django-otp slows down guessing: each wrong code doubles the wait.
                raise forms.ValidationError(
                    "Too many wrong codes: wait a few seconds, then enter the code your app "
                    "shows then"
                )
        if self.device is None or not self.device.verify_token(code):
            raise forms.ValidationError(
                "That code is not right. Enter the code your app shows now (it changes every "
                "30 seconds)"
            )
        return code


def confirmed_device(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


# Whether the signed-in person has two-step sign-in on, kept in their session from the moment
# they sign in (so that pages need no query to know it); set-up and turning off update it.
SESSION_KEY = "two_step_on"


@receiver(user_logged_in, dispatch_uid="two_step_known_at_sign_in")
def note_at_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = user_has_device(user, confirmed=True)


def _next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
def set_up(request):
    """Turn two-step sign-in on: a key for the app, then a code from it to confirm."""
    if confirmed_device(request.user) is not None:
        messages.info(request, "Two-step sign-in is on already.")
        return redirect("accounts:account")
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        device=device,
        button="Turn on two-step sign-in",
    )
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        request.session[SESSION_KEY] = True
        messages.success(request, "Two-step sign-in is on: you will be asked for a code each time.")
        return redirect(_next(request, reverse("accounts:account")))
    key = _base32(device.bin_key)
    uri = (
        f"otpauth://totp/{quote(ISSUER)}:{quote(request.user.email)}"
        f"?secret={key}&issuer={quote(ISSUER)}&digits=6&period=30"
    )
    return render(
        request,
        "accounts/two_step_set_up.html",
        {
            "form": form,
            "key_groups": [key[i : i + 4] for i in range(0, len(key), 4)],
            "uri": uri,
            "required": required_for(request.user),
            "next": _next(request, ""),
        },
        status=400 if form.errors else 200,
    )


def verify(request):
    """After the password: the code from the app."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    device = confirmed_device(request.user)
    if device is None:
        request.session[SESSION_KEY] = False  # turned off meanwhile (by the programme team)
        return redirect(_next(request, reverse("reports:dashboard")))
    form = CodeForm(request.POST if request.method == "POST" else None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        return redirect(_next(request, reverse("reports:dashboard")))
    return render(
        request,
        "accounts/two_step_verify.html",
        {"form": form, "next": _next(request, "")},
        status=400 if form.errors else 200,
    )


@login_required
def turn_off(request):
    if request.method == "POST" and not required_for(request.user):
        TOTPDevice.objects.filter(user=request.user).delete()
        request.session[SESSION_KEY] = False
        messages.success(request, "Two-step sign-in is off.")
    return redirect("accounts:account")


def _base32(key: bytes) -> str:
    return b32encode(key).decode().rstrip("=")


def required_for(user) -> bool:
    return bool(settings.REQUIRE_ADMIN_TWO_STEP) and getattr(user, "is_programme_admin", False)


# Pages a signed-in person reaches before giving the code (or setting it up, when required).
_OPEN = ("accounts:two-step-verify", "accounts:two-step-set-up", "accounts:logout")


class TwoStepMiddleware:
    """After ``django_otp.middleware.OTPMiddleware``: a person with two-step sign-in on must give
    a code before any signed-in page; a programme admin must set it up, when required."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)  # nobody signed in: nothing to read (no Vary)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._open(request):
            on = request.session.get(SESSION_KEY, False)
            if on and not user.is_verified():
                return redirect(f"{reverse('accounts:two-step-verify')}?next={quote(request.path)}")
            if not on and required_for(user):
                return redirect(f"{reverse('accounts:two-step-set-up')}?next={quote(request.path)}")
        return self.get_response(request)

    @staticmethod
    def _open(request):
        if request.path.startswith((settings.STATIC_URL, "/healthz")):
            return True
        return any(request.path == reverse(name) for name in _OPEN)
