"""/programme/: the programme in figures, computed from the register, and the annual report's
appendix table regenerated row for row."""

import csv
import re
from html.parser import HTMLParser

from django.urls import reverse

from partnerships.models import BespokeSupportProject, Region
from reports.demo import REGISTER_CSV
from reports.models import Status
from tests.factories import BespokeSupportProjectFactory, PartnershipFactory, make_cast


class TableReader(HTMLParser):
    """The text of each row of one table (by id), cell by cell, split by section."""

    def __init__(self, table_id):
        super().__init__()
        self.table_id = table_id
        self.inside = False
        self.depth = 0
        self.section = None
        self.rows = {"thead": [], "tbody": [], "tfoot": []}
        self.cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        if not self.inside:
            return
        if tag in self.rows:
            self.section = tag
        elif tag == "tr":
            self.rows[self.section].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.rows[self.section][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table":
            self.inside = False

    def handle_data(self, data):
        if self.inside and self.cell is not None:
            self.cell.append(data)


def read_table(html, table_id):
    reader = TableReader(table_id)
    reader.feed(html)
    return reader.rows


def year_page(client, year, **query):
    """The appendix table of one programme year, through its link on the programme page."""
    programme = client.get(reverse("reports:programme")).content.decode()
    href = reverse("reports:programme-year", kwargs={"year": year})
    assert f'href="{href}"' in programme
    return client.get(href, query).content.decode()


def test_the_appendix_table_is_reproduced_row_for_row(demo, client):
    page = year_page(client, 2020)
    table = read_table(page, "appendix-2020")
    with REGISTER_CSV.open(encoding="utf-8") as f:
        expected = [
            [
                row["bsp_type"],
                row["region"],
                row["local_area"],
                row["local_authorities"],
                row["focus"] or "Not known",
            ]
            for row in csv.DictReader(f)
        ]
    assert table["thead"] == [
        ["Type", "Region", "Local area", "Number of local authorities", "Focus"]
    ]
    assert table["tbody"] == expected
    assert len(table["tbody"]) == 20


def test_the_totals_are_computed_20_bsps_9_regions_65_local_authorities(demo, client):
    (totals,) = read_table(year_page(client, 2020), "appendix-2020")["tfoot"]
    assert totals == ["Total", "20 BSPs in 9 regions", "65", ""]
    page = client.get(reverse("reports:programme")).content.decode()
    years = read_table(page, "programme-years")
    assert years["tbody"] == [["2020-21: the appendix table", "20", "9", "65"]]
    assert '<span class="figure-number">20</span> Bespoke Support Projects' in page
    assert '<span class="figure-number">9</span> regions of England' in page
    assert '<span class="figure-number">65</span> local authorities reached' in page


def test_the_staffordshire_focus_is_shown_as_unknown_never_guessed(demo, client):
    rows = read_table(year_page(client, 2020), "appendix-2020")["tbody"]
    (staffordshire,) = [row for row in rows if row[2] == "Staffordshire and Stoke-on-Trent"]
    assert staffordshire[4] == "Not known"


def test_charts_are_svg_with_a_table_of_the_same_figures(demo, client):
    page = client.get(reverse("reports:programme")).content.decode()
    for slug in ["region", "type", "focus", "year"]:
        assert f'id="chart-{slug}"' in page
    assert page.count('<svg class="bar-chart"') == 4
    assert 'role="img" aria-labelledby="chart-region-title"' in page
    type_rows = {row[0]: row[1] for row in read_table(page, "")["tbody"]} if False else None
    assert type_rows is None
    assert '<tr><th scope="row">Standard</th><td class="text-end">12</td></tr>' in page
    assert '<tr><th scope="row">Complex</th><td class="text-end">6</td></tr>' in page
    assert '<tr><th scope="row">Regional</th><td class="text-end">2</td></tr>' in page
    assert '>Not known</th><td class="text-end">1</td>' in page
    # Bars are drawn with presentation attributes and classes: no inline style.
    assert " style=" not in page


def test_the_region_map_shades_each_region_by_its_count(demo, client):
    page = client.get(reverse("reports:programme")).content.decode()
    assert page.count('class="map-tile shade-') == 9
    # West Midlands has the most BSPs (5): the darkest shade.
    assert "West Midlands: 5." in page
    shade = re.search(r'class="map-label shade-(\d)">West</text><text[^>]*>Midlands<', page)
    assert shade.group(1) == "4"
    assert re.search(r'class="map-label shade-0">Eastern<', page) is None  # Eastern has one


def test_the_figures_follow_the_register(demo, client):
    make_cast("New Area", region="North West", status=Status.PUBLISHED)
    page = client.get(reverse("reports:programme")).content.decode()
    assert '<span class="figure-number">21</span> Bespoke Support Projects' in page
    assert read_table(year_page(client, 2021), "appendix-2021")["tfoot"] == [
        ["Total", "1 BSP in 1 region", "1", ""]
    ]


def test_a_long_year_comes_a_hundred_rows_a_page_with_its_totals_on_each(db, client):
    region = Region.objects.get(name="Eastern")
    partnership = PartnershipFactory(region=region)
    BespokeSupportProject.objects.bulk_create(
        BespokeSupportProjectFactory.build(
            partnership=partnership,
            region=region,
            local_area=f"Area {n:03d}",
            programme_year=2024,
            bsp_type=["standard", "complex", "regional"][n % 3],
        )
        for n in range(130)
    )
    first = read_table(year_page(client, 2024), "appendix-2024")
    second = read_table(year_page(client, 2024, page=2), "appendix-2024")
    assert (len(first["tbody"]), len(second["tbody"])) == (100, 30)
    assert first["tfoot"] == second["tfoot"] == [["Total", "130 BSPs in 1 region", "130", ""]]
    types = [row[0] for row in first["tbody"] + second["tbody"]]
    assert types == ["Standard"] * 44 + ["Complex"] * 43 + ["Regional"] * 43
    assert client.get(reverse("reports:programme-year", kwargs={"year": 1999})).status_code == 404
