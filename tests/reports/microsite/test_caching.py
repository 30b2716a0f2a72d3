"""Public pages send an ETag (304 when unchanged) and are cached on the server; publishing,
withdrawing or editing a report invalidates them."""

from django.urls import reverse

from reports.models import Status
from tests.factories import UserFactory, make_cast, walk_to


def test_public_pages_send_an_etag_and_answer_304_when_nothing_changed(catalogue, client):
    url = reverse("reports:report-list")
    first = client.get(url)
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    assert "HX-Request" in first.headers["Vary"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304

    make_cast("Fresh Area", region="Eastern", status=Status.PUBLISHED)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "Fresh Area" in changed.content.decode()


def test_the_htmx_partial_has_its_own_etag(catalogue, client):
    url = reverse("reports:report-list")
    page = client.get(url).headers["ETag"]
    partial = client.get(url, headers={"HX-Request": "true"}).headers["ETag"]
    assert page != partial


def test_publishing_a_report_invalidates_the_cached_pages(
    catalogue, client, django_capture_on_commit_callbacks
):
    url = reverse("reports:report-list")
    assert "Secret Draftshire" not in client.get(url).content.decode()
    report = catalogue["draft"]
    cast = make_cast("Draftshire Two", status=Status.COUNTERSIGNED)
    with django_capture_on_commit_callbacks(execute=True):
        walk_to(cast.report, cast, Status.PUBLISHED)
    assert "Draftshire Two" in client.get(url).content.decode()
    feed = client.get(reverse("reports:feed")).content.decode()
    assert cast.report.get_absolute_url() in feed
    assert report.get_absolute_url() not in feed


def test_authors_at_work_on_drafts_leave_the_public_pages_cached(catalogue, client):
    """Only what the public can see empties the page cache: a draft saved keeps every cached
    page, a published report's title changed in the admin does not."""
    from django.core.cache import caches

    def pages():
        return [key for key in caches["microsite"]._cache if ":page." in key]

    url = reverse("reports:report-list")
    client.get(url)
    kept = pages()
    draft = catalogue["draft"]
    draft.title = "Secret Draftshire, retitled"
    draft.save()
    assert pages() == kept != []
    published = catalogue["kernow"]
    published.title = "Kernow, retitled"
    published.save()
    assert pages() == []


def test_renaming_a_partnership_invalidates_the_report_page(catalogue, client):
    report = catalogue["kernow"]
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Partnership: <a" in page and "Kernow Safeguarding Partnership</a>" in page
    partnership = report.bsp.partnership
    partnership.name = "Cornwall and Isles of Scilly Partnership"
    partnership.save()
    page = client.get(report.get_absolute_url()).content.decode()
    # The page's links name the partnership as it is now...
    assert "Cornwall and Isles of Scilly Partnership</a>" in page
    assert "Kernow Safeguarding Partnership</a>" not in page
    # ...while the details table is the one that was signed and published.
    assert "<td>Kernow Safeguarding Partnership</td>" in page


def test_the_details_table_of_a_published_edition_does_not_follow_the_register(demo, client):
    from partnerships.models import Agency, PartnershipAgency
    from reports.models import LearningReport

    report = LearningReport.objects.get(slug="east-sussex")
    signed = client.get(report.get_absolute_url()).content.decode()
    assert "British Transport Police (BTP)" in signed
    agency = Agency.objects.get(name="British Transport Police (BTP)")
    agency.name = "British Transport Police"
    agency.save()
    PartnershipAgency.objects.filter(agency=agency).delete()
    page = client.get(report.get_absolute_url()).content.decode()
    assert "British Transport Police (BTP)" in page
    # Positive control: the working copy's table follows the register.
    assert "British Transport Police (BTP)" not in "".join(
        value for _, value in LearningReport.objects.get(pk=report.pk).details_rows
    )


def test_the_register_changing_invalidates_the_programme_page(demo, client):
    url = reverse("reports:programme")
    assert '<span class="figure-number">65</span>' in client.get(url).content.decode()
    from partnerships.models import BespokeSupportProject

    bsp = BespokeSupportProject.objects.get(local_area="Torbay")
    bsp.number_of_local_authorities = 2
    bsp.save()
    assert '<span class="figure-number">66</span>' in client.get(url).content.decode()


def test_signed_in_people_get_their_own_page_never_a_shared_one(catalogue, client):
    url = reverse("reports:report-list")
    client.get(url)  # cached for anonymous visitors
    client.force_login(UserFactory())
    response = client.get(url)
    assert "Sign out" in response.content.decode()
    assert "ETag" not in response.headers
    client.logout()
    assert "Sign out" not in client.get(url).content.decode()


def test_a_page_is_one_key_in_the_cache_and_its_htmx_part_another(catalogue, client):
    from django.core.cache import caches

    cache = caches["microsite"]
    cache.clear()

    def pages():
        return [key for key in cache._cache if ":page." in key]

    url = reverse("reports:report-list")
    client.get(url)
    assert len(pages()) == 1
    client.get(url, headers={"HX-Request": "true"})
    assert len(pages()) == 2
    client.get(url + "?q=learned")
    assert len(pages()) == 3
    # Beside them, the cache's epoch, added by the first page into the emptied cache.
    assert len(cache._cache) == 4


def test_a_page_that_sets_a_cookie_or_varies_on_cookies_is_never_shared(db, rf):
    """A form's CSRF token makes a page vary on the visitor's cookie: such a page (or one that
    sets a cookie) is rendered for each visitor, never stored and served to another."""
    from django.core.cache import caches
    from django.http import HttpResponse
    from django.middleware.csrf import get_token
    from django.utils.cache import patch_vary_headers

    from reports.microsite.caching import public_page

    @public_page
    def with_a_form(request):
        # As {% csrf_token %} does; the CSRF middleware adds the cookie and "Vary: Cookie" later.
        return HttpResponse(f"token {get_token(request)}")

    @public_page
    def varying_on_cookies(request):
        response = HttpResponse("for you")
        patch_vary_headers(response, ["Cookie"])
        return response

    @public_page
    def with_a_cookie(request):
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return response

    @public_page
    def plain(request):
        return HttpResponse("the same for everyone")

    def visit(view, path):
        response = view(anonymous_get(rf, path))
        sent_to_the_end(response)  # when the page's write would land
        return response.content

    cache = caches["microsite"]
    cache.clear()
    first = visit(with_a_form, "/form")
    second = visit(with_a_form, "/form")
    assert first != second  # each visitor's own token
    visit(with_a_cookie, "/cookie")
    visit(varying_on_cookies, "/varying")
    assert not [key for key in cache._cache if ":page." in key]
    # Positive control: a page the same for everyone is kept.
    visit(plain, "/plain")
    assert [key for key in cache._cache if ":page." in key]


def test_a_page_made_before_a_change_is_not_kept_when_its_write_lands_after_it(
    catalogue, rf, django_capture_on_commit_callbacks
):
    """The page is written once it has been sent. A report taken down (or any change) while it
    was being made or sent empties the cache first; the late write must not put back the page
    that still shows what the change removed."""
    from django.core.cache import caches

    from reports.microsite.caching import clear_public_pages, page_key
    from reports.microsite.views import report_detail

    report = catalogue["kernow"]

    cache = caches["microsite"]
    clear_public_pages()
    request = anonymous_get(rf, report.get_absolute_url())
    sent = report_detail(request, slug=report.slug)
    assert report.title in sent.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        clear_public_pages()  # e.g. the report taken down, while the page was on its way
    sent_to_the_end(sent)  # the page's write lands now
    assert cache.get(page_key(request)) is None

    # Positive control: with no change in between, the page is kept.
    request = anonymous_get(rf, report.get_absolute_url())
    sent_to_the_end(report_detail(request, slug=report.slug))
    assert cache.get(page_key(request)) is not None


def answered_early(response) -> bool:
    """Whether the page came from this process's own copy (``PublicPagesMiddleware``), before
    the session middleware gave the request a session."""
    return not hasattr(response.wsgi_request, "session")


def test_a_visitor_without_cookies_gets_this_process_copy_with_every_header(catalogue, client):
    url = reverse("reports:report-list")
    first = client.get(url)
    assert not answered_early(first)
    again = client.get(url)
    assert answered_early(again)
    assert again.content == first.content
    # The headers the middleware after it added on the first answer, sent again as they were.
    assert dict(again.headers) == dict(first.headers)
    for header in ("Content-Security-Policy", "X-Frame-Options", "ETag", "Permissions-Policy"):
        assert header in again.headers
    assert "Cookie" in again.headers["Vary"]
    # ...and a browser that has the page is told it has not changed.
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_the_copy_is_not_sent_once_any_process_has_emptied_the_cache(catalogue, client):
    """Another process's ``empty_page_cache`` reaches this one only through the shared cache's
    epoch: a copy made in an earlier epoch is never sent, and the page is rendered again."""
    from django.core.cache import caches

    url = reverse("reports:report-list")
    client.get(url)
    assert answered_early(client.get(url))
    edition = catalogue["kernow"].published_edition
    type(edition).objects.filter(pk=edition.pk).update(title="Kernow, as changed elsewhere")
    caches["microsite"].clear()  # as another process empties it...
    caches["microsite"].set("epoch", "another process's", None)  # ...and marks it anew
    page = client.get(url)
    assert not answered_early(page)
    assert "Kernow, as changed elsewhere" in page.content.decode()
    # Positive control: the page made in the new epoch is this process's copy again.
    assert answered_early(client.get(url))


def test_a_visitor_with_a_cookie_passes_through_the_whole_middleware(catalogue, client):
    url = reverse("reports:report-list")
    first = client.get(url)
    client.cookies["csrftoken"] = "x" * 32  # e.g. left by the sign-in page
    again = client.get(url)
    assert not answered_early(again)
    assert again.content == first.content  # the same public page, from the shared cache


def sent_to_the_end(response):
    """What a WSGI server does after the last byte (as Django's test client does, without
    closing the test's database connection)."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def anonymous_get(rf, path):
    """A GET from a visitor who is not signed in, as the middleware would hand it to a view."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = rf.get(path)
    request.user = AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    return request
