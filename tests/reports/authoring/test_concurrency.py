"""Two saves of one section (or of the details page) at the same moment, from the same version:
one wins, one conflicts.

Needs real row locks (SELECT ... FOR UPDATE), so it runs on PostgreSQL only.
"""

import threading

import pytest
from django.apps import apps
from django.db import connection

from partnerships.reference_data import load_reference_data
from reports.authoring import services as authoring_services
from reports.models import LearningReport, ReportSection
from tests.factories import make_cast


def saved_at_once(cast, save, conflict) -> str:
    """Run ``save(person, text)`` for the partner ("Partner") and the lead ("Lead") at the same
    moment, each on its own connection; check that one saved and the other met ``conflict``, and
    return the text that was saved."""
    start = threading.Barrier(2)
    outcomes = {}

    def attempt(person, text):
        try:
            start.wait()
            save(person, text)
            outcomes[text] = "saved"
        except conflict:
            outcomes[text] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(cast.partner, "Partner")),
        threading.Thread(target=attempt, args=(cast.tce_lead, "Lead")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    return next(text for text, outcome in outcomes.items() if outcome == "saved")


@pytest.mark.postgres
# Serialized rollback: every transactional test restores the migrations' data the same way, so
# the flush after one never leaves content types that clash with the next one's restore.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_saves_from_one_version_give_one_save_and_one_conflict():
    load_reference_data(apps)
    cast = make_cast(complete=False)

    def save(person, text):
        authoring_services.save_section(
            report=cast.report,
            key="reasons",
            actor=person,
            body=f"<p>{text}</p>",
            based_on_version=1,
        )

    winner = saved_at_once(cast, save, authoring_services.SectionConflict)
    section = ReportSection.objects.get(report=cast.report, key="reasons")
    assert (section.body, section.version) == (f"<p>{winner}</p>", 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_details_saves_from_one_version_give_one_save_and_one_conflict():
    load_reference_data(apps)
    cast = make_cast(complete=False)

    def save(person, title):
        authoring_services.update_bsp_details(
            report=cast.report,
            actor=person,
            details={"title": title, "size": f"Size chosen by {title}"},
            based_on_version=1,
        )

    winner = saved_at_once(cast, save, authoring_services.DetailsConflict)
    report = LearningReport.objects.select_related("bsp").get(pk=cast.report.pk)
    assert (report.title, report.bsp.size, report.details_version) == (
        winner,
        f"Size chosen by {winner}",
        2,
    )
