"""Only published reports are public: drafts, reports without consent and withdrawn reports never
appear in a listing, search, learning by section, feed, sitemap or data export. A withdrawn
report's own address shows its withdrawal notice and nothing of its content."""

import json

import pytest
from django.urls import reverse

from accounts.models import Role
from reports.signoff import services as signoff_services
from tests.factories import UserFactory
from tests.support.responses import text

HIDDEN = ["draft", "withheld", "torbay", "withdrawn"]


def public_urls(catalogue):
    """Every public page and file a report could show up in."""
    urls = [
        reverse("reports:home"),
        reverse("reports:report-list"),
        reverse("reports:report-list") + "?q=zebra",
        reverse("reports:report-list") + "?q=learning",
        reverse("reports:report-list") + "?region=south-west",
        reverse("reports:learning") + "?section=significant_learning",
        reverse("reports:learning") + "?section=significant_learning&q=zebra",
        reverse("reports:learning") + "?section=reasons",
        reverse("reports:programme"),
        reverse("reports:feed"),
        reverse("reports:sitemap"),
        reverse("reports:sitemap-section", kwargs={"section": "reports"}),
        reverse("reports:data-reports-csv"),
        reverse("reports:data-reports-json"),
        reverse("reports:data-bsps-csv"),
    ]
    for key in ["kernow", "wessex", "east_sussex", *HIDDEN]:
        bsp = catalogue[key].bsp
        urls += [bsp.region.get_absolute_url(), bsp.partnership.get_absolute_url()]
    for key in ["kernow", "wessex", "east_sussex"]:
        urls.append(catalogue[key].get_absolute_url())
    for key in HIDDEN:
        urls.append(reverse("reports:report-list") + f"?q={catalogue[key].title}")
    return urls


def test_only_published_reports_appear_anywhere(catalogue, client):
    hidden = [catalogue[key] for key in HIDDEN]
    seen_published = set()
    for url in public_urls(catalogue):
        response = client.get(url)
        assert response.status_code == 200, url
        body = text(response)
        for report in hidden:
            assert report.get_absolute_url() not in body, (report.slug, url)
        # The hidden reports' section texts all say "zebra learning"; no published one does.
        assert "zebra learning" not in body, url
        for key in ["kernow", "wessex", "east_sussex"]:
            if catalogue[key].get_absolute_url() in body:
                seen_published.add(key)
    assert seen_published == {"kernow", "wessex", "east_sussex"}


@pytest.mark.parametrize("key", ["draft", "withheld", "torbay"])
def test_a_report_that_is_not_public_has_no_page(catalogue, client, key):
    assert client.get(catalogue[key].get_absolute_url()).status_code == 404


def test_a_withdrawn_report_shows_only_its_withdrawal_notice(catalogue, client):
    report = catalogue["withdrawn"]
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "This report was withdrawn on" in body
    assert report.withdrawn_at.astimezone().strftime("%-d %B %Y") in body
    assert report.withdrawal_reason in body
    assert "Project Learning Report: Withdrawnbury" in body
    assert '<meta name="robots" content="noindex">' in body
    # None of the content: no section, no details table, no sign-off block.
    assert "zebra" not in body
    assert "Details of Bespoke Support Project" not in body
    assert "Sign-off" not in body


def test_withdrawing_a_published_report_takes_it_off_the_site_at_once(catalogue, client):
    report = catalogue["kernow"]
    listing = reverse("reports:report-list")
    assert report.get_absolute_url() in client.get(listing).content.decode()  # now cached

    admin = UserFactory(role=Role.PROGRAMME_ADMIN)
    signoff_services.withdraw(report=report, actor=admin, reason="Superseded by a later report.")

    for url in [listing, reverse("reports:feed"), reverse("reports:data-reports-csv")]:
        assert report.get_absolute_url() not in text(client.get(url)), url
    notice = client.get(report.get_absolute_url()).content.decode()
    assert "Superseded by a later report." in notice
    assert "curiosity travels" not in notice


def test_open_data_lists_the_published_reports_only(catalogue, client):
    data = json.loads(text(client.get(reverse("reports:data-reports-json"))))
    assert sorted(r["slug"] for r in data["reports"]) == ["east-sussex", "kernow", "wessex-coast"]
    assert data["count"] == 3
    bsps = text(client.get(reverse("reports:data-bsps-csv")))
    # The register lists every BSP (it is public); only published reports have an address.
    assert "Secret Draftshire" in bsps
    assert bsps.count("/reports/") == 3
