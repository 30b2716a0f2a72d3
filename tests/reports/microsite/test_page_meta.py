"""Every public page has its own title, meta description, Open Graph tags and breadcrumbs, no
inline script or style, and prints cleanly."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse


def public_pages(catalogue):
    return {
        "home": reverse("reports:home"),
        "listing": reverse("reports:report-list"),
        "search": reverse("reports:report-list") + "?q=learned",
        "report": catalogue["east_sussex"].get_absolute_url(),
        "withdrawn": catalogue["withdrawn"].get_absolute_url(),
        "region": catalogue["kernow"].bsp.region.get_absolute_url(),
        "partnership": catalogue["kernow"].bsp.partnership.get_absolute_url(),
        "programme": reverse("reports:programme"),
        "learning": reverse("reports:learning"),
        "data": reverse("reports:data"),
    }


def meta(page, attribute, name):
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', page)
    return match.group(1) if match else None


def test_every_page_has_its_own_title_description_and_open_graph_tags(catalogue, client):
    titles, descriptions = set(), set()
    for name, url in public_pages(catalogue).items():
        page = client.get(url).content.decode()
        title = re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1).strip()
        assert title.endswith("– TCE Support Programme"), name
        description = meta(page, "name", "description")
        assert description and len(description) > 50, name
        for tag in ["og:title", "og:description", "og:url", "og:type", "og:site_name"]:
            assert meta(page, "property", tag), (name, tag)
        assert meta(page, "property", "og:url").startswith("http://testserver/")
        titles.add(title)
        descriptions.add(description)
        # One h1 per page.
        assert page.count("<h1") == 1, name
        assert " style=" not in page and "<style" not in page, name
        for script in page.split("<script")[1:]:
            assert script.split(">", 1)[0].strip().startswith("src="), name
    assert len(titles) == len(public_pages(catalogue))
    assert len(descriptions) >= len(public_pages(catalogue)) - 1


def test_a_report_is_an_open_graph_article(catalogue, client):
    page = client.get(catalogue["east_sussex"].get_absolute_url()).content.decode()
    assert meta(page, "property", "og:type") == "article"
    assert meta(page, "property", "og:title") == "East Sussex: Project Learning Report"
    assert meta(page, "property", "article:published_time").startswith("2021-07-12")


def test_every_page_but_home_has_breadcrumbs_back_home(catalogue, client):
    for name, url in public_pages(catalogue).items():
        page = client.get(url).content.decode()
        if name == "home":
            assert 'aria-label="Breadcrumb"' not in page
            continue
        crumbs = page.split('<nav aria-label="Breadcrumb"', 1)[1].split("</nav>", 1)[0]
        assert f'<a href="{reverse("reports:home")}">Home</a>' in crumbs, name
        assert 'aria-current="page"' in crumbs, name


@pytest.mark.parametrize(
    ("name", "link"),
    [
        ("home", "Home"),
        ("listing", "Reports"),
        ("learning", "Learning by section"),
        ("programme", "The programme"),
        ("data", "Open data"),
    ],
)
def test_the_menu_marks_the_page_you_are_on_and_no_other(catalogue, client, name, link):
    page = client.get(public_pages(catalogue)[name]).content.decode()
    menu = page.split('<nav class="navbar', 1)[1].split("</nav>", 1)[0]
    current = re.findall(r'<a class="nav-link" href="[^"]*" aria-current="page">([^<]*)</a>', menu)
    assert current == [link]


def test_the_report_page_leaves_a_place_for_the_pdf_link(catalogue, client):
    page = client.get(catalogue["east_sussex"].get_absolute_url()).content.decode()
    assert '<div class="report-actions no-print mb-4">' in page


def test_the_print_stylesheet_hides_navigation_and_controls():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    print_rules = css.split("@media print", 1)[1]
    for selector in [".site-header nav", ".no-print", ".breadcrumb", ".search-box", ".pagination"]:
        assert selector in print_rules
    assert "break-inside: avoid" in print_rules


def test_the_feed_is_advertised_on_every_page(catalogue, client):
    page = client.get(reverse("reports:home")).content.decode()
    feed = reverse("reports:feed")
    assert 'type="application/atom+xml" title="Newly published Project Learning Reports" ' in page
    assert f'href="{feed}"' in page
