"""A region's and a partnership's pages stay the same size however many BSPs and reports they
have: figures from aggregates, the newest reports with a way to all of them, BSPs a page at a
time."""

import re

from django.urls import reverse

from partnerships.models import BespokeSupportProject, Region
from reports.microsite.views import BSPS_PER_PAGE, NEWEST_REPORTS
from reports.models import Status
from tests.factories import BespokeSupportProjectFactory, PartnershipFactory, make_cast


def test_a_regions_bsps_come_a_page_at_a_time_with_their_figures(db, client):
    region = Region.objects.get(name="Eastern")
    partnership = PartnershipFactory(region=region)
    for n in range(BSPS_PER_PAGE + 7):
        BespokeSupportProjectFactory(
            partnership=partnership,
            local_area=f"Fenland {n:03d}",
            number_of_local_authorities=2,
            programme_year=2020 + n % 3,
        )
    url = region.get_absolute_url()
    first = client.get(url).content.decode()
    total = BSPS_PER_PAGE + 7
    assert f"ran {total} Bespoke Support Projects in Eastern, reaching {2 * total}" in first
    assert len(re.findall(r'<th scope="row">Fenland \d{3}</th>', first)) == BSPS_PER_PAGE
    assert f"1 to {BSPS_PER_PAGE} of {total}" in first
    assert f'href="{partnership.get_absolute_url()}"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert len(re.findall(r'<th scope="row">Fenland \d{3}</th>', second)) == 7
    assert client.get(url, {"page": "nonsense"}).status_code == 200  # the first page


def test_a_region_shows_its_newest_reports_and_links_to_all_of_them(db, client):
    for n in range(NEWEST_REPORTS + 2):
        make_cast(f"Broadland {n}", region="Eastern", status=Status.PUBLISHED)
    region = Region.objects.get(name="Eastern")
    page = client.get(region.get_absolute_url()).content.decode()
    assert page.count('class="card report-card"') == NEWEST_REPORTS
    assert f"{NEWEST_REPORTS + 2} reports from Eastern are published; the newest" in page
    listing = f"{reverse('reports:report-list')}?region={region.slug}"
    assert f'href="{listing}"' in page
    assert f"All {NEWEST_REPORTS + 2} reports from Eastern" in page


def test_long_lists_of_pages_are_elided(db, client):
    region = Region.objects.get(name="Eastern")
    partnership = PartnershipFactory(region=region)
    BespokeSupportProject.objects.bulk_create(
        BespokeSupportProjectFactory.build(
            partnership=partnership, region=region, local_area=f"Area {n:04d}"
        )
        for n in range(BSPS_PER_PAGE * 20)
    )
    page = client.get(region.get_absolute_url(), {"page": 10}).content.decode()
    numbers = re.findall(r'<span class="visually-hidden">Page </span>(\d+)', page)
    assert numbers == ["1", "2", "7", "8", "9", "10", "11", "12", "13", "19", "20"]
    assert page.count('aria-hidden="true">…</span>') == 2
