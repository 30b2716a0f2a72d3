"""Edits in the Django admin take part in the same version checks as the authoring pages: an
admin's stale save is refused, and an admin's save makes the pages' stale saves conflict."""

import pytest
from django.urls import reverse

from reports.authoring import services as authoring_services
from reports.models import LearningReport, ReportSection
from tests.support.details import save_details
from tests.support.forms import form_values


@pytest.fixture
def admin_client(client, cast):
    cast.admin.is_superuser = True
    cast.admin.save()
    client.force_login(cast.admin)
    return client


def _section(cast, body="<p>First words.</p>"):
    """The "reasons" section written once by the author: version 1."""
    ReportSection.objects.filter(report=cast.report, key="reasons").delete()
    return authoring_services.save_section(
        report=cast.report, key="reasons", actor=cast.partner, body=body, based_on_version=0
    )


def test_an_admin_save_raises_the_version_so_a_stale_page_save_conflicts(admin_client, cast):
    section = _section(cast)
    change = reverse("admin:reports_reportsection_change", args=[section.pk])
    data = form_values(admin_client.get(change).content.decode())
    assert data["based_on_version"] == "1"
    data["body"] = "<p>Corrected by the programme.</p>"
    assert admin_client.post(change, data).status_code == 302
    section.refresh_from_db()
    assert (section.version, section.body) == (2, "<p>Corrected by the programme.</p>")
    assert section.updated_by == cast.admin

    # The author's editor was opened at version 1: their save is refused, not an overwrite.
    with pytest.raises(authoring_services.SectionConflict):
        authoring_services.save_section(
            report=cast.report,
            key="reasons",
            actor=cast.partner,
            body="<p>The author's words.</p>",
            based_on_version=1,
        )
    assert ReportSection.objects.get(pk=section.pk).body == "<p>Corrected by the programme.</p>"


def test_an_admin_form_opened_before_an_authors_save_is_refused(admin_client, cast):
    section = _section(cast)
    change = reverse("admin:reports_reportsection_change", args=[section.pk])
    data = form_values(admin_client.get(change).content.decode())
    authoring_services.save_section(
        report=cast.report,
        key="reasons",
        actor=cast.partner,
        body="<p>The author's second thoughts.</p>",
        based_on_version=1,
    )
    data["body"] = "<p>The admin's fix.</p>"
    response = admin_client.post(change, data)
    assert response.status_code == 200  # the form again, with the error
    assert "Someone saved this since you opened the page" in response.content.decode()
    section.refresh_from_db()
    assert (section.version, section.body) == (2, "<p>The author's second thoughts.</p>")


def test_the_reports_inline_sections_are_checked_too(admin_client, cast):
    section = _section(cast)
    change = reverse("admin:reports_learningreport_change", args=[cast.report.pk])
    data = form_values(admin_client.get(change).content.decode())
    prefix = next(
        name.removesuffix("-id")
        for name, value in data.items()
        if name.endswith("-id") and value == str(section.pk)
    )
    authoring_services.save_section(
        report=cast.report,
        key="reasons",
        actor=cast.partner,
        body="<p>Meanwhile.</p>",
        based_on_version=1,
    )
    data[f"{prefix}-body"] = "<p>Stale admin text.</p>"
    response = admin_client.post(change, data)
    assert response.status_code == 200
    assert "Someone saved this since you opened the page" in response.content.decode()
    assert ReportSection.objects.get(pk=section.pk).body == "<p>Meanwhile.</p>"


def test_a_title_changed_in_the_admin_meanwhile_makes_the_details_page_conflict(admin_client, cast):
    report = cast.report
    change = reverse("admin:reports_learningreport_change", args=[report.pk])
    stale = form_values(admin_client.get(change).content.decode())
    fresh = dict(stale, title="Title from the first admin")
    assert admin_client.post(change, fresh).status_code == 302
    assert LearningReport.objects.get(pk=report.pk).details_version == 2
    # A second admin page opened before that save is refused.
    stale["title"] = "Title from a stale page"
    response = admin_client.post(change, stale)
    assert response.status_code == 200
    assert "Someone saved this since you opened the page" in response.content.decode()
    assert LearningReport.objects.get(pk=report.pk).title == "Title from the first admin"


def test_a_bsp_changed_in_the_admin_makes_a_stale_details_page_save_conflict(admin_client, cast):
    bsp = cast.report.bsp
    change = reverse("admin:partnerships_bespokesupportproject_change", args=[bsp.pk])
    data = form_values(admin_client.get(change).content.decode())
    assert data["report_details_version"] == "1"
    data["number_of_local_authorities"] = "4"
    response = admin_client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert LearningReport.objects.get(pk=cast.report.pk).details_version == 2

    # The details page was opened at version 1: its save is refused, the admin's 4 stays.
    with pytest.raises(authoring_services.DetailsConflict):
        save_details(cast, version=1, number_of_local_authorities=2)
    bsp.refresh_from_db()
    assert bsp.number_of_local_authorities == 4


def test_a_bsp_admin_page_opened_before_a_details_save_is_refused(admin_client, cast):
    bsp = cast.report.bsp
    change = reverse("admin:partnerships_bespokesupportproject_change", args=[bsp.pk])
    data = form_values(admin_client.get(change).content.decode())
    save_details(cast, version=1, number_of_local_authorities=3)
    data["number_of_local_authorities"] = "5"
    response = admin_client.post(change, data)
    assert response.status_code == 200
    assert "Someone saved this BSP&#x27;s details" in response.content.decode()
    bsp.refresh_from_db()
    assert bsp.number_of_local_authorities == 3


def test_admin_changes_to_what_the_details_page_does_not_edit_need_no_version(admin_client, cast):
    """The focus as the register states it is not on the details page: no check, no version."""
    bsp = cast.report.bsp
    change = reverse("admin:partnerships_bespokesupportproject_change", args=[bsp.pk])
    data = form_values(admin_client.get(change).content.decode())
    save_details(cast, version=1, number_of_local_authorities=3)
    data["focus_as_stated"] = "Data and disruption"
    data["number_of_local_authorities"] = "3"
    assert admin_client.post(change, data).status_code == 302
    assert LearningReport.objects.get(pk=cast.report.pk).details_version == 2
