"""The portal's own "page not found" and "problem with the service" pages, in the site's style."""

from django.template.loader import render_to_string
from django.urls import reverse


def test_a_missing_page_is_the_portals_own_404(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert f'href="{reverse("reports:report-list")}"' in page
    assert 'class="site-header"' in page  # the site's own header, not a bare page


def test_the_500_page_renders_without_a_request_or_the_database():
    page = render_to_string("500.html")  # as Django's server_error view renders it

    assert "<h1>Sorry, there is a problem with the service</h1>" in page
    assert "the text you typed is still in the page you came from" in page
    assert 'class="site-header"' in page
