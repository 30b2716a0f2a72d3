"""Never lose what someone typed when their session has ended.

A form posted after the session ended (it expired, they signed out in another tab, their password
was changed elsewhere) or with a CSRF token from before they signed in again is refused, as it
must be; but the refusal is the portal's own page, with the words they submitted in front of
them, never Django's bare 403 or a sign-in page that drops them.

- ``login_required``: Django's, except that a POST from someone no longer signed in gets that
  page (status 401) instead of a redirect that would lose the text.
- ``csrf_failure``: ``settings.CSRF_FAILURE_VIEW``, the same page (status 403).
- ``session_status``: what the editor's script asks before it saves or submits (signed in? as
  whom? and the CSRF token to send now), so that it can keep the text in the browser, ask the
  person to sign in again, then save.
"""

from functools import wraps

import nh3
from django.contrib.auth.decorators import login_required as django_login_required
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Form fields that never carry someone's words.
_NOT_TEXT = {"csrfmiddlewaretoken", "based_on_version", "seen_hash", "completed", "consent"}


def submitted_texts(post) -> list[str]:
    """The words in a submitted form, as safe HTML fragments, longest first."""
    texts = []
    for name, values in post.lists():
        if name in _NOT_TEXT or name.endswith(("based_on_version", "-version")):
            continue
        for value in values:
            if len(value.strip()) < 2:
                continue
            if value.lstrip().startswith("<"):  # the editor's HTML: keep only harmless markup
                texts.append(mark_safe(nh3.clean(value)))  # noqa: S308 - nh3-cleaned
            else:
                texts.append(mark_safe(linebreaks(escape(value))))  # noqa: S308 - escaped
    return sorted(texts, key=len, reverse=True)


def text_kept_page(request, *, signed_out: bool, status: int):
    return render(
        request,
        "accounts/text_kept.html",
        {"texts": submitted_texts(request.POST), "signed_out": signed_out},
        status=status,
    )


def login_required(view):
    """Django's ``login_required``; but a POST from someone signed out keeps its words."""
    protected = django_login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and not request.user.is_authenticated:
            return text_kept_page(request, signed_out=True, status=401)
        return protected(request, *args, **kwargs)

    return wrapper


def csrf_failure(request, reason=""):
    return text_kept_page(request, signed_out=not request.user.is_authenticated, status=403)


@require_GET
@never_cache
def session_status(request):
    user = request.user
    return JsonResponse(
        {
            "signed_in": user.is_authenticated,
            "user": user.pk if user.is_authenticated else None,
            "csrf_token": get_token(request),
        }
    )


@login_required
def signed_in_again(request):
    """Where signing in again from a page that kept someone's text leads: back to that tab."""
    return render(request, "accounts/signed_in_again.html")
