"""Published editions: what the public reads is frozen when it is published; a correction opens a
revision, and the published edition stays up until the revision is itself published. Consent can
be given later, or withdrawn. Through the real services, pages and forms."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.timezone import localtime

from accounts.models import Role
from partnerships.reference_data import load_reference_data
from reports.authoring import services as authoring_services
from reports.models import Edition, LearningReport, ReportEvent, Signature, Status
from reports.pdfs import document
from reports.signoff import services as signoff_services
from reports.workflow import TransitionNotAllowed
from tests.factories import UserFactory, make_cast, walk_to
from tests.support.public_surfaces import public_surfaces
from tests.support.responses import text

OLD = "Kernow learned that curiosity travels."
NEW = "Kernow learned that patience pays."


def url(name, report, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": report.slug, **kwargs})


@pytest.fixture
def published(db):
    return make_cast(
        "Kernow",
        region="South West",
        sections={"significant_learning": f"<p>{OLD}</p>"},
        status=Status.PUBLISHED,
    )


def revise(cast, *, text=NEW, title=None):
    """Start a revision and change the working copy (as the authors would)."""
    report = cast.report
    signoff_services.start_revision(report=report, actor=cast.tce_lead, reason="A wrong figure.")
    section = report.sections.get(key="significant_learning")
    authoring_services.save_section(
        report=report,
        key="significant_learning",
        actor=cast.partner,
        body=f"<p>{text}</p>",
        based_on_version=section.version,
        completed=True,
    )
    if title:
        authoring_services.update_bsp_details(
            report=report,
            actor=cast.partner,
            details={"title": title},
            based_on_version=report.details_version,
        )
    report.refresh_from_db()
    return report


def test_publishing_freezes_what_was_signed(published):
    report = published.report
    edition = report.published_edition
    assert (edition.number, edition.title, edition.change_note) == (1, "Kernow", "")
    assert edition.content_hash == report.content_hash()
    signatures = report.current_signatures
    assert edition.local_signature == signatures[Signature.Kind.LOCAL_AREA]
    assert edition.tce_signature == signatures[Signature.Kind.TCE_LEAD]
    assert {s.key: s.body for s in edition.sections.all()} == {
        s.key: s.body for s in report.sections.all()
    }
    assert edition.details_rows == report.details_rows
    assert edition.event == report.events.latest_of("publish")
    with pytest.raises(ValueError, match="never changed"):
        edition.save()


def test_no_public_surface_shows_the_working_copy_of_a_report_under_revision(published, client):
    report = revise(published, title="Kernow Revised")
    assert report.status == Status.DRAFT and report.is_public and report.is_under_revision

    page = client.get(report.get_absolute_url()).content.decode()
    assert OLD in page and NEW not in page
    assert "Project Learning Report: Kernow</h1>" in page and "Kernow Revised" not in page
    surfaces = {
        **public_surfaces(report, search="patience"),
        "search for the published text": reverse("reports:report-list") + "?q=curiosity",
        "edition 1": url("edition-detail", report, number=1),
    }
    for name, address in surfaces.items():
        response = client.get(address)
        assert response.status_code == 200, name
        body = text(response)
        assert "patience pays" not in body, name
        assert "Kernow Revised" not in body, name
    assert report.get_absolute_url() not in client.get(surfaces["search"]).content.decode()
    assert (
        report.get_absolute_url()
        in client.get(surfaces["search for the published text"]).content.decode()
    )
    for name in ("listing", "feed", "sitemap", "open data (CSV)", "learning"):
        assert report.get_absolute_url() in text(client.get(surfaces[name])), name
    # The PDF the public downloads is made from the edition.
    edition = document.editions_for_pdf().get(pk=report.published_edition_id)
    html = document.edition_source(edition).html
    assert OLD in html and NEW not in html and "Kernow Revised" not in html
    # Positive control: the working copy does say the new words (the authors' preview shows it).
    client.force_login(published.partner)
    preview = client.get(url("report-preview", report)).content.decode()
    assert NEW in preview and "Kernow Revised" in preview


def test_a_published_revision_replaces_the_edition_with_a_change_note(
    published, client, django_capture_on_commit_callbacks
):
    report = revise(published)
    with django_capture_on_commit_callbacks(execute=True):
        walk_to(report, published, Status.COUNTERSIGNED)
        signoff_services.publish(
            report=report, actor=published.tce_lead, change_note="Corrected the learning."
        )
    report.refresh_from_db()
    current = report.published_edition
    assert (current.number, current.change_note) == (2, "Corrected the learning.")
    assert report.editions.count() == 2

    page = client.get(report.get_absolute_url()).content.decode()
    assert NEW in page and OLD not in page
    assert f"Updated {current.published_at:%-d %B %Y}:</strong> Corrected the learning." in page
    assert "Editions of this report" in page
    first = url("edition-detail", report, number=1)
    assert f'href="{first}"' in page
    assert url("edition-pdf", report, number=1) in page

    earlier = client.get(first).content.decode()
    assert OLD in earlier and NEW not in earlier
    assert "This is an earlier edition" in earlier
    assert f'<link rel="canonical" href="http://testserver{first}">' in earlier
    assert client.get(url("edition-detail", report, number=3)).status_code == 404
    # Search and open data follow the new edition; its card says when it was updated.
    found = client.get(reverse("reports:report-list") + "?q=patience").content.decode()
    assert report.get_absolute_url() in found
    assert (
        f"Published {localtime(report.published_at):%-d %B %Y}; "
        f"updated {localtime(current.published_at):%-d %B %Y}" in found
    )
    data = json.loads(text(client.get(reverse("reports:data-reports-json"))))
    [record] = [r for r in data["reports"] if r["slug"] == report.slug]
    assert (record["edition"], record["change_note"]) == (2, "Corrected the learning.")
    assert record["signed_off_by"] == published.local_lead.full_name


def test_a_new_edition_needs_a_note_of_what_changed(published, client):
    report = revise(published)
    walk_to(report, published, Status.COUNTERSIGNED)
    client.force_login(published.tce_lead)
    page = client.get(url("report-publish", report)).content.decode()
    assert "What changed since the last edition" in page
    assert "replaces edition 1" in page
    response = client.post(url("report-publish", report), {"change_note": "  "})
    assert response.status_code == 400
    assert "Say what changed since the last edition" in response.content.decode()
    report.refresh_from_db()
    assert (report.status, report.published_edition.number) == (Status.COUNTERSIGNED, 1)
    with pytest.raises(signoff_services.ChangeNoteMissing):
        signoff_services.publish(report=report, actor=published.tce_lead)
    response = client.post(url("report-publish", report), {"change_note": "Fixed a figure."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.published_edition.number == 2


def test_the_first_edition_needs_no_note(db, client):
    cast = make_cast(status=Status.COUNTERSIGNED)
    client.force_login(cast.tce_lead)
    assert "What changed" not in client.get(url("report-publish", cast.report)).content.decode()
    assert client.post(url("report-publish", cast.report), {}).status_code == 302
    cast.report.refresh_from_db()
    assert cast.report.published_edition.number == 1


def test_a_revision_is_started_from_the_review_page_by_an_author(published, client):
    report = published.report
    client.force_login(published.partner)
    review = client.get(url("report-review", report)).content.decode()
    assert url("report-revise", report) in review
    client.force_login(published.local_lead)
    assert (
        url("report-revise", report)
        not in client.get(url("report-review", report)).content.decode()
    )
    refused = client.post(url("report-revise", report), {"reason": "x"}, follow=True)
    assert "Only the report&#x27;s authors can start a revision" in refused.content.decode()
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    client.force_login(published.partner)
    response = client.post(url("report-revise", report), {"reason": ""})
    assert "Enter what needs correcting or updating" in response.content.decode()
    response = client.post(url("report-revise", report), {"reason": "The numbers are wrong."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DRAFT and report.is_public
    event = report.events.latest_of("revise")
    assert (event.actor, event.comment) == (published.partner, "The numbers are wrong.")
    overview = client.get(url("report-overview", report)).content.decode()
    assert "Revision in progress." in overview


def test_a_change_in_the_admin_warns_first_and_keeps_the_edition_up(published, client):
    report = published.report
    admin = published.admin
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    section = report.sections.get(key="significant_learning")
    change = reverse("admin:reports_reportsection_change", args=[section.pk])
    page = client.get(change).content.decode()
    assert "is published: the public reads edition 1" in page
    assert "opens a revision" in page
    response = client.post(
        change,
        {
            "report": report.pk,
            "key": section.key,
            "status": "completed",
            "body": f"<p>{NEW}</p>",
            "based_on_version": section.version,
        },
        follow=True,
    )
    assert "has a revision in progress" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.DRAFT and report.is_under_revision
    client.logout()
    page = client.get(report.get_absolute_url()).content.decode()
    assert OLD in page and NEW not in page
    # A draft's change form has no such warning.
    draft = make_cast(status=Status.DRAFT).report
    client.force_login(admin)
    page = client.get(reverse("admin:reports_learningreport_change", args=[draft.pk]))
    assert "is published" not in page.content.decode()


def test_withdrawing_a_report_under_revision_takes_every_edition_down(published, client):
    report = revise(published)
    walk_to(report, published, Status.COUNTERSIGNED)
    signoff_services.withdraw(report=report, actor=published.admin, reason="Names a school.")
    report.refresh_from_db()
    assert report.status == Status.WITHDRAWN and not report.is_public
    for address in (report.get_absolute_url(), url("edition-detail", report, number=1)):
        page = client.get(address).content.decode()
        assert "This report was withdrawn" in page and "Names a school." in page
        assert OLD not in page
    assert client.get(url("edition-pdf", report, number=1)).status_code == 404
    assert (
        report.get_absolute_url() not in client.get(reverse("reports:report-list")).content.decode()
    )


# --- Consent people can change -------------------------------------------------------------------


def test_a_consent_no_can_become_yes_and_the_report_then_published(db, client):
    cast = make_cast(status=Status.NOT_FOR_PUBLICATION, consent=False)
    report = cast.report
    first = report.current_signatures[Signature.Kind.LOCAL_AREA]
    countersignature = report.current_signatures[Signature.Kind.TCE_LEAD]
    client.force_login(cast.local_lead)
    review = client.get(url("report-review", report)).content.decode()
    assert url("report-give-consent", report) in review
    page = client.get(url("report-give-consent", report)).content.decode()
    assert "nothing in the report changes" in page
    refused = client.post(
        url("report-give-consent", report), {"full_name": "Lou Local", "role": "Chair"}
    )
    assert refused.status_code == 400
    assert "Tick the box to agree to publication" in refused.content.decode()
    response = client.post(
        url("report-give-consent", report),
        {"agree": "on", "full_name": "Lou Local", "role": "Chair"},
    )
    assert response.status_code == 302
    report = LearningReport.objects.get(pk=report.pk)
    assert (report.status, report.consent_to_publish) == (Status.COUNTERSIGNED, True)
    first.refresh_from_db()
    assert first.superseded_at is not None
    again = report.current_signatures[Signature.Kind.LOCAL_AREA]
    assert again != first and again.content_hash == first.content_hash == report.content_hash()
    assert report.current_signatures[Signature.Kind.TCE_LEAD] == countersignature
    event = report.events.latest_of("give_consent")
    assert "Consent to publish on the microsite: yes" in event.comment
    # The TCE lead can now publish it.
    signoff_services.publish(report=report, actor=cast.tce_lead)
    report.refresh_from_db()
    assert report.is_public
    assert report.published_edition.local_signature == again
    # The audit log has both decisions.
    client.force_login(cast.tce_lead)
    audit = client.get(url("report-audit", report)).content.decode()
    assert "Consent to publish on the microsite: no." in audit
    assert "Consent to publish on the microsite: yes (given after sign-off)." in audit


def test_only_the_local_area_can_give_consent(db, client):
    cast = make_cast(status=Status.NOT_FOR_PUBLICATION, consent=False)
    with pytest.raises(TransitionNotAllowed):
        signoff_services.give_consent(
            report=cast.report, actor=cast.tce_lead, full_name="Tess", role="Lead"
        )
    client.force_login(cast.other_local_lead)
    assert client.get(url("report-give-consent", cast.report)).status_code == 404


def test_withdrawing_consent_takes_a_published_report_down_and_keeps_the_reason_private(
    published, client
):
    report = published.report
    client.force_login(published.local_lead)
    assert (
        url("report-withdraw-consent", report)
        in client.get(url("report-review", report)).content.decode()
    )
    response = client.post(
        url("report-withdraw-consent", report), {"reason": "The board changed its mind."}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.consent_to_publish, report.is_public) == (
        Status.WITHDRAWN,
        False,
        False,
    )
    client.logout()
    page = client.get(report.get_absolute_url()).content.decode()
    assert "The local area asked for this report to be taken off the microsite." in page
    assert "The board changed its mind." not in page
    event = report.events.latest_of("withdraw_consent")
    assert "Why: The board changed its mind." in event.comment


def test_withdrawing_consent_before_publication_keeps_it_unpublished(db):
    cast = make_cast(status=Status.COUNTERSIGNED)
    signoff_services.withdraw_consent(report=cast.report, actor=cast.local_lead, reason="Not yet.")
    cast.report.refresh_from_db()
    assert (cast.report.status, cast.report.consent_to_publish) == (
        Status.NOT_FOR_PUBLICATION,
        False,
    )
    with pytest.raises(TransitionNotAllowed):
        signoff_services.publish(report=cast.report, actor=cast.tce_lead)


# --- Exactly one published edition ---------------------------------------------------------------


def test_an_edition_is_made_only_by_publishing(published):
    report = published.report
    with pytest.raises(TransitionNotAllowed):
        signoff_services.publish(report=report, actor=published.tce_lead, change_note="Again")
    assert report.editions.count() == 1
    assert report.published_edition.number == 1


@pytest.mark.postgres
def test_two_simultaneous_publications_make_one_edition(
    transactional_db, django_db_serialized_rollback
):
    from django.apps import apps

    load_reference_data(apps)  # transactional tests start from empty tables
    cast = make_cast(status=Status.PUBLISHED)
    report = revise(cast)
    walk_to(report, cast, Status.COUNTERSIGNED)
    second_lead = UserFactory(role=Role.PROGRAMME_ADMIN)
    clients = []
    for person in (cast.tce_lead, second_lead):
        client = Client()
        client.force_login(person)
        clients.append(client)
    barrier = threading.Barrier(2)
    statuses, errors = [], []

    def press_publish(client, note):
        try:
            barrier.wait(timeout=30)
            response = client.post(url("report-publish", report), {"change_note": note})
            statuses.append(response.status_code)
        except Exception as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=press_publish, args=(client, f"Note {n}"))
        for n, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert statuses == [302, 302]  # one published; the other told it is done already
    assert Edition.objects.filter(report=report).count() == 2
    assert ReportEvent.objects.filter(report=report, transition="publish").count() == 2
    report.refresh_from_db()
    assert report.published_edition.number == 2
    assert report.status == Status.PUBLISHED
