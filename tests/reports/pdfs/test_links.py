"""Where people find the PDFs: search results and learning by section offer one PDF of what they
show; the people working on a report find its (draft) PDF on the report's pages."""

import html
import re

import pytest
from django.urls import reverse

from accounts.models import User


def compendium_link(client, page, view):
    """Follow the page's "... as one PDF" link (to ``view``, named by the page's own filters: a
    short address) and read the reports the PDF would hold from the page it leads to."""
    marker = 'href="' + reverse(view)
    start = page.index(marker) + len('href="')
    href = html.unescape(page[start : page.index('"', start)])
    assert len(href) < 500, href
    offer = client.get(href)
    assert offer.status_code == 200
    return re.search(r'name="reports" value="([^"]*)"', offer.content.decode()).group(1).split(",")


def test_search_results_offer_the_whole_result_as_one_pdf(catalogue, client):
    page = client.get(reverse("reports:report-list"), {"region": "south-east"}).content.decode()
    assert sorted(compendium_link(client, page, "reports:report-list-pdf")) == [
        "east-sussex",
        "wessex-coast",
    ]
    assert "Download these 2 reports as one PDF" in page


def test_no_pdf_link_for_an_empty_result(catalogue, client):
    response = client.get(reverse("reports:report-list"), {"q": "nothingmatchesthis"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "0 reports matching “nothingmatchesthis”" in page
    assert reverse("reports:report-list-pdf") not in page


def test_learning_by_section_offers_its_reports_as_one_pdf(catalogue, client):
    url = reverse("reports:learning")
    page = client.get(url, {"section": "significant_learning"}).content.decode()
    assert set(compendium_link(client, page, "reports:learning-pdf")) == {
        "east-sussex",
        "kernow",
        "wessex-coast",
    }


@pytest.mark.pdf
def test_the_overview_links_to_the_draft_pdf(demo, client):
    client.force_login(User.objects.get(email="partner@example.org"))
    page = client.get(reverse("reports:report-overview", kwargs={"slug": "swindon"}))
    draft_pdf = reverse("reports:report-pdf-draft", kwargs={"slug": "swindon"})
    assert draft_pdf in page.content.decode()
    # Prepared in the background: "being prepared" first, then the file.
    waiting = client.get(draft_pdf)
    assert waiting.status_code == 503
    assert "The PDF of this report is being prepared" in waiting.content.decode()
    response = client.get(draft_pdf)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_a_draft_too_long_for_a_pdf_says_so_and_renders_nothing(db, client):
    """A draft of more than DRAFT_PDF_MAX_WORDS words (a whole document pasted into a section,
    say) gets a page saying so, and queues nothing: not a minute-long render, even in the
    background."""
    from reports.models import DraftPdf
    from reports.pdfs.views import DRAFT_PDF_MAX_WORDS
    from tests.factories import make_cast

    long_text = "<p>" + "word " * (DRAFT_PDF_MAX_WORDS + 1) + "</p>"
    cast = make_cast(sections={"approaches": long_text})
    client.force_login(cast.partner)
    overview = client.get(reverse("reports:report-overview", kwargs={"slug": cast.report.slug}))
    draft_pdf = reverse("reports:report-pdf-draft", kwargs={"slug": cast.report.slug})
    assert draft_pdf in overview.content.decode()
    response = client.get(draft_pdf)
    assert response.status_code == 413
    page = response.content.decode()
    assert "This draft is too long to make into a PDF" in page
    assert not DraftPdf.objects.exists()
    assert reverse("reports:report-preview", kwargs={"slug": cast.report.slug}) in page
