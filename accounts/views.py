from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from . import services
from .forms import InvitationForm, SetPasswordForm
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
                site_url=request.build_absolute_uri("/"),
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
