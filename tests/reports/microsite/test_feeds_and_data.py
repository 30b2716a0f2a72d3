"""The Atom feed, the sitemap, robots.txt, learning by section and the open data files."""

import csv
import io
import json
import xml.etree.ElementTree as ET  # our own output, not untrusted input

from django.urls import reverse

from reports.models import LearningReport, Status
from tests.factories import make_cast
from tests.support.responses import body

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse_xml(content):
    return ET.fromstring(content)  # noqa: S314 - the portal's own output


def test_the_atom_feed_lists_published_reports_newest_first(catalogue, client):
    response = client.get(reverse("reports:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = parse_xml(response.content)
    titles = [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]
    assert titles == [
        "Project Learning Report: Wessex Coast",
        "Project Learning Report: Kernow",
        "Project Learning Report: East Sussex",
    ]
    first = next(feed.iter(f"{ATOM}entry"))
    assert first.find(f"{ATOM}link").get("href").endswith(catalogue["wessex"].get_absolute_url())
    assert "learned to share data early" in first.find(f"{ATOM}summary").text
    assert first.find(f"{ATOM}published") is not None


def sitemap_paths(client):
    """Every address in the sitemap: the index names its sections, each read page by page."""
    index = client.get(reverse("reports:sitemap"))
    assert index.status_code == 200
    paths = set()
    for section in parse_xml(index.content).iter(f"{SITEMAP}loc"):
        page = client.get(section.text.split("testserver", 1)[1])
        assert page.status_code == 200
        paths |= {
            loc.text.split("testserver", 1)[1]
            for loc in parse_xml(page.content).iter(f"{SITEMAP}loc")
        }
    return paths


def test_the_sitemap_lists_pages_published_reports_regions_and_partnerships(catalogue, client):
    paths = sitemap_paths(client)
    assert reverse("reports:report-list") in paths
    assert reverse("reports:programme") in paths
    assert catalogue["kernow"].get_absolute_url() in paths
    assert catalogue["kernow"].bsp.region.get_absolute_url() in paths
    assert catalogue["kernow"].bsp.partnership.get_absolute_url() in paths
    for key in ["draft", "withheld", "withdrawn", "torbay"]:
        assert catalogue[key].get_absolute_url() not in paths


def test_the_sitemap_is_an_index_of_pages_of_at_most_1000_addresses(catalogue, client, settings):
    from reports.microsite import sitemaps

    index = client.get(reverse("reports:sitemap"))
    sections = [loc.text for loc in parse_xml(index.content).iter(f"{SITEMAP}loc")]
    assert any(s.endswith("/sitemap-reports.xml") for s in sections)
    assert sitemaps.ReportSitemap.limit == sitemaps.RegionSitemap.limit == 1000
    # With a page size of 1 the reports' section has one page per published report.
    sitemaps.ReportSitemap.limit = 1
    try:
        index = client.get(reverse("reports:sitemap") + "?v=small")  # not the cached index
        sections = [loc.text for loc in parse_xml(index.content).iter(f"{SITEMAP}loc")]
        pages = [s for s in sections if "/sitemap-reports.xml" in s]
        assert len(pages) == 3  # kernow, wessex, east sussex
        second = client.get(pages[1].split("testserver", 1)[1])
        assert len(list(parse_xml(second.content).iter(f"{SITEMAP}loc"))) == 1
    finally:
        sitemaps.ReportSitemap.limit = sitemaps.LIMIT


def test_robots_txt_points_at_the_sitemap(client):
    body = client.get(reverse("reports:robots")).content.decode()
    assert "User-agent: *" in body
    assert f"Sitemap: http://testserver{reverse('reports:sitemap')}" in body
    assert f"Disallow: {reverse('admin:index')}" in body


def read_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = body(response).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_reports_csv_has_details_and_section_texts(catalogue, client):
    rows = read_csv(client.get(reverse("reports:data-reports-csv")))
    assert [row["slug"] for row in rows] == ["wessex-coast", "kernow", "east-sussex"]
    east_sussex = rows[2]
    assert east_sussex["region"] == "South East"
    assert east_sussex["bsp_type"] == "Standard"
    assert east_sussex["delivery_mode"] == "Digital"
    assert east_sussex["commenced"] == "2020-08"
    assert east_sussex["methodologies"] == "Bespoke; Data"
    assert east_sussex["url"] == "http://testserver" + reverse(
        "reports:report-detail", kwargs={"slug": "east-sussex"}
    )
    assert "soft intelligence" in east_sussex["section_reasons"]
    assert "<p>" not in east_sussex["section_reasons"]
    assert east_sussex["section_emerging_evidence"] == ""


def test_reports_json_has_sections_with_text_and_html(catalogue, client):
    data = json.loads(body(client.get(reverse("reports:data-reports-json"))))
    kernow = next(r for r in data["reports"] if r["slug"] == "kernow")
    assert kernow["region"] == "South West"
    assert kernow["themes"] == "Culture"
    # The sections written, in the template's order; the empty ones are left out.
    sections = {section["key"]: section for section in kernow["sections"]}
    assert list(sections) == [
        "reasons",
        "overall_goal",
        "approaches",
        "key_issues",
        "significant_learning",
    ]
    learning = sections["significant_learning"]
    assert learning["text"] == "Kernow learned that curiosity travels."
    assert learning["html"] == "<p>Kernow learned that curiosity travels.</p>"


def test_bsps_csv_is_the_register(demo, client):
    rows = read_csv(client.get(reverse("reports:data-bsps-csv")))
    assert len(rows) == 20
    assert sum(int(row["number_of_local_authorities"]) for row in rows) == 65
    staffordshire = next(r for r in rows if r["local_area"].startswith("Staffordshire"))
    assert staffordshire["focus"] == ""
    assert [r["local_area"] for r in rows if r["report_url"]] == ["East Sussex"]


def test_csv_cells_never_start_a_formula(catalogue, client):
    make_cast(
        "Formulaville",
        sections={"overall_goal": "<p>=HYPERLINK(1)</p>"},
        status=Status.PUBLISHED,
    )
    rows = read_csv(client.get(reverse("reports:data-reports-csv")))
    formulaville = next(r for r in rows if r["slug"] == "formulaville")
    assert formulaville["section_overall_goal"] == "'=HYPERLINK(1)"


def test_learning_by_section_reads_one_section_across_reports(catalogue, client):
    url = reverse("reports:learning")
    page = client.get(url, {"section": "significant_learning"}).content.decode()
    assert '<h2 id="learning-heading">Significant learning and transferability' in page
    assert "3 reports with this section" in page
    assert page.index("Wessex Coast learned") < page.index("Kernow learned")
    assert catalogue["kernow"].get_absolute_url() in page

    narrowed = client.get(url, {"section": "significant_learning", "region": "south-west"})
    narrowed = narrowed.content.decode()
    assert "1 report with this section" in narrowed
    assert "Kernow learned" in narrowed and "Wessex Coast learned" not in narrowed

    # East Sussex's footnotes are numbered and anchored under its own slug.
    assert 'href="#east-sussex-footnote-1"' in page
    assert 'id="east-sussex-footnote-1"' in page
    assert 'href="#east-sussex-footnote-ref-1"' in page


def test_learning_defaults_to_significant_learning_and_says_when_nothing_matches(catalogue, client):
    page = client.get(reverse("reports:learning")).content.decode()
    assert "Significant learning and transferability" in page
    empty = client.get(
        reverse("reports:learning"), {"section": "emerging_evidence", "region": "south-west"}
    ).content.decode()
    assert "No published report matching these filters has this section." in empty


def test_every_section_of_the_template_can_be_chosen(demo, client):
    page = client.get(reverse("reports:learning")).content.decode()
    for key in LearningReport.objects.get(slug="east-sussex").sections_by_key:
        assert f'<option value="{key}"' in page


def test_open_data_gives_the_core_partner_agencies_and_the_sign_off(demo, client):
    data = json.loads(body(client.get(reverse("reports:data-reports-json"))))
    east_sussex = next(r for r in data["reports"] if r["slug"] == "east-sussex")
    assert east_sussex["core_partner_agencies"].startswith("East Sussex County Council; ")
    assert "British Transport Police (BTP)" in east_sussex["core_partner_agencies"]
    assert east_sussex["signed_off_by"] == "Vicky Finnemore"
    assert east_sussex["signed_off_by_role"] == "MACE Strategic Chair"
    assert east_sussex["signed_off_on"] == "2021-07-12"
    assert east_sussex["countersigned_by"] == "Amy Hurst"
    csv_text = body(client.get(reverse("reports:data-reports-csv"))).decode("utf-8-sig")
    header = csv_text.splitlines()[0].split(",")
    assert header[header.index("signed_off_by") : header.index("signed_off_by") + 3] == [
        "signed_off_by",
        "signed_off_by_role",
        "signed_off_on",
    ]
    assert "Vicky Finnemore" in csv_text
    docs = client.get(reverse("reports:data")).content.decode()
    assert "core_partner_agencies" in docs and "countersigned_on" in docs
