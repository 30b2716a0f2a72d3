"""What every response says to browsers and caches, how long a session lasts, /healthz, and the
gunicorn access log (no sign-off token in it)."""

import re
import time
from pathlib import Path

from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from accounts import sessions
from reports.microsite.caching import page_etag
from reports.models import SignoffLink, Status
from reports.signoff import links as signoff_links
from reports.signoff import services as signoff_services
from tce_portal import health, middleware
from tests.factories import PASSWORD, make_cast, walk_to
from tests.support.signing_in import sign_in

ROOT = Path(__file__).resolve().parent.parent


def test_every_response_has_a_permissions_policy_and_no_server_header(client, db):
    for url in ["/", reverse("reports:report-list"), reverse("accounts:login"), "/healthz"]:
        response = client.get(url)
        assert "camera=()" in response["Permissions-Policy"], url
        assert "geolocation=()" in response["Permissions-Policy"], url
        assert "Server" not in response.headers, url


def test_pages_for_a_person_are_private_and_never_stored(client, db):
    cast = make_cast(status=Status.PUBLISHED)
    public = client.get(cast.report.get_absolute_url())
    assert "private" not in public["Cache-Control"] and "no-store" not in public["Cache-Control"]
    client.force_login(cast.partner)
    for url in [
        reverse("reports:dashboard"),
        reverse("reports:report-overview", kwargs={"slug": cast.report.slug}),
        cast.report.get_absolute_url(),  # a public page, but with their own navigation
    ]:
        control = client.get(url)["Cache-Control"]
        assert "private" in control and "no-store" in control, url
        assert "public" not in control, url


def test_a_sign_off_link_holders_pages_are_private_too(
    client, db, django_capture_on_commit_callbacks
):
    cast = make_cast(status=Status.AWAITING_SIGNOFF)
    client.force_login(cast.tce_lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:report-send-signoff-link", kwargs={"slug": cast.report.slug}),
            {"full_name": "Vicky Finn", "email": "vicky@example.gov.uk"},
        )
    client.logout()
    path = re.search(r"https?://[^/\s]+(/sign-off/\S+)", mail.outbox[-1].body).group(1)
    review = client.get(path, follow=True)
    assert review.status_code == 200
    assert "private" in review["Cache-Control"] and "no-store" in review["Cache-Control"]
    assert middleware.SIGNOFF_LINK_SESSION_KEY == signoff_links.SESSION_KEY


def test_a_session_ends_after_a_working_day_idle_and_use_renews_it(client, db, monkeypatch):
    assert django_settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    cast = make_cast()
    sign_in(client, cast.partner.email, PASSWORD)
    key = client.cookies["sessionid"].value

    def stored():
        return Session.objects.get(session_key=key)

    signed_in = stored()
    # Within a quarter of an hour, pages do not write the session...
    client.get(reverse("reports:dashboard"))
    assert stored().expire_date == signed_in.expire_date
    # ...later, the next page renews it: another working day from then.
    later = time.time() + sessions.RENEW_EVERY + 60
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    client.get(reverse("reports:dashboard"))
    assert stored().get_decoded()[sessions.KEY] == int(later)
    assert stored().expire_date > signed_in.expire_date


def test_signing_off_stops_every_other_sign_off_link_of_the_report(
    client, db, django_capture_on_commit_callbacks
):
    cast = make_cast(status=Status.AWAITING_SIGNOFF)
    client.force_login(cast.tce_lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:report-send-signoff-link", kwargs={"slug": cast.report.slug}),
            {"full_name": "Vicky Finn", "email": "vicky@example.gov.uk"},
        )
    client.logout()
    path = re.search(r"https?://[^/\s]+(/sign-off/\S+)", mail.outbox[-1].body).group(1)
    # The local lead with an account signs it off instead.
    walk_to(cast.report, cast, Status.SIGNED_OFF)
    link = SignoffLink.objects.get()
    assert link.revoked_at is not None and link.used_at is None and not link.is_live
    assert Client().get(path).status_code == 403
    client.force_login(cast.tce_lead)
    audit = client.get(reverse("reports:report-audit", kwargs={"slug": cast.report.slug}))
    assert "stopped working when the report was signed off" in audit.content.decode()


def test_healthz_answers_ok_with_each_check(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "storage", "tasks"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_503_when_a_check_fails(client, db, monkeypatch):
    def storage_down():
        raise OSError("the storage does not answer")

    monkeypatch.setitem(health.CHECKS, "storage", storage_down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "failing"
    assert "does not answer" not in response.content.decode()  # nothing internal in the answer


def test_the_gunicorn_access_log_leaves_out_query_strings():
    """A sign-off link's token is in its query string: the access log writes the path alone."""
    config: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), config)  # noqa: S102 - our own config file
    log_format = config["access_log_format"]
    assert "%(U)s" in log_format
    for with_query in ("%(r)s", "%(q)s", "%(u)s"):
        assert with_query not in log_format


def test_a_gunicorn_worker_is_made_ready_before_its_first_request(db):
    """Its templates compiled, its objects frozen out of the garbage collector's sight, and its
    youngest generation collected less often than Python's default."""
    import gc
    import logging

    from django.template import engines

    config: dict = {"__file__": str(ROOT / "gunicorn.conf.py")}
    exec((ROOT / "gunicorn.conf.py").read_text(), config)  # noqa: S102 - our own config file
    worker = type("Worker", (), {"log": logging.getLogger("tests.gunicorn")})()

    def cached_loader(loader):  # Django's cached loader, inside template-partials' own
        if hasattr(loader, "get_template_cache"):
            return loader
        return next(filter(None, map(cached_loader, getattr(loader, "loaders", []))), None)

    [cached] = filter(None, map(cached_loader, engines["django"].engine.template_loaders))
    cached.reset()  # as a new worker's: no template compiled yet
    saved = gc.get_threshold()
    try:
        config["post_worker_init"](worker)
        assert gc.get_threshold() == config["GC_THRESHOLD"]
        assert config["GC_THRESHOLD"][0] > saved[0]
        assert gc.get_freeze_count() > 0
        assert "reports/_facets.html" in cached.get_template_cache
        assert "base.html" in cached.get_template_cache
    finally:
        gc.unfreeze()
        gc.set_threshold(*saved)


def test_a_gunicorn_worker_collects_its_garbage_between_requests():
    """After each request the young generations, after every ``FULL_COLLECTION_EVERY``-th all
    of them: collections are made between requests, not during one."""
    import gc

    config: dict = {"__file__": str(ROOT / "gunicorn.conf.py")}
    exec((ROOT / "gunicorn.conf.py").read_text(), config)  # noqa: S102 - our own config file
    every = config["FULL_COLLECTION_EVERY"]

    def collections():
        return [generation["collections"] for generation in gc.get_stats()]

    before = collections()
    for _ in range(every):
        config["post_request"](None, None, {}, None)
    _, middle, full = (after - was for after, was in zip(collections(), before, strict=True))
    # Each collection counts under the oldest generation it takes.
    assert middle >= every - 1
    assert full >= 1


def test_two_pages_with_the_same_content_have_different_etags(rf):
    response = HttpResponse(b"<p>The same words.</p>")
    first = page_etag(rf.get("/regions/eastern/"), response)
    second = page_etag(rf.get("/regions/eastern/?page=2"), response)
    assert first != second
    assert first == page_etag(rf.get("/regions/eastern/"), response)  # stable for one page


def test_each_request_is_logged_with_ids_only(client, db, caplog):
    cast = make_cast(status=Status.PUBLISHED)
    sign_in(client, cast.partner.email, PASSWORD)
    caplog.clear()
    with caplog.at_level("INFO", logger="tce.requests"):
        client.get(reverse("reports:dashboard") + "?secret=token-in-query")
    [record] = [r for r in caplog.records if r.name == "tce.requests"]
    assert (record.method, record.path, record.status) == ("GET", "/my-reports/", 200)
    assert record.user_id == cast.partner.pk
    assert record.duration_ms >= 0
    logged = str(record.__dict__)
    assert "token-in-query" not in logged  # no query string
    assert cast.partner.email not in logged and cast.partner.full_name not in logged


def test_each_state_change_is_logged_with_ids_only(db, caplog, django_capture_on_commit_callbacks):
    cast = make_cast(status=Status.AWAITING_SIGNOFF)
    with (
        caplog.at_level("INFO", logger="tce.workflow"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        signoff_services.request_changes(
            report=cast.report, actor=cast.local_lead, comment="Ask Mrs Example about it."
        )
    [record] = [r for r in caplog.records if r.name == "tce.workflow"]
    assert (record.transition, record.report_id, record.actor_id) == (
        "request_changes",
        cast.report.pk,
        cast.local_lead.pk,
    )
    assert (record.from_status, record.to_status) == ("awaiting_signoff", "changes_requested")
    assert "Mrs Example" not in str(record.__dict__)  # what people wrote stays in the audit log
