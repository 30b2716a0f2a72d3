"""Public pages send an ETag (304 when unchanged) and are cached on the server; publishing,
withdrawing or editing a report invalidates them."""

from django.urls import reverse

from reports.models import ReportSection, Status
from tests.factories import UserFactory, make_cast


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


def test_publishing_a_report_invalidates_the_cached_pages(catalogue, client):
    url = reverse("reports:report-list")
    assert "Secret Draftshire" not in client.get(url).content.decode()
    report = catalogue["draft"]
    report.status = Status.PUBLISHED
    report.consent_to_publish = True
    report.save()
    assert "Secret Draftshire" in client.get(url).content.decode()
    assert report.get_absolute_url() in client.get(reverse("reports:feed")).content.decode()


def test_editing_a_section_invalidates_the_report_page(catalogue, client):
    report = catalogue["kernow"]
    assert "curiosity travels" in client.get(report.get_absolute_url()).content.decode()
    section = ReportSection.objects.get(report=report, key="significant_learning")
    section.body = "<p>Kernow learned that patience pays.</p>"
    section.save()
    # Changed text voids the sign-off: the cached page must not go on showing the old text.
    response = client.get(report.get_absolute_url())
    assert response.status_code == 404
    assert "curiosity travels" not in response.content.decode()


def test_renaming_a_partnership_invalidates_the_report_page(catalogue, client):
    report = catalogue["kernow"]
    assert (
        "Kernow Safeguarding Partnership" in client.get(report.get_absolute_url()).content.decode()
    )
    partnership = report.bsp.partnership
    partnership.name = "Cornwall and Isles of Scilly Partnership"
    partnership.save()
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Cornwall and Isles of Scilly Partnership" in page
    assert "Kernow Safeguarding Partnership" not in page


def test_a_partnerships_agencies_changing_invalidates_the_report_page(demo, client):
    from partnerships.models import Agency, PartnershipAgency
    from reports.models import LearningReport

    report = LearningReport.objects.get(slug="east-sussex")
    assert (
        "British Transport Police (BTP)" in client.get(report.get_absolute_url()).content.decode()
    )
    agency = Agency.objects.get(name="British Transport Police (BTP)")
    agency.name = "British Transport Police"
    agency.save()
    page = client.get(report.get_absolute_url()).content.decode()
    assert "British Transport Police;" in page
    assert "(BTP)" not in page
    PartnershipAgency.objects.filter(agency=agency).delete()
    assert "British Transport Police;" not in client.get(report.get_absolute_url()).content.decode()


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
