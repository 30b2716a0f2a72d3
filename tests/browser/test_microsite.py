"""The public microsite in Chromium: a visitor's journey with and without JavaScript, and axe-core
on every page at desktop and phone widths."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reports.models import Status
from tests.factories import make_cast

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


def test_a_visitor_searches_filters_by_region_and_opens_a_report(live_demo, page):
    make_cast(
        "Kernow",
        region="South West",
        sections={"reasons": "<p>Kernow shared soft intelligence too.</p>"},
        status=Status.PUBLISHED,
    )
    page.goto(live_demo.url + "/")
    page.get_by_role("searchbox", name="Search the reports").fill("soft intelligence")
    page.get_by_role("button", name="Search", exact=True).click()

    expect(
        page.get_by_role("heading", level=2, name=re.compile("2 reports matching"))
    ).to_be_visible()
    expect(page.locator("mark").first).to_have_text(re.compile("soft", re.IGNORECASE))

    # Ticking a region updates the results in place (htmx) and the address follows.
    page.get_by_label(re.compile(r"^South East")).check()
    expect(page).to_have_url(re.compile(r"region=south-east"))
    expect(
        page.get_by_role("heading", level=2, name=re.compile("1 report matching"))
    ).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("1 report found")
    expect(page.get_by_label(re.compile(r"^South East"))).to_be_checked()
    expect(page.get_by_role("link", name="Kernow")).to_have_count(0)

    # The address can be shared: loading it again gives the same result.
    page.reload()
    expect(page.get_by_label(re.compile(r"^South East"))).to_be_checked()

    page.get_by_role("link", name="East Sussex", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Project Learning Report: East Sussex"
    )
    # The report's PDF was rendered in the background when it was published: it downloads.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this report as a PDF").click()
    download = download_info.value
    assert download.suggested_filename == "tce-learning-report-east-sussex.pdf"
    with open(download.path(), "rb") as pdf_file:
        assert pdf_file.read(5) == b"%PDF-"


def test_search_and_filters_work_without_javascript(live_demo, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_demo.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Project Learning Reports")
    page.get_by_role("searchbox", name="Search the reports").fill("intelligence")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=intelligence"))
    page.get_by_label(re.compile(r"^South East")).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"region=south-east"))
    expect(page.get_by_role("link", name="East Sussex", exact=True)).to_be_visible()
    page.get_by_role("link", name=re.compile(r"Remove filter:\s*South East")).click()
    expect(page).not_to_have_url(re.compile(r"region="))
    context.close()


def test_learning_by_section_updates_in_place(live_demo, page):
    page.goto(live_demo.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Learning by section"
    ).click()
    expect(
        page.get_by_role("heading", level=2, name=re.compile("Significant learning"))
    ).to_be_visible()
    page.get_by_label("Section of the report").select_option("reasons")
    expect(page).to_have_url(re.compile(r"section=reasons"))
    expect(
        page.get_by_role("heading", level=2, name=re.compile("Reasons why the local area"))
    ).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="East Sussex")).to_be_visible()


def public_pages():
    return [
        ("home", lambda r: reverse("reports:home")),
        ("listing", lambda r: reverse("reports:report-list") + "?q=soft+intelligence"),
        ("empty search", lambda r: reverse("reports:report-list") + "?q=xylophone&region=eastern"),
        ("report", lambda r: r["east_sussex"].get_absolute_url()),
        ("withdrawn", lambda r: r["withdrawn"].get_absolute_url()),
        ("region", lambda r: r["east_sussex"].bsp.region.get_absolute_url()),
        ("partnership", lambda r: r["east_sussex"].bsp.partnership.get_absolute_url()),
        ("programme", lambda r: reverse("reports:programme")),
        ("learning", lambda r: reverse("reports:learning")),
        ("data", lambda r: reverse("reports:data")),
        ("accessibility", lambda r: reverse("reports:accessibility")),
        ("request a format", lambda r: reverse("reports:accessibility-request")),
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_public_page_is_accessible(live_demo, page, axe_check, viewport):
    from reports.models import LearningReport

    reports = {
        "east_sussex": LearningReport.objects.get(slug="east-sussex"),
        "withdrawn": make_cast("Withdrawnbury", status=Status.WITHDRAWN).report,
    }
    page.set_viewport_size(viewport)
    for name, url in public_pages():
        # An accessibility sweep: each page by its address, the withdrawn one among them.
        page.goto(live_demo.url + url(reports))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe_check(page, f"{name} at {viewport['width']}px")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_menu_on_a_phone(live_demo, browser, javascript):
    """With JavaScript the menu sits behind its button; without, it is simply shown."""
    context = browser.new_context(java_script_enabled=javascript, viewport=PHONE)
    page = context.new_page()
    page.goto(live_demo.url + "/")
    menu = page.get_by_role("navigation", name="Main")
    button = menu.get_by_role("button", name="Show or hide the menu")
    reports = menu.get_by_role("link", name="Reports", exact=True)
    if javascript:
        expect(reports).to_be_hidden()
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
    else:
        expect(button).to_be_hidden()
    expect(reports).to_be_visible()
    reports.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Project Learning Reports")
    context.close()
