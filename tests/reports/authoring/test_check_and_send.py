"""Only a finished report goes for sign-off: every required section written and marked as
complete, and the details its table shows, with the problems listed in the order the report
shows them and, where only a programme admin can fix one, saying so."""

from django.test import Client
from django.urls import reverse

from partnerships.models import PartnershipAgency
from reports.models import ReportSection, SectionStatus, Status
from tests.factories import PASSWORD, make_cast
from tests.support.signing_in import sign_in


def signed_in(person) -> Client:
    client = Client()
    sign_in(client, person.email, PASSWORD)
    return client


def send(client, report):
    return client.post(reverse("reports:report-send", kwargs={"slug": report.slug}), {})


def test_a_section_still_in_progress_stops_the_report_and_says_which(db):
    cast = make_cast("In Progress Vale")
    ReportSection.objects.filter(report=cast.report, key="approaches").update(
        status=SectionStatus.IN_PROGRESS
    )

    response = send(signed_in(cast.partner), cast.report)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The report cannot be sent yet" in page
    assert "Finish the section “Approaches / methods taken" in page
    assert "mark it as complete (it is still in progress)" in page
    cast.report.refresh_from_db()
    assert cast.report.status == Status.DRAFT


def test_the_overview_counts_only_complete_sections(db):
    cast = make_cast("Counting Vale")
    ReportSection.objects.filter(report=cast.report, key="approaches").update(
        status=SectionStatus.IN_PROGRESS
    )
    page = signed_in(cast.partner).get(
        reverse("reports:report-overview", kwargs={"slug": cast.report.slug})
    )

    assert page.status_code == 200
    assert "4 of 5 required sections complete." in page.content.decode()


def test_no_core_partner_agencies_stops_the_report_and_says_who_can_record_them(db):
    cast = make_cast("No Agencies Vale")
    PartnershipAgency.objects.filter(partnership=cast.report.bsp.partnership).delete()

    cast.admin.is_superuser = True  # may change partnerships in the Django admin
    cast.admin.save()
    partner_page = send(signed_in(cast.partner), cast.report).content.decode()
    admin_page = send(signed_in(cast.admin), cast.report).content.decode()

    message = (
        "The core partner agencies of No Agencies Vale Safeguarding Partnership are not "
        "recorded: a programme admin adds them to the partnership in the admin"
    )
    assert f"<li>{message}</li>" in partner_page  # nothing the partner can click to fix it
    change = reverse("admin:partnerships_partnership_change", args=[cast.report.bsp.partnership_id])
    assert f'<a href="{change}">{message}</a>' in admin_page
    cast.report.refresh_from_db()
    assert cast.report.status == Status.DRAFT


def test_problems_are_listed_in_the_order_the_report_shows_them(db):
    cast = make_cast("Order Vale", complete=False)
    PartnershipAgency.objects.filter(partnership=cast.report.bsp.partnership).delete()

    page = send(signed_in(cast.partner), cast.report).content.decode()

    summary = page.split("The report cannot be sent yet", 1)[1].split("</ul>", 1)[0]
    expected = [
        "core partner agencies",
        "methodology or methodologies",
        "how the BSP was delivered",
        "Reasons why the local area requested",
        "Overall goal",
        "Significant learning",
    ]
    positions = [summary.index(text) for text in expected]
    assert positions == sorted(positions)


def test_the_check_page_lists_what_could_identify_someone_section_by_section(db):
    cast = make_cast(
        "Identifying Vale",
        sections={
            "reasons": "<p>Mr Patel's son, aged 14, was seen near the Hollybush estate.</p>",
            "approaches": "<p>Workshops for young people aged 10 to 25.</p>",
        },
    )
    url = reverse("reports:report-send", kwargs={"slug": cast.report.slug})
    page = signed_in(cast.partner).get(url).content.decode()

    listed = page.split('id="findings-heading"', 1)[1].split("</section>", 1)[0]
    assert "Reasons why the local area requested the TCE Support Programme" in listed
    assert "“Mr Patel”" in listed
    assert "“aged 14”" in listed
    assert "Hollybush estate" in listed
    assert "Approaches" not in listed  # a service's age range is not a person's age
    editor = reverse("reports:section-edit", kwargs={"slug": cast.report.slug, "key": "reasons"})
    assert f'href="{editor}"' in listed


def test_the_check_page_says_when_nothing_was_found_and_what_the_check_cannot_do(db):
    cast = make_cast("Quiet Vale", sections={"reasons": "<p>The partnership asked for help.</p>"})
    url = reverse("reports:report-send", kwargs={"slug": cast.report.slug})
    page = signed_in(cast.partner).get(url).content.decode()
    assert "The portal's check found no name, age" in page
    assert "read the report as someone from the area would" in page
