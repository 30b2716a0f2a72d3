"""Headers every response gets, and what pages for a person (not the public) must say to caches.

- ``Permissions-Policy`` turns off browser features the portal never uses.
- No ``Server`` header (Django's development server adds one; gunicorn's is switched off in
  ``gunicorn.conf.py``).
- A page for someone signed in, or for a sign-off link's holder, is theirs alone:
  ``Cache-Control: private, no-store``, so neither a shared cache nor the browser's history keeps
  it (a report's draft, the review page) after they leave.
"""

import logging
import time

from django.utils.cache import patch_cache_control

request_log = logging.getLogger("tce.requests")

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
)
# The session key under which a sign-off link's grant is kept (reports.signoff.links).
SIGNOFF_LINK_SESSION_KEY = "signoff_links"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "Server" in response.headers:
            del response.headers["Server"]
        if _personal(request):
            patch_cache_control(response, private=True, no_store=True, max_age=0)
        return response


def _personal(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    session = getattr(request, "session", None)
    return session is not None and bool(session.get(SIGNOFF_LINK_SESSION_KEY))


class RequestLogMiddleware:
    """One structured record per request: method, path (without its query string: a sign-off
    link's token travels there), status, duration and the signed-in user's id. Nothing else
    about the person: no name, e-mail or IP address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        request_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "link_holder": not (user and user.is_authenticated) and _personal(request),
            },
        )
        return response
