"""The authoring pages through the test client: real forms, real saves, real history."""

import re

import pytest
from django.urls import reverse

from reports.authoring import services as authoring_services
from reports.models import LearningReport, ReportEvent, ReportSection, SectionStatus, Status
from reports.template_sections import SECTION_KEYS
from tests.factories import make_cast


def url(name, report, **kwargs):
    return reverse(name, kwargs={"slug": report.slug, **kwargs})


def section_url(report, key="reasons"):
    return url("reports:section-edit", report, key=key)


def stored(report, key="reasons"):
    return ReportSection.objects.get(report=report, key=key)


def write_required_sections(cast):
    for key in ("reasons", "overall_goal", "approaches", "key_issues", "significant_learning"):
        authoring_services.save_section(
            report=cast.report,
            key=key,
            actor=cast.partner,
            body=f"<p>Text of {key}.</p>",
            based_on_version=1,
            completed=True,
        )


# Dashboard ---------------------------------------------------------------------------------------


def test_the_dashboard_lists_my_reports_with_status_and_next_step(cast, client):
    client.force_login(cast.partner)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert cast.report.title in page
    assert "Draft" in page
    assert "0 of 5" in page
    assert f'href="{url("reports:report-overview", cast.report)}">Continue writing' in page
    write_required_sections(cast)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert f'href="{url("reports:report-send", cast.report)}">Check and send' in page


def test_the_dashboard_shows_a_local_lead_what_waits_for_them(db, client):
    cast = make_cast(status=Status.AWAITING_SIGNOFF)
    client.force_login(cast.local_lead)
    assert "Review and sign off" in client.get(reverse("reports:dashboard")).content.decode()
    client.force_login(cast.partner)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "Waiting for the local area to sign it off" in page


def test_an_admin_is_offered_to_start_reports_and_invite_people(cast, client):
    client.force_login(cast.admin)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert reverse("reports:report-create") in page
    assert reverse("accounts:invite") in page
    client.force_login(cast.partner)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert reverse("reports:report-create") not in page


def test_the_dashboard_query_count_does_not_grow_with_reports(
    cast, client, django_assert_max_num_queries
):
    for _ in range(3):
        make_cast(complete=False).report.bsp.delivery_partners.add(cast.partner)
    client.force_login(cast.partner)
    # 1 session, 2 user, 3 reports with BSP, partnership, region and TCE lead, 4 their sections,
    # 5 their BSPs' delivery partners, 6 their addenda (both for the next step).
    with django_assert_max_num_queries(6):
        response = client.get(reverse("reports:dashboard"))
    assert response.content.decode().count("Continue writing") == 4
    client.force_login(cast.admin)
    # The same, plus 7: the count of BSPs without a report.
    with django_assert_max_num_queries(7):
        client.get(reverse("reports:dashboard"))


def test_an_admin_starts_a_report_for_a_bsp_without_one(cast, client):
    from tests.factories import BespokeSupportProjectFactory

    bsp = BespokeSupportProjectFactory(local_area="Somewhere New")
    client.force_login(cast.admin)
    page = client.get(reverse("reports:report-create")).content.decode()
    assert "Somewhere New" in page
    assert cast.report.bsp.local_area not in page  # it has a report already
    response = client.post(reverse("reports:report-create"), {"bsp": bsp.pk})
    report = LearningReport.objects.get(bsp=bsp)
    assert response.url == url("reports:report-overview", report)
    assert report.sections.count() == len(SECTION_KEYS)
    response = client.post(reverse("reports:report-create"), {})
    assert "Select the BSP to start a report for." in response.content.decode()


# Overview ----------------------------------------------------------------------------------------


def test_the_overview_is_a_task_list_with_every_section_status_and_link(cast, client):
    authoring_services.save_section(
        report=cast.report,
        key="reasons",
        actor=cast.partner,
        body="<p>Started.</p>",
        based_on_version=1,
    )
    client.force_login(cast.partner)
    page = client.get(url("reports:report-overview", cast.report)).content.decode()
    assert "Details of Bespoke Support Project (BSP)" in page
    assert url("reports:details-edit", cast.report) in page
    items = re.findall(r'<li class="task-list__item.*?</li>', page, re.DOTALL)
    assert len(items) == len(SECTION_KEYS)
    assert section_url(cast.report) in items[0] and "In progress" in items[0]
    assert section_url(cast.report, "overall_goal") in items[1] and "Not started" in items[1]
    local = next(item for item in items if "Immediate reflections" in item)
    assert "Written by the local area" in local and "href" not in local
    assert url("reports:report-send", cast.report) in page


def test_a_local_lead_reads_the_overview_without_edit_links(cast, client):
    client.force_login(cast.local_lead)
    page = client.get(url("reports:report-overview", cast.report)).content.decode()
    assert section_url(cast.report) not in page
    assert url("reports:details-edit", cast.report) not in page
    assert url("reports:report-send", cast.report) not in page
    assert url("reports:report-preview", cast.report) in page


def test_the_overview_query_count_is_fixed(cast, client, django_assert_max_num_queries):
    client.force_login(cast.partner)
    # 1 session, 2 user, 3 report with BSP, partnership, region, TCE lead; 4 sections,
    # 5 delivery partners, 6 methodologies, 7 core partner agencies, 8 signatures.
    with django_assert_max_num_queries(8):
        client.get(url("reports:report-overview", cast.report))


# Section editor ----------------------------------------------------------------------------------


def test_the_editor_shows_the_guidance_and_the_version_it_is_based_on(cast, client):
    client.force_login(cast.partner)
    page = client.get(section_url(cast.report)).content.decode()
    assert "What the partnership asked for when it applied" in page
    assert 'name="based_on_version" value="1"' in page
    assert '<script src="/static/js/section-editor.js" type="module">' in page


def test_saving_a_section_through_the_form(cast, client):
    client.force_login(cast.partner)
    response = client.post(
        section_url(cast.report),
        {"body": "<p>They asked <strong>why</strong>.</p>", "based_on_version": 1, "save": "1"},
    )
    assert response.url == url("reports:report-overview", cast.report)
    section = stored(cast.report)
    assert (section.body, section.version, section.status, section.updated_by) == (
        "<p>They asked <strong>why</strong>.</p>",
        2,
        SectionStatus.IN_PROGRESS,
        cast.partner,
    )
    response = client.post(
        section_url(cast.report),
        {"body": section.body, "based_on_version": 2, "completed": "yes", "save_next": "1"},
    )
    assert response.url == section_url(cast.report, "overall_goal")
    assert stored(cast.report).status == SectionStatus.COMPLETED


def test_without_javascript_plain_text_becomes_paragraphs(cast, client):
    client.force_login(cast.partner)
    client.post(
        section_url(cast.report),
        {"body": "First paragraph\nsame one.\n\nSecond one & more.", "based_on_version": 1},
    )
    assert stored(cast.report).body == (
        "<p>First paragraph<br>same one.</p><p>Second one &amp; more.</p>"
    )


def test_list_items_lose_the_paragraph_the_editor_wraps_them_in(cast, client):
    client.force_login(cast.partner)
    client.post(
        section_url(cast.report),
        {"body": "<ul><li><p>One</p></li><li><p>Two</p></li></ul>", "based_on_version": 1},
    )
    assert stored(cast.report).body == "<ul><li>One</li><li>Two</li></ul>"


def test_marking_an_empty_section_completed_is_an_error(cast, client):
    client.force_login(cast.partner)
    response = client.post(
        section_url(cast.report), {"body": "", "based_on_version": 1, "completed": "yes"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Write the section before you mark it as completed." in page
    assert stored(cast.report).version == 1


def test_an_autosave_answers_with_the_saved_at_status_and_the_new_version(cast, client):
    client.force_login(cast.partner)
    response = client.post(
        section_url(cast.report),
        {"body": "<p>Typing…</p>", "based_on_version": 1},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["X-Section-Save"] == "saved"
    page = response.content.decode()
    assert "Saved at" in page
    assert "<html" not in page
    assert re.search(r'name="based_on_version"[^>]*value="2"[^>]*hx-swap-oob="true"', page)
    latest = ReportSection.history.filter(key="reasons").latest("history_date")
    assert latest.history_change_reason == "autosave"


def test_a_stale_autosave_says_not_saved_and_keeps_the_stored_text(cast, client):
    authoring_services.save_section(
        report=cast.report,
        key="reasons",
        actor=cast.tce_lead,
        body="<p>The lead's words.</p>",
        based_on_version=1,
    )
    client.force_login(cast.partner)
    response = client.post(
        section_url(cast.report),
        {"body": "<p>The partner's words.</p>", "based_on_version": 1},
        headers={"HX-Request": "true"},
    )
    assert response["X-Section-Save"] == "conflict"
    page = response.content.decode()
    assert "Not saved: Tess Lead changed this section" in page
    assert "hx-swap-oob" not in page
    assert stored(cast.report).body == "<p>The lead's words.</p>"


def test_a_stale_save_shows_both_texts_and_the_person_chooses(cast, client):
    authoring_services.save_section(
        report=cast.report,
        key="reasons",
        actor=cast.tce_lead,
        body="<p>The lead's words.</p>",
        based_on_version=1,
    )
    client.force_login(cast.partner)
    response = client.post(
        section_url(cast.report), {"body": "<p>The partner's words.</p>", "based_on_version": 1}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this section" in page
    assert "The lead&#x27;s words." in page or "The lead's words." in page  # the saved version
    assert "The partner&#x27;s words." in page  # mine, in the form, to edit and save
    assert 'name="based_on_version" value="2"' in page  # now based on the saved version
    assert "<del>" in page and "<ins>" in page
    assert stored(cast.report).body == "<p>The lead's words.</p>"  # nothing overwritten

    # Choosing "Save my version" posts the form of the conflict page.
    response = client.post(
        section_url(cast.report), {"body": "<p>The partner's words.</p>", "based_on_version": 2}
    )
    assert response.status_code == 302
    assert stored(cast.report).body == "<p>The partner's words.</p>"
    bodies = set(ReportSection.history.filter(key="reasons").values_list("body", flat=True))
    assert {"<p>The lead's words.</p>", "<p>The partner's words.</p>"} <= bodies


def test_a_save_after_the_report_went_for_sign_off_shows_the_text_back(db, client):
    cast = make_cast(status=Status.AWAITING_SIGNOFF)
    client.force_login(cast.partner)
    response = client.post(
        section_url(cast.report),
        {"body": "<p>Words to keep.</p>", "based_on_version": stored(cast.report).version},
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your text could not be saved" in page
    assert "This report cannot be changed now: it is awaiting local sign-off." in page
    assert "<p>Words to keep.</p>" in page
    response = client.get(section_url(cast.report))
    assert response.url == url("reports:report-overview", cast.report)


# Details table -----------------------------------------------------------------------------------


def test_the_bsp_details_form(cast, client):
    from partnerships.models import Methodology

    methodology = Methodology.objects.get(name="Theory of Change")
    client.force_login(cast.partner)
    page = client.get(url("reports:details-edit", cast.report)).content.decode()
    assert 'id="id_delivery_mode_0"' in page and 'id="id_commenced_month"' in page
    assert 'id="id_methodologies_0"' in page
    assert f'value="{cast.report.title}"' in page
    assert 'name="based_on_version" value="1"' in page
    data = {
        "title": cast.report.title,
        "based_on_version": 1,
        "size": "Unitary",
        "number_of_local_authorities": 1,
        "methodologies": [methodology.pk],
        "delivery_mode": "mixed",
        "commenced_month": "",
        "commenced_year": "2021",
    }
    response = client.post(url("reports:details-edit", cast.report), data)
    assert "Select the month the BSP commenced" in response.content.decode()
    data["commenced_month"] = "3"
    response = client.post(url("reports:details-edit", cast.report), data)
    assert response.url == url("reports:report-overview", cast.report)
    bsp = cast.report.bsp
    bsp.refresh_from_db()
    assert (bsp.size, bsp.delivery_mode, bsp.commenced.isoformat()) == (
        "Unitary",
        "mixed",
        "2021-03-01",
    )
    assert list(bsp.methodologies.all()) == [methodology]


def details_data(report, **changes):
    """What the details page posts for ``report`` as it is stored, with some changes."""
    bsp = report.bsp
    data = {
        "title": report.title,
        "based_on_version": report.details_version,
        "size": bsp.size,
        "number_of_local_authorities": bsp.number_of_local_authorities,
        "local_authorities_as_stated": bsp.local_authorities_as_stated,
        "regional_area_as_stated": bsp.regional_area_as_stated,
        "methodologies": [m.pk for m in bsp.methodologies.all()],
        "methodology_as_stated": bsp.methodology_as_stated,
        "delivery_mode": bsp.delivery_mode,
        "commenced_month": str(bsp.commenced.month) if bsp.commenced else "",
        "commenced_year": str(bsp.commenced.year) if bsp.commenced else "",
    }
    data.update(changes)
    return data


def test_the_title_is_changed_on_the_details_page_and_the_address_stays(cast, client):
    slug = cast.report.slug
    client.force_login(cast.partner)
    details = url("reports:details-edit", cast.report)
    response = client.post(details, details_data(cast.report, title="  Swindon and Wiltshire  "))
    assert response.url == url("reports:report-overview", cast.report)
    report = LearningReport.objects.get(pk=cast.report.pk)
    assert (report.title, report.slug, report.details_version) == ("Swindon and Wiltshire", slug, 2)
    page = client.get(response.url).content.decode()
    assert "<h1>Swindon and Wiltshire</h1>" in page
    assert "The title and BSP details have been saved." in page
    # Search finds what is published, never a working copy: a draft has no search document.
    assert report.search_text == ""


@pytest.mark.parametrize(
    ("title", "error"),
    [
        ("", "Enter the title of the report"),
        ("   ", "Enter the title of the report"),
        ("x" * 201, "Enter a title of 200 characters or fewer"),
    ],
)
def test_the_title_is_required_and_at_most_200_characters(cast, client, title, error):
    client.force_login(cast.partner)
    response = client.post(
        url("reports:details-edit", cast.report), details_data(cast.report, title=title)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<a href="#id_title">{error}</a>' in page
    assert "<title>Error: " in page
    report = LearningReport.objects.get(pk=cast.report.pk)
    assert (report.title, report.details_version) == (cast.report.title, 1)


def test_a_details_form_without_its_version_says_so_in_the_summary(cast, client):
    client.force_login(cast.partner)
    data = details_data(cast.report, title="A new title")
    del data["based_on_version"]
    response = client.post(url("reports:details-edit", cast.report), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<li>Your changes could not be saved: the form did not say which version" in page
    assert 'href="#id_based_on_version"' not in page
    assert LearningReport.objects.get(pk=cast.report.pk).title == cast.report.title


def test_a_stale_details_save_shows_both_versions_and_keeps_my_input(cast, client):
    """The partner opens the page; the lead saves other details; the partner's save is
    refused with a 409 page that compares the two and keeps the partner's input."""
    partners = details_data(cast.report, title="The partner's title", size="Unitary")
    client.force_login(cast.tce_lead)
    client.post(
        url("reports:details-edit", cast.report),
        details_data(cast.report, title="The lead's title", delivery_mode="mixed"),
    )
    client.force_login(cast.partner)
    response = client.post(url("reports:details-edit", cast.report), partners)
    assert response.status_code == 409
    page = response.content.decode()
    assert "<h1>Someone else changed the details while you were editing them</h1>" in page
    assert "<title>Someone else changed the details: " in page
    assert "Your changes have not been saved, and nothing has been overwritten." in page
    assert "Tess Lead saved the details at" in page
    table = page[page.index('<table class="table details-comparison"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(
        r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td></tr>', table
    )
    assert rows == [
        ("Title of the report", "The lead&#x27;s title", "The partner&#x27;s title"),
        ("BSP size (as the report should state it)", "Not given", "Unitary"),
        ("Digital, face to face or mixed delivery", "Mixed", "Not given"),
    ]
    # The form holds the partner's input, based now on the stored version.
    assert 'value="The partner&#x27;s title"' in page
    assert 'name="based_on_version" value="2"' in page
    assert 'value="Save my version"' in page
    report = LearningReport.objects.get(pk=cast.report.pk)
    assert (report.title, report.details_version, report.bsp.size, report.bsp.delivery_mode) == (
        "The lead's title",
        2,
        "",
        "mixed",
    )
    # Saving again from the conflict page saves the partner's version.
    response = client.post(
        url("reports:details-edit", cast.report), {**partners, "based_on_version": 2}
    )
    assert response.url == url("reports:report-overview", cast.report)
    report = LearningReport.objects.get(pk=cast.report.pk)
    assert (report.title, report.details_version, report.bsp.size, report.bsp.delivery_mode) == (
        "The partner's title",
        3,
        "Unitary",
        "",
    )


# Check and send ----------------------------------------------------------------------------------


def test_sending_an_incomplete_report_lists_each_problem_with_a_link(cast, client):
    cast.report.bsp.delivery_mode = ""
    cast.report.bsp.save()
    client.force_login(cast.partner)
    page = client.get(url("reports:report-send", cast.report)).content.decode()
    assert "There is a problem" not in page and "cannot be sent yet" not in page
    response = client.post(url("reports:report-send", cast.report), {"comment": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The report cannot be sent yet" in page
    details = url("reports:details-edit", cast.report)
    assert f'<a href="{details}#id_delivery_mode_0">Select how the BSP was delivered</a>' in page
    assert f'<a href="{section_url(cast.report, "overall_goal")}">Write the section' in page
    cast.report.refresh_from_db()
    assert cast.report.status == Status.DRAFT


def test_sending_a_complete_report(db, client):
    cast = make_cast()
    client.force_login(cast.partner)
    response = client.post(url("reports:report-send", cast.report), {"comment": "Ready."})
    assert response.url == url("reports:report-overview", cast.report)
    cast.report.refresh_from_db()
    assert cast.report.status == Status.AWAITING_SIGNOFF
    assert ReportEvent.objects.get().comment == "Ready."
    # From now on the editing pages send authors back to the overview.
    response = client.get(section_url(cast.report))
    assert response.url == url("reports:report-overview", cast.report)


# History and preview -----------------------------------------------------------------------------


@pytest.fixture
def revised(cast):
    for version, text in enumerate(["The first words.", "The second words here."], start=1):
        authoring_services.save_section(
            report=cast.report,
            key="reasons",
            actor=cast.partner,
            body=f"<p>{text}</p>",
            based_on_version=version,
        )
    return cast


def test_the_history_lists_who_changed_which_section_when(revised, client):
    client.force_login(revised.local_lead)
    page = client.get(url("reports:report-history", revised.report)).content.decode()
    assert page.count("Dee Partner") == 2
    assert "Reasons why the local area requested" in page
    assert "Version 3" in page and "Version 2" in page


def test_any_two_revisions_can_be_compared(revised, client):
    first, second = ReportSection.history.filter(key="reasons").order_by("history_date")
    client.force_login(revised.partner)
    response = client.get(
        url("reports:section-history", revised.report, key="reasons"),
        {"from": first.history_id, "to": second.history_id},
    )
    page = response.content.decode()
    assert "From version 2 to version 3" in page
    assert "The <del>first words.</del> <ins>second words here.</ins>" in page
    # By default: the newest against the one before it.
    page = client.get(url("reports:section-history", revised.report, key="reasons")).content
    assert b"From version 2 to version 3" in page


def test_restoring_an_earlier_revision(revised, client):
    first = ReportSection.history.get(key="reasons", version=2)
    client.force_login(revised.partner)
    page = client.get(url("reports:section-history", revised.report, key="reasons")).content
    assert b"Restore version 2" in page
    response = client.post(
        reverse(
            "reports:section-restore",
            kwargs={"slug": revised.report.slug, "revision_id": first.history_id},
        ),
        {"based_on_version": 3},
    )
    assert response.url == url("reports:section-history", revised.report, key="reasons")
    section = stored(revised.report)
    assert (section.body, section.version) == ("<p>The first words.</p>", 4)
    # A local lead reads the history but is offered no restore.
    client.force_login(revised.local_lead)
    page = client.get(url("reports:section-history", revised.report, key="reasons")).content
    assert b"Restore version" not in page


def test_the_history_query_count_is_fixed(revised, client, django_assert_max_num_queries):
    client.force_login(revised.partner)
    # 1 session, 2 user, 3 report, 4 sections, 5 delivery partners, 6 revisions with their users,
    # 7 the count for the paginator.
    with django_assert_max_num_queries(7):
        client.get(url("reports:report-history", revised.report))


def test_the_preview_is_the_public_page_of_the_report(revised, client):
    client.force_login(revised.partner)
    page = client.get(url("reports:report-preview", revised.report)).content.decode()
    assert "Preview." in page
    assert f"Project Learning Report: {revised.report.title}</h1>" in page
    assert "<p>The second words here.</p>" in page
    assert "Details of Bespoke Support Project (BSP)" in page
    assert "Not yet signed off" in page
    assert "edition-dates" not in page  # never published: no "Published" line without a date
    # The public page itself does not exist yet: the report is a draft.
    assert client.get(revised.report.get_absolute_url()).status_code == 404


def test_authoring_pages_carry_no_inline_script_or_style(revised, client):
    client.force_login(revised.partner)
    for address in [
        reverse("reports:dashboard"),
        url("reports:report-overview", revised.report),
        section_url(revised.report),
        url("reports:report-preview", revised.report),
        url("reports:report-history", revised.report),
        url("reports:section-history", revised.report, key="reasons"),
        url("reports:report-send", revised.report),
        url("reports:details-edit", revised.report),
    ]:
        page = client.get(address).content.decode()
        assert " style=" not in page, address
        assert "<style" not in page, address
        assert "hx-on" not in page, address
        for script in page.split("<script")[1:]:
            assert "src=" in script.split(">", 1)[0], address


def test_save_and_next_from_the_last_section_returns_to_the_overview(cast, client):
    client.force_login(cast.partner)
    response = client.post(
        section_url(cast.report, "emerging_evidence"),
        {"body": "<p>Early signs.</p>", "based_on_version": 1, "save_next": "1"},
    )
    # The local area's own section comes after it in the template, but authors do not write it.
    assert response.url == url("reports:report-overview", cast.report)
