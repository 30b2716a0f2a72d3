"""Two local leads press "Sign off" at the same moment: exactly one signature; two save the
reflections from one version at the same moment: one save, one conflict (PostgreSQL)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from partnerships.reference_data import load_reference_data
from reports.authoring import services as authoring_services
from reports.models import ReportEvent, ReportSection, Signature, Status
from reports.signoff import services as signoff_services
from tests.factories import UserFactory, make_cast


@pytest.mark.postgres
def test_two_simultaneous_sign_offs_make_one_signature(
    transactional_db, django_db_serialized_rollback
):
    from django.apps import apps

    load_reference_data(apps)  # transactional tests start from empty tables
    cast = make_cast(status=Status.AWAITING_SIGNOFF)
    report = cast.report
    second_lead = UserFactory(role=Role.LOCAL_LEAD, partnership=report.bsp.partnership)
    clients = []
    for lead in (cast.local_lead, second_lead):
        client = Client()
        client.force_login(lead)
        clients.append(client)
    url = reverse("reports:report-sign", kwargs={"slug": report.slug})
    data = {
        "consent": "yes",
        "checked_identifiability": "on",
        "full_name": "A Lead",
        "role": "Chair",
        "seen_hash": report.content_hash(),
    }
    barrier = threading.Barrier(2)
    statuses, errors = [], []

    def press_sign_off(client):
        try:
            barrier.wait(timeout=30)
            statuses.append(client.post(url, data).status_code)
        except Exception as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=press_sign_off, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert statuses == [302, 302]
    assert Signature.objects.filter(report=report, superseded_at__isnull=True).count() == 1
    assert ReportEvent.objects.filter(report=report, transition="sign_off").count() == 1
    report.refresh_from_db()
    assert report.status == Status.SIGNED_OFF


@pytest.mark.postgres
def test_two_simultaneous_saves_of_the_reflections_give_one_save_and_one_conflict(
    transactional_db, django_db_serialized_rollback
):
    from django.apps import apps

    load_reference_data(apps)
    cast = make_cast(status=Status.AWAITING_SIGNOFF)
    report = cast.report
    second_lead = UserFactory(role=Role.LOCAL_LEAD, partnership=report.bsp.partnership)
    barrier = threading.Barrier(2)
    outcomes, errors = {}, []

    def save(lead, text):
        try:
            barrier.wait(timeout=30)
            signoff_services.write_local_reflections(
                report=report, actor=lead, body=f"<p>{text}</p>", based_on_version=1
            )
            outcomes[text] = "saved"
        except authoring_services.SectionConflict:
            outcomes[text] = "conflict"
        except Exception as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(cast.local_lead, "First")),
        threading.Thread(target=save, args=(second_lead, "Second")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(text for text, outcome in outcomes.items() if outcome == "saved")
    section = ReportSection.objects.get(report=report, key="local_reflections")
    assert (section.body, section.version) == (f"<p>{winner}</p>", 2)
