"""Learning by section as one PDF: one section of each matching published report, built in the
background as a compendium (same progress page, same caching)."""

import html
import re
from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings
from django.db.models import F
from django.urls import reverse

from reports.models import Compendium, EditionSection, LearningReport
from reports.richtext import sanitise, to_text
from reports.template_sections import SECTIONS_BY_KEY
from tests.factories import cast_of, republish
from tests.support.pdf_reading import read_pdf, squash

LEARNING = "significant_learning"
HEADING = SECTIONS_BY_KEY[LEARNING].heading


def ask_for(client, **data):
    # The test client closes the response once it is "sent": that is when the build is queued.
    return client.post(reverse("reports:compendium"), data)


def download(client, compendium):
    response = client.get(reverse("reports:compendium-pdf", kwargs={"pk": compendium.pk}))
    body = b"".join(response.streaming_content) if response.streaming else b""
    return response, body


def section_link(client, page):
    """Follow the learning page's "Download these sections as one PDF" link (named by the
    page's filters) and read the selection from the page it leads to: {"reports": [...],
    "section": [...]}."""
    match = re.search(r'<a href="([^"]*)">Download these sections as one PDF', page)
    assert match, "the learning page has no link to its sections as one PDF"
    href = html.unescape(match.group(1))
    assert urlparse(href).path == reverse("reports:learning-pdf")
    offer = client.get(href).content.decode()
    return {
        name: [value]
        for name, value in re.findall(r'name="(reports|section)" value="([^"]*)"', offer)
    }


def published(slug, key=LEARNING):
    """The section's text in the report's published edition (what the public and PDFs read).
    Tests change it with ``update()``: a change no receiver sees, as a stale cache would be."""
    return EditionSection.objects.filter(
        edition__report__slug=slug, edition__report__published_edition=F("edition"), key=key
    )


def section_text(slug, key=LEARNING):
    return to_text(published(slug, key).get().body)


def test_the_learning_page_links_to_its_sections_as_one_pdf(catalogue, client):
    page = client.get(reverse("reports:learning"), {"section": LEARNING}).content.decode()
    query = section_link(client, page)
    # Only the published reports the page shows; never the draft, withheld or withdrawn ones.
    assert set(query["reports"][0].split(",")) == {"east-sussex", "kernow", "wessex-coast"}
    assert query["section"] == [LEARNING]
    # A filter narrows the PDF as it narrows the page.
    page = client.get(
        reverse("reports:learning"), {"section": "reasons", "region": "south-west"}
    ).content.decode()
    query = section_link(client, page)
    assert query["reports"] == ["kernow"]
    assert query["section"] == ["reasons"]


@pytest.mark.pdf
def test_a_section_compendium_holds_that_section_of_each_report_and_nothing_else(catalogue, client):
    # Saving a section would void the sign-off (and unpublish): write the text as stored.
    EditionSection.objects.filter(edition__report__slug="kernow", key=LEARNING).update(
        body=sanitise(
            "<p>Kernow learned that curiosity travels."
            '<span class="footnote">From the Kernow evaluation workshop.</span></p>'
        )
    )
    slugs = "east-sussex,kernow,wessex-coast"
    request_page = client.get(
        reverse("reports:compendium"), {"reports": slugs, "section": LEARNING}
    )
    assert request_page.status_code == 200
    page = request_page.content.decode()
    assert f"{HEADING}: what 3 areas learned in one PDF" in page
    assert f"The section “{HEADING}” from 3 published reports" in page
    assert f'name="section" value="{LEARNING}"' in page

    response = ask_for(client, reports=slugs, section=LEARNING)
    compendium = Compendium.objects.get()
    assert response["Location"] == compendium.get_absolute_url()
    assert compendium.section_key == LEARNING
    assert compendium.title == f"{HEADING}: what 3 areas learned"
    progress_page = client.get(compendium.get_absolute_url()).content.decode()
    assert "Download the PDF" in progress_page

    response, body = download(client, compendium)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="tce-learning-significant_learning-selection-'
    )
    read = read_pdf(body)
    # The cover and the contents name the section.
    assert squash(f"{HEADING}: what 3 areas learned") in read.pages[0]
    assert squash(f"The section “{HEADING}” from 3 Project Learning Reports") in read.pages[0]
    contents = read.pages[1]
    assert "Contents" in contents
    assert squash(f"{HEADING}, from each report") in contents
    reports = list(LearningReport.objects.filter(slug__in=slugs.split(",")).order_by("title"))
    for report in reports:
        starts = read.page_of(report.title, start=2)
        listed = re.search(rf"{re.escape(report.title)} [^.]*?\.{{3,}} ?(\d+)", contents)
        assert listed, f"{report.title} is not in the contents"
        assert int(listed.group(1)) == starts, report.title
    # Each report: its heading (title, region, type, year, public address), then its section.
    expected = []
    for report in reports:
        bsp = report.bsp
        expected += [
            report.title,
            f"{bsp.region} · {bsp.get_bsp_type_display()} Bespoke Support Project · "
            f"{bsp.programme_year_label}",
            django_settings.SITE_URL + report.get_absolute_url(),
            section_text(report.slug)[:30],
        ]
    read.assert_in_order(expected)
    # The footnote is a footnote on the page of its text, not left in the running text.
    kernow_page = read.page_of("Kernow learned that curiosity travels.", start=2)
    assert "From the Kernow evaluation workshop." in read.pages[kernow_page - 1]
    assert "travels.From the Kernow" not in read.text
    # Not the other sections.
    assert "Kernow asked for help with a culture of blame." not in read.text
    assert "Wessex Coast wanted better data on exploitation." not in read.text
    assert squash(section_text("east-sussex", "reasons")[:60]) not in read.text
    assert "Sign-off" not in read.text
    # Bookmarks: the cover, the contents, then each report.
    outline = read.outline()
    assert outline[:2] == [(1, f"{HEADING}: what 3 areas learned"), (1, "Contents")]
    assert [title for depth, title in outline[2:] if depth == 1] == [r.title for r in reports]
    assert read.title == f"{HEADING}: what 3 areas learned"
    assert read.is_tagged


def test_an_unknown_section_is_not_found(catalogue, client):
    url = reverse("reports:compendium")
    assert client.get(url, {"reports": "kernow", "section": "gossip"}).status_code == 404
    assert client.post(url, {"reports": "kernow", "section": "gossip"}).status_code == 404
    assert not Compendium.objects.exists()


@pytest.mark.pdf
def test_only_published_reports_sections_go_in(catalogue, client):
    url = reverse("reports:compendium")
    # A draft (or withheld, or withdrawn) report's section is never offered nor built.
    hidden = [catalogue[name].slug for name in ("draft", "withheld", "withdrawn", "torbay")]
    for slug in hidden:
        data = {"reports": slug, "section": LEARNING}
        assert client.get(url, data).status_code == 404, slug
        assert client.post(url, data).status_code == 404, slug
    assert not Compendium.objects.exists()

    ask_for(client, reports=",".join(["kernow", *hidden]), section=LEARNING)
    compendium = Compendium.objects.get()
    assert compendium.report_slugs == ["kernow"]
    read = read_pdf(download(client, compendium)[1])
    assert "Kernow learned that curiosity travels." in read.text
    assert "zebra" not in read.text and "Draftshire" not in read.text


@pytest.mark.pdf
def test_reports_without_that_section_are_left_out(catalogue, client):
    EditionSection.objects.filter(edition__report__slug="wessex-coast", key=LEARNING).update(
        body="<p></p>"
    )
    ask_for(client, reports="kernow,wessex-coast", section=LEARNING)
    compendium = Compendium.objects.get()
    assert compendium.report_slugs == ["kernow"]
    assert compendium.title == f"{HEADING}: what 1 area learned"


@pytest.mark.pdf
def test_the_same_selection_and_section_is_one_compendium_another_section_another(
    catalogue, client
):
    ask_for(client, reports="kernow,wessex-coast", section=LEARNING)
    ask_for(client, reports="kernow,wessex-coast", section=LEARNING)
    assert Compendium.objects.count() == 1
    learning = Compendium.objects.get()

    ask_for(client, reports="kernow,wessex-coast", section="reasons")
    ask_for(client, reports="kernow,wessex-coast")
    assert Compendium.objects.count() == 3
    reasons = Compendium.objects.get(section_key="reasons")
    whole = Compendium.objects.get(section_key="")
    assert len({learning.fingerprint, reasons.fingerprint, whole.fingerprint}) == 3
    read = read_pdf(download(client, reasons)[1])
    assert "Kernow asked for help with a culture of blame." in read.text
    assert "Kernow learned that curiosity travels." not in read.text


@pytest.mark.pdf
def test_a_changed_section_makes_a_new_compendium(catalogue, client):
    ask_for(client, reports="kernow,wessex-coast", section=LEARNING)
    first = Compendium.objects.get()
    kernow = LearningReport.objects.get(slug="kernow")
    republish(
        kernow,
        cast_of(kernow),
        key=LEARNING,
        body="<p>Kernow learned to listen to young people.</p>",
    )

    response, _body = download(client, first)
    assert response.status_code == 302  # out of date: back to its page
    page = client.get(first.get_absolute_url()).content.decode()
    assert "The reports have changed since this PDF was prepared." in page
    assert f'name="section" value="{LEARNING}"' in page

    ask_for(client, reports="kernow,wessex-coast", section=LEARNING)
    newest = Compendium.objects.exclude(pk=first.pk).get()
    read = read_pdf(download(client, newest)[1])
    assert "Kernow learned to listen to young people." in read.text


@pytest.mark.pdf
@pytest.mark.parametrize("key", [LEARNING, "local_reflections"])
def test_the_learning_page_link_leads_to_a_pdf_of_that_section(catalogue, client, key):
    EditionSection.objects.filter(edition__report__slug="kernow", key="local_reflections").update(
        body="<p>Kernow reflects on the journey.</p>"
    )
    page = client.get(reverse("reports:learning"), {"section": key}).content.decode()
    query = section_link(client, page)
    ask_for(client, reports=query["reports"][0], section=query["section"][0])
    compendium = Compendium.objects.get()
    assert compendium.section_key == key
    assert sorted(compendium.report_slugs) == sorted(query["reports"][0].split(","))
    assert download(client, compendium)[0].status_code == 200
