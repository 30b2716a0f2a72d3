"""Every signed-in page that shows a report offers its viewer's next step, and the report's title
leads where they can take it (reports/next_steps.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from reports.models import Status
from tests.factories import PASSWORD, UserFactory, make_cast
from tests.support.signing_in import sign_in


def signed_in(person) -> Client:
    client = Client()
    sign_in(client, person.email, PASSWORD)
    return client


def url(name, report):
    return reverse(f"reports:{name}", kwargs={"slug": report.slug})


def dashboard_row(client, report) -> str:
    """The row of "My reports" that shows ``report``."""
    page = client.get(reverse("reports:dashboard")).content.decode()
    at = page.index(f">{report.title}</a>")
    return page[page.rindex("<tr>", 0, at) : page.index("</tr>", at)]


def test_the_local_leads_dashboard_leads_to_the_page_where_they_review_and_sign(db):
    cast = make_cast("Sign Here Bay", status=Status.AWAITING_SIGNOFF)
    client = signed_in(cast.local_lead)

    row = dashboard_row(client, cast.report)

    # The title and the next step both lead to the review page, where "Sign off" is.
    assert f'href="{url("report-review", cast.report)}"' in row
    assert "Review and sign off" in row
    review = client.get(url("report-review", cast.report)).content.decode()
    assert f'href="{url("report-sign", cast.report)}"' in review


def test_the_overview_offers_the_local_lead_the_review_too(db):
    cast = make_cast("Overview Bay", status=Status.AWAITING_SIGNOFF)
    page = signed_in(cast.local_lead).get(url("report-overview", cast.report)).content.decode()

    assert "What you can do now" in page
    assert f'href="{url("report-review", cast.report)}">Review and sign off</a>' in page


@pytest.mark.parametrize(
    ("status", "step", "where"),
    [
        (Status.SIGNED_OFF, "Countersign", "report-countersign"),
        (Status.COUNTERSIGNED, "Publish on the microsite", "report-publish"),
    ],
)
def test_the_tce_leads_next_step_is_on_their_dashboard(db, status, step, where):
    cast = make_cast("Lead On", status=status)
    client = signed_in(cast.tce_lead)

    row = dashboard_row(client, cast.report)

    assert f'href="{url(where, cast.report)}">{step}' in row
    assert f'href="{url("report-review", cast.report)}">Lead On</a>' in row


def test_without_a_local_lead_who_can_sign_in_the_tce_leads_step_is_a_sign_off_link(db):
    cast = make_cast("No Lead Here", status=Status.AWAITING_SIGNOFF)
    # The only local lead has no password: a sign-off link made their account.
    cast.local_lead.set_unusable_password()
    cast.local_lead.save()

    row = dashboard_row(signed_in(cast.tce_lead), cast.report)

    assert f'href="{url("report-send-signoff-link", cast.report)}">Send a sign-off link' in row
    assert "Waiting for the local area" not in row


def test_with_a_local_lead_account_the_tce_lead_waits_but_may_still_send_a_link(db):
    cast = make_cast("Lead Has Account", status=Status.AWAITING_SIGNOFF)
    client = signed_in(cast.tce_lead)

    review = client.get(url("report-review", cast.report)).content.decode()

    assert "Send a sign-off link" in review
    row = dashboard_row(client, cast.report)
    assert "Send a sign-off link" in row  # its only step, so its main one


def test_authors_continue_writing_or_check_and_send(db):
    unfinished = make_cast("Half Done", complete=False)
    finished = make_cast("All Done", partner=unfinished.partner)
    client = signed_in(unfinished.partner)

    assert "Continue writing" in dashboard_row(client, unfinished.report)
    row = dashboard_row(client, finished.report)
    assert f'href="{url("report-send", finished.report)}">Check and send for sign-off' in row
    assert f'href="{url("report-overview", finished.report)}">All Done</a>' in row


def test_people_who_only_wait_see_what_the_report_waits_for(db):
    cast = make_cast("Waiting Room", status=Status.AWAITING_SIGNOFF)
    row = dashboard_row(signed_in(cast.partner), cast.report)

    assert "Waiting for the local area to sign it off" in row
    assert f'href="{url("report-overview", cast.report)}">Waiting Room</a>' in row


def test_the_preview_offers_the_same_steps_and_the_draft_pdf(db):
    cast = make_cast("Preview Steps", status=Status.AWAITING_SIGNOFF)
    page = signed_in(cast.local_lead).get(url("report-preview", cast.report)).content.decode()

    assert "Review and sign off" in page
    assert url("report-pdf-draft", cast.report) in page
    assert url("report-pdf", cast.report) + '"' not in page  # the public PDF does not exist yet


def test_another_partnerships_local_lead_gets_no_step(db):
    cast = make_cast("Not Yours", status=Status.AWAITING_SIGNOFF)
    stranger = UserFactory(role=Role.LOCAL_LEAD, partnership=cast.elsewhere.partnership)

    page = signed_in(stranger).get(reverse("reports:dashboard")).content.decode()

    assert "Not Yours" not in page
    assert signed_in(stranger).get(url("report-review", cast.report)).status_code == 404
