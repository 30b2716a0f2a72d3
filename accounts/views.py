from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy

from tce_portal.after_response import RedirectThen

from . import services, two_step
from .forms import (
    ChangePasswordForm,
    InvitationForm,
    NewPasswordForm,
    PasswordResetForm,
    SetPasswordForm,
)
from .keeping_text import login_required
from .models import Invitation

INVALID_STATUS = {"unknown": 404, "accepted": 410, "replaced": 410, "expired": 410}


@login_required
def invite(request):
    """A programme admin invites someone: the account is made and a set-password link sent."""
    if not request.user.is_programme_admin:
        raise PermissionDenied("Only programme admins invite people.")
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invite_user(
                invited_by=request.user,
                email=data["email"],
                full_name=data["full_name"],
                job_title=data["job_title"],
                role=data["role"],
                partnership=data["partnership"],
                bsps=data["bsps"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.user.email}. The link works once, for "
                f"{Invitation.VALID_FOR.days} days.",
            )
            return redirect("accounts:invite")
    recent = Invitation.objects.select_related("user", "invited_by")[:20]
    return render(request, "accounts/invite.html", {"form": form, "invitations": recent})


def invitation(request, token):
    """The link in the invitation e-mail: choose a password, then you are signed in."""
    try:
        found = services.find_invitation(token)
    except services.InvitationInvalid as invalid:
        return _invalid(request, invalid)
    form = SetPasswordForm(found.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                token=token, password=form.cleaned_data["new_password1"]
            )
        except services.InvitationInvalid as invalid:
            return _invalid(request, invalid)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your password is set and you are signed in.")
        return redirect("reports:dashboard")
    return render(request, "accounts/set_password.html", {"form": form, "invitation": found})


def _invalid(request, invalid):
    return render(
        request,
        "accounts/invitation_invalid.html",
        {
            "reason": invalid.reason,
            "invitation": invalid.invitation,
            "sign_in_url": reverse("accounts:login"),
        },
        status=INVALID_STATUS[invalid.reason],
    )


@login_required
def account(request):
    """Who you are in the portal, and ways to change your password and two-step sign-in."""
    return render(
        request,
        "accounts/account.html",
        {
            "two_step_on": two_step.confirmed_device(request.user) is not None,
            "two_step_required": two_step.required_for(request.user),
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change your password while signed in (Django's view: the current password first, the new
    one through the validators). This session stays signed in; every other one is signed out."""

    form_class = ChangePasswordForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_usable_password():
            messages.error(request, "Your account has no password to change.")
            return redirect("accounts:account")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, "Your password is changed. Anywhere else you were signed in, you are not."
        )
        return response


class PasswordResetPage:
    """The pages of the forgotten-password journey: Django's views, our templates and e-mail."""

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "link_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            "emails_per_hour": services.PASSWORD_RESET_EMAILS_PER_HOUR,
        }


class PasswordResetView(PasswordResetPage, auth_views.PasswordResetView):
    """Ask for a link by e-mail. The same page follows whether or not the address has an account."""

    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def form_valid(self, form):
        if not services.allow_password_reset_request(get_client_ip_address(self.request)):
            response = render(
                self.request,
                "accounts/password_reset_too_many.html",
                {"requests_per_hour": services.PASSWORD_RESET_REQUESTS_PER_CLIENT_PER_HOUR},
                status=429,
            )
            response["Retry-After"] = "3600"
            return response
        # Django's view saves the form (which prepares the e-mail) and redirects; the e-mail goes
        # once that redirect has been sent, so the answer takes as long with or without an account.
        response = super().form_valid(form)
        return RedirectThen(response["Location"], then=form.send_later)

    @property
    def extra_email_context(self):
        # Links are built on SITE_URL, never on the Host header of whoever asked.
        return {
            "site_url": settings.SITE_URL,
            "link_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }


class PasswordResetSentView(PasswordResetPage, auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(PasswordResetPage, auth_views.PasswordResetConfirmView):
    """The link in the e-mail: choose a new password, or be told plainly that the link is spent."""

    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if kwargs.get("token") != self.reset_url_token:
            # The address holds the token (Django then redirects to one without it, or says the
            # link does not work): send no Referer at all from it. The other pages keep the
            # portal's same-origin policy, which sends none to other sites either; no-referrer
            # there would make browsers send "Origin: null" with the form, which CSRF refuses.
            response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def render_to_response(self, context, **response_kwargs):
        if not self.validlink:
            response_kwargs.setdefault("status", 410)
        return super().render_to_response(context, **response_kwargs)


class PasswordResetCompleteView(PasswordResetPage, auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
