"""A session ends after ``SESSION_COOKIE_AGE`` (a working day) without a request.

Django counts a session's age from its last save. Saving it on every request
(``SESSION_SAVE_EVERY_REQUEST``) would write the session on every page and every autosave; this
renews it at most every ``RENEW_EVERY`` seconds instead, so a session ends between 8 hours and
8 hours 15 minutes after the last request. Signing in starts the count.
"""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

RENEW_EVERY = 15 * 60
KEY = "_renewed_at"


def _renew(session) -> None:
    session[KEY] = int(time.time())  # a change: the session is saved, its expiry moves on


@receiver(user_logged_in, dispatch_uid="session_renewed_at_sign_in")
def renewed_at_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        _renew(request.session)


class RenewSessionMiddleware:
    """After ``SessionMiddleware`` in the list: it runs before the session is saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        in_use = session is not None and session.accessed and not session.is_empty()
        if in_use and time.time() - session.get(KEY, 0) >= RENEW_EVERY:
            _renew(session)
        return response
