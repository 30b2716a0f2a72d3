"""Writes for accounts: invitations by programme admins and accepting them; the allowance of
forgotten-password e-mails."""

import hashlib
import secrets
from urllib.parse import urljoin

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Invitation, Role, User

# At most this many forgotten-password e-mails go to one address in an hour: the form cannot be
# used to flood someone's inbox.
PASSWORD_RESET_EMAILS_PER_HOUR = 3
PASSWORD_RESET_REQUESTS_PER_CLIENT_PER_HOUR = 10


class InvitationInvalid(Exception):
    """The link cannot be used; ``reason`` is "unknown", "accepted", "replaced" or "expired"."""

    def __init__(self, reason, invitation=None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def find_invitation(token: str) -> Invitation:
    """The invitation a link's token opens, or InvitationInvalid saying plainly why not."""
    invitation = (
        Invitation.objects.select_related("user")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid("unknown")
    if invitation.state != "pending":
        raise InvitationInvalid(invitation.state, invitation)
    return invitation


@transaction.atomic
def invite_user(
    *,
    invited_by,
    email: str,
    full_name: str,
    role: str,
    job_title: str = "",
    partnership=None,
    bsps=(),
) -> Invitation:
    """Create (or refresh) the account of ``email`` and e-mail it a one-time set-password link.

    An earlier invitation not yet used is replaced: only the newest link works. Someone who has
    already set a password is not invited again.
    """
    if not (invited_by.is_active and invited_by.is_programme_admin):
        raise PermissionDenied("Only programme admins invite people.")
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and user.has_usable_password():
        raise ValidationError({"email": f"{email} already has an account: they can sign in."})
    if user is None:
        user = User(email=email)
        user.set_unusable_password()
    user.full_name = full_name
    user.job_title = job_title
    user.role = role
    user.partnership = partnership if role == Role.LOCAL_LEAD else None
    user.is_active = True
    user.full_clean(exclude=["password"])
    user.save()
    if role == Role.DELIVERY_PARTNER:
        for bsp in bsps:
            bsp.delivery_partners.add(user)

    now = timezone.now()
    Invitation.objects.pending().filter(user=user).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        token_hash=Invitation.hash_token(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + Invitation.VALID_FOR,
    )
    # The site's address as configured, like every other e-mail: never the Host of the request
    # (which a client chooses).
    link = urljoin(settings.SITE_URL, reverse("accounts:invitation", kwargs={"token": token}))
    context = {"user": user, "invited_by": invited_by, "link": link, "invitation": invitation}
    transaction.on_commit(
        lambda: send_mail(
            subject="Set your password for the TCE learning reports portal",
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
    )
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, password: str) -> User:
    """Set the invited user's password and use up the link. Raises InvitationInvalid."""
    invitation = find_invitation(token)
    # Lock the row: two tabs submitting the same link give one password, not two.
    invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if invitation.state != "pending":
        raise InvitationInvalid(invitation.state, invitation)
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


def allow_password_reset_email(email: str) -> bool:
    """Count one forgotten-password e-mail to ``email``; False once the hour's allowance is used."""
    digest = hashlib.sha256(email.lower().encode()).hexdigest()
    return within_hourly_allowance(
        "password-reset-emails:" + digest, PASSWORD_RESET_EMAILS_PER_HOUR
    )


def allow_password_reset_request(client: str | None) -> bool:
    """Count one forgotten-password request from ``client`` (its IP address, as django-axes reads
    it for sign-in); False once the hour's allowance is spent. Whatever the addresses asked for,
    one client cannot send e-mails to many of them."""
    return within_hourly_allowance(
        f"password-reset-requests:{client or 'unknown'}",
        PASSWORD_RESET_REQUESTS_PER_CLIENT_PER_HOUR,
    )


def within_hourly_allowance(key: str, allowance: int) -> bool:
    """Count one use of ``key``; False once more than ``allowance`` were counted this hour.

    The hour starts with the first use. The count lives in the cache: one count for every
    process when REDIS_URL is set, one per process with the default in-memory cache.
    """
    hour = 60 * 60
    cache.add(key, 0, timeout=hour)
    try:
        used = cache.incr(key)
    except ValueError:  # the hour ended between add() and incr()
        cache.set(key, 1, timeout=hour)
        used = 1
    return used <= allowance


def sign_in_address(request, credentials) -> str:
    """The e-mail address a sign-in attempt was for, as django-axes counts failures: one count
    whatever the letter case (sign-in ignores it too)."""
    source = credentials if credentials else getattr(request, "POST", {})
    return (source.get("username") or "").strip().lower()
