"""Sign-off links: how a local lead without a password reviews and signs one report.

The TCE project lead sends a link (services.send_signoff_link). Its token is django-sesame's,
scoped to that one link, so it names the recipient and cannot be moved to another report; it
expires after ``SIGNOFF_LINK_DAYS`` (the link's ``expires_at``, and sesame's own max age).
Opening it does not sign anyone in: it puts a grant for that report alone in the browser's
session. Signing with it spends the link (``used_at``) and ends the grant.
"""

from django.conf import settings
from django.contrib.auth import logout
from django.urls import reverse

from ..models import SignoffLink


def _sesame():
    """django-sesame's helpers. Imported when a link is made or opened, not with this module:
    sesame derives its key from SECRET_KEY as it is imported, and commands that sign nothing
    (makemigrations --check, migrate) run without a secret."""
    from sesame import utils

    return utils


SESSION_KEY = "signoff_links"  # {report slug: sign-off link id}


def link_path(link: SignoffLink) -> str:
    path = reverse("reports:signoff-link", kwargs={"slug": link.report.slug, "link_id": link.pk})
    return path + _sesame().get_query_string(link.recipient, scope=link.scope)


def link_url(link: SignoffLink) -> str:
    return settings.SITE_URL + link_path(link)


def redeem(request, *, slug: str, link_id: int) -> SignoffLink | None:
    """Check the link's token; on success this browser may act for its recipient on that report."""
    link = (
        SignoffLink.objects.live()
        .select_related("report", "recipient")
        .filter(pk=link_id, report__slug=slug)
        .first()
    )
    if link is None:
        return None
    user = _sesame().get_user(request, scope=link.scope, update_last_login=False)
    if user is None or user.pk != link.recipient_id:
        return None
    if request.user.is_authenticated and request.user.pk != user.pk:
        logout(request)  # someone else's session must not mix with this link
    if not request.user.is_authenticated:
        request.session.cycle_key()
        grants = request.session.get(SESSION_KEY, {})
        grants[slug] = link.pk
        request.session[SESSION_KEY] = grants
    return link


def granted_link(request, slug: str) -> SignoffLink | None:
    """The live sign-off link this browser opened for the report ``slug``, if any."""
    link_id = request.session.get(SESSION_KEY, {}).get(slug)
    if not link_id:
        return None
    return (
        SignoffLink.objects.live()
        .select_related("recipient")
        .filter(pk=link_id, report__slug=slug, recipient__is_active=True)
        .first()
    )


def forget(request, slug: str) -> None:
    grants = request.session.get(SESSION_KEY, {})
    if grants.pop(slug, None) is not None:
        request.session[SESSION_KEY] = grants
