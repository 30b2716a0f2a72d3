"""Requests that overlap, as a double click, two tabs or two people make them: one wins, the
others get the portal's own answer (a conflict, "already done"), never an error page.

These run on SQLite (a file database, set up as `make run` sets it up: WAL, a busy timeout,
IMMEDIATE transactions) and on PostgreSQL (row locks), through the real views.
"""

import threading

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from partnerships.reference_data import load_reference_data
from reports.models import ReportEvent, ReportSection, Signature, Status, Transition
from tests.factories import UserFactory, make_cast

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _reference_data():
    load_reference_data(apps)  # transactional tests start from empty tables


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at_once(*requests):
    """Run each of ``requests`` (a callable returning a response) in its own thread, all
    released at the same moment, each on its own database connection. Returns the responses in
    the order given; an exception in any of them fails the test."""
    start = threading.Barrier(len(requests))
    responses, errors = [None] * len(requests), []

    def run(index, request):
        try:
            start.wait(timeout=30)
            responses[index] = request()
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert errors == []
    assert all(response is not None for response in responses)
    return responses


def test_four_autosaves_of_one_section_at_once_give_one_save_and_three_conflicts():
    cast = make_cast("Overlap Vale")
    report = cast.report
    section = ReportSection.objects.get(report=report, key="reasons")
    before = section.version
    url = reverse("reports:section-edit", kwargs={"slug": report.slug, "key": "reasons"})
    writers = [cast.partner, cast.tce_lead, cast.admin, cast.partner]
    clients = [signed_in(person) for person in writers]

    def autosave(client, n):
        return lambda: client.post(
            url,
            {"body": f"<p>Text number {n}.</p>", "based_on_version": section.version},
            headers={"HX-Request": "true"},
        )

    responses = at_once(*(autosave(client, n) for n, client in enumerate(clients)))

    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    answers = sorted(r.headers["X-Section-Save"] for r in responses)
    assert answers == ["conflict", "conflict", "conflict", "saved"]
    winner = next(n for n, r in enumerate(responses) if r.headers["X-Section-Save"] == "saved")
    section.refresh_from_db()
    assert section.body == f"<p>Text number {winner}.</p>"
    assert section.version == before + 1


def test_a_double_click_on_send_sends_once_and_both_answers_say_where_the_report_is():
    cast = make_cast("Double Click Dale")
    report = cast.report
    url = reverse("reports:report-send", kwargs={"slug": report.slug})
    # Each press reads its own answer (a message for the next page): one client each.
    tab, other_tab = signed_in(cast.partner), signed_in(cast.partner)

    first, second = at_once(
        lambda: tab.post(url, {"comment": ""}, follow=True),
        lambda: other_tab.post(url, {"comment": ""}, follow=True),
    )

    assert (first.status_code, second.status_code) == (200, 200)
    pages = first.content.decode() + second.content.decode()
    assert "The report has been sent to the local area for sign-off." in pages
    assert "Already done: you chose “Send for local sign-off”" in pages
    assert ReportEvent.objects.filter(report=report, transition=Transition.SUBMIT).count() == 1
    report.refresh_from_db()
    assert report.status == Status.AWAITING_SIGNOFF


def test_two_local_leads_signing_at_once_make_one_signature_and_no_error():
    cast = make_cast("Two Leads Moor", status=Status.AWAITING_SIGNOFF)
    report = cast.report
    second_lead = UserFactory(role=Role.LOCAL_LEAD, partnership=report.bsp.partnership)
    url = reverse("reports:report-sign", kwargs={"slug": report.slug})
    data = {
        "consent": "yes",
        "checked_identifiability": "on",
        "full_name": "A Lead",
        "role": "Chair",
        "seen_hash": report.content_hash(),
    }

    first, second = signed_in(cast.local_lead), signed_in(second_lead)

    responses = at_once(lambda: first.post(url, data), lambda: second.post(url, data))

    assert [r.status_code for r in responses] == [302, 302]
    assert Signature.objects.filter(report=report, superseded_at__isnull=True).count() == 1
    assert ReportEvent.objects.filter(report=report, transition=Transition.SIGN_OFF).count() == 1


def test_a_double_click_on_publish_publishes_once():
    cast = make_cast("Publish Twice Fen", status=Status.COUNTERSIGNED)
    report = cast.report
    url = reverse("reports:report-publish", kwargs={"slug": report.slug})
    tab, other_tab = signed_in(cast.tce_lead), signed_in(cast.tce_lead)

    responses = at_once(
        lambda: tab.post(url, {}, follow=True), lambda: other_tab.post(url, {}, follow=True)
    )

    assert [r.status_code for r in responses] == [200, 200]
    pages = "".join(r.content.decode() for r in responses)
    assert "The report is published on the microsite." in pages
    assert "Already done" in pages
    assert ReportEvent.objects.filter(report=report, transition=Transition.PUBLISH).count() == 1
