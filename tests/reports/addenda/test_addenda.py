"""Addenda ("Six months on"): written and signed by one side, published when the other signs;
shown under the report, in its PDF and feed, found by search; the edition never changes."""

import pytest
from django.core import mail
from django.urls import reverse

from reports.addenda import services
from reports.models import Addendum, LearningReport, Signature, Status
from reports.pdfs import document
from reports.signoff import services as signoff_services
from reports.workflow import TransitionNotAllowed
from tests.factories import make_cast

NEWS = "Six months on, the exploitation panel meets every fortnight."


def url(name, report, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": report.slug, **kwargs})


@pytest.fixture
def published(db):
    return make_cast("Harbour Bay", status=Status.PUBLISHED)


def write(cast, actor=None, **changes):
    fields = {
        "title": "Six months on",
        "body": f"<p>{NEWS}</p>",
        "full_name": "Lou Local",
        "role": "Partnership manager",
    }
    fields.update(changes)
    return services.write(report=cast.report, actor=actor or cast.local_lead, **fields)


def test_an_addendum_changes_no_signature_of_the_edition(published):
    report = published.report
    edition = report.published_edition
    signatures = {s.pk: (s.content_hash, s.superseded_at) for s in Signature.objects.all()}
    hash_before = report.content_hash()
    addendum = write(published)
    assert addendum.published_at is None
    assert addendum.waiting_for == Addendum.Side.TCE_LEAD
    services.countersign(
        addendum=addendum, actor=published.tce_lead, full_name="Tess Lead", role="TCE lead"
    )
    addendum.refresh_from_db()
    assert addendum.published_at is not None
    report = LearningReport.objects.get(pk=report.pk)
    assert report.status == Status.PUBLISHED
    assert report.published_edition == edition
    assert report.content_hash() == hash_before == edition.content_hash
    assert {s.pk: (s.content_hash, s.superseded_at) for s in Signature.objects.all()} == signatures
    assert report.editions.count() == 1
    assert list(report.events.values_list("transition", flat=True))[-2:] == [
        "sign_addendum",
        "publish_addendum",
    ]


def test_a_published_addendum_is_under_the_report_in_its_pdf_feed_and_search(
    published, client, django_capture_on_commit_callbacks
):
    report = published.report
    addendum = write(published)
    # Not yet: it waits for the TCE project lead.
    assert NEWS not in client.get(report.get_absolute_url()).content.decode()  # now cached
    assert not LearningReport.objects.published().search("fortnight").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.countersign(
            addendum=addendum, actor=published.tce_lead, full_name="Tess Lead", role="TCE lead"
        )
    page = client.get(report.get_absolute_url()).content.decode()
    assert NEWS in page
    assert 'id="addendum-' in page and "Signed for the local area by Lou Local" in page
    assert "by the TCE project lead Tess Lead, TCE lead" in page
    feed = client.get(reverse("reports:feed")).content.decode()
    assert "Harbour Bay: Six months on" in feed
    assert addendum.get_absolute_url() in feed
    assert LearningReport.objects.published().search("fortnight").filter(pk=report.pk).exists()
    edition = document.editions_for_pdf().get(pk=report.published_edition_id)
    html = document.edition_source(edition).html
    assert NEWS in html and "Six months on" in html


def test_either_side_may_write_and_only_the_other_publishes(published):
    addendum = write(published, actor=published.tce_lead, full_name="Tess Lead")
    assert addendum.waiting_for == Addendum.Side.LOCAL_AREA
    for nobody in (published.tce_lead, published.partner, published.other_local_lead):
        with pytest.raises(TransitionNotAllowed):
            services.countersign(addendum=addendum, actor=nobody, full_name="X", role="Y")
    services.countersign(
        addendum=addendum, actor=published.local_lead, full_name="Lou Local", role="Chair"
    )
    addendum.refresh_from_db()
    assert (addendum.local_name, addendum.tce_name) == ("Lou Local", "Tess Lead")
    with pytest.raises(TransitionNotAllowed, match="published already"):
        services.countersign(
            addendum=addendum, actor=published.local_lead, full_name="Lou", role="Chair"
        )


def test_only_a_published_report_takes_addenda_and_not_from_its_authors(db):
    draft = make_cast(status=Status.COUNTERSIGNED)
    with pytest.raises(TransitionNotAllowed):
        write(draft)
    published = make_cast(status=Status.PUBLISHED)
    with pytest.raises(TransitionNotAllowed):
        write(published, actor=published.partner)
    assert not Addendum.objects.exists()


def test_the_text_is_sanitised_and_must_not_be_empty(published):
    addendum = write(
        published, body='<p onclick="x()">Hello <a href="javascript:alert(1)">there</a></p>'
    )
    assert "onclick" not in addendum.body and "javascript:" not in addendum.body
    with pytest.raises(Exception, match="Write the addendum"):
        write(published, body="<p> </p>")


def test_withdrawal_takes_the_addenda_down_with_the_report(published, client):
    addendum = write(published)
    services.countersign(addendum=addendum, actor=published.tce_lead, full_name="T", role="L")
    signoff_services.withdraw(report=published.report, actor=published.admin, reason="Names.")
    page = client.get(published.report.get_absolute_url()).content.decode()
    assert NEWS not in page
    assert "Harbour Bay: Six months on" not in client.get(reverse("reports:feed")).content.decode()


def test_the_pages_offer_writing_and_signing_to_the_right_people(
    published, client, django_capture_on_commit_callbacks
):
    report = published.report
    client.force_login(published.local_lead)
    dashboard = client.get(reverse("reports:dashboard")).content.decode()
    assert url("addendum-write", report) in dashboard
    client.force_login(published.partner)
    assert (
        url("addendum-write", report)
        not in client.get(url("report-review", report)).content.decode()
    )
    assert client.get(url("addendum-write", report)).status_code == 302  # refused, with a message

    client.force_login(published.local_lead)
    page = client.get(url("addendum-write", report))
    assert page.status_code == 200
    empty = client.post(url("addendum-write", report), {})
    assert empty.status_code == 400
    assert "Enter the title of the addendum" in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("addendum-write", report),
            {
                "title": "Six months on",
                "body": NEWS,
                "full_name": "Lou Local",
                "role": "Partnership manager",
            },
        )
    assert response.status_code == 302
    addendum = Addendum.objects.get()
    assert addendum.body == f"<p>{NEWS}</p>"
    # The TCE project lead hears of it, and is offered to sign it.
    assert [m.to for m in mail.outbox] == [[published.tce_lead.email]]
    assert "Sign the addendum “Six months on”" in mail.outbox[0].body
    client.force_login(published.tce_lead)
    dashboard = client.get(reverse("reports:dashboard")).content.decode()
    sign = url("addendum-sign", report, pk=addendum.pk)
    assert sign in dashboard
    page = client.get(sign).content.decode()
    assert NEWS in page
    response = client.post(
        sign,
        {"full_name": "Tess Lead", "role": "TCE lead", "seen_hash": addendum.content_hash},
    )
    assert response.status_code == 302
    addendum.refresh_from_db()
    assert addendum.published_at is not None
    # A second press (a double click, the Back button) changes nothing and says so.
    again = client.post(
        sign,
        {"full_name": "Tess Lead", "role": "TCE lead", "seen_hash": addendum.content_hash},
        follow=True,
    )
    assert "is published already" in again.content.decode()
    assert report.events.filter(transition="publish_addendum").count() == 1
