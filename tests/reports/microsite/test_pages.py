"""The public pages of the foundation: home and a published report."""

from django.urls import reverse

from reports.models import LearningReport


def test_home_lists_published_reports_only(demo, client):
    response = client.get(reverse("reports:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "East Sussex" in page
    assert "Torbay" not in page


def test_published_report_page_shows_details_sections_footnotes_and_sign_off(demo, client):
    report = LearningReport.objects.get(slug="east-sussex")
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Details of Bespoke Support Project (BSP)" in page
    assert "Bespoke - Disruption/ Data" in page
    assert "August 2020" in page
    # The core partner agencies keep the order the report lists them in.
    assert (
        "East Sussex County Council; Sussex Police; British Transport Police (BTP); "
        "Youth Justice Board (YJB)"
    ) in page
    assert '<h2 id="section-5">Joining the dots</h2>' in page
    assert "<h3>Holding complexity, uncertainty and curiosity</h3>" in page
    assert 'href="#footnote-1"' in page and 'id="footnote-1"' in page
    assert "Vicky Finnemore, MACE Strategic Chair" in page
    assert "12 July 2021" in page
    # An optional section the report does not have is not shown at all.
    assert "Emerging evidence" not in page


def test_a_report_awaiting_sign_off_is_not_public(demo, client):
    report = LearningReport.objects.get(slug="torbay")
    assert client.get(report.get_absolute_url()).status_code == 404


def test_pages_send_strict_security_headers(demo, client):
    response = client.get(reverse("reports:home"))
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_templates_carry_no_inline_script_or_style(demo, client):
    report = LearningReport.objects.get(slug="east-sussex")
    for url in [reverse("reports:home"), report.get_absolute_url(), reverse("accounts:login")]:
        page = client.get(url).content.decode()
        assert " style=" not in page, url
        assert "<style" not in page, url
        for script in page.split("<script")[1:]:
            assert script.split(">", 1)[0].strip().startswith("src="), url
