"""The compendium: many published reports in one PDF, built in the background with progress."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reports.models import Compendium, EditionSection, LearningReport, Status
from reports.pdfs import storage
from tests.factories import Cast, cast_of, demo_people, make_cast, republish, walk_to
from tests.support.pdf_reading import read_pdf

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def two_published(demo):
    """East Sussex is published in the demo data; publish Torbay too (both are 2020-21)."""
    torbay = LearningReport.objects.get(slug="torbay")
    walk_to(torbay, Cast(report=torbay, **demo_people()), Status.PUBLISHED)
    return list(LearningReport.objects.published().order_by("title"))


def ask_for(client, **data):
    # The test client closes the response once it is "sent", as a WSGI server does: that is
    # when the build is queued.
    return client.post(reverse("reports:compendium"), data)


def download(client, compendium):
    response = client.get(reverse("reports:compendium-pdf", kwargs={"pk": compendium.pk}))
    body = b"".join(response.streaming_content) if response.streaming else b""
    return response, body


@pytest.mark.pdf
def test_a_programme_years_reports_in_one_pdf_with_cover_contents_and_bookmarks(
    two_published, client
):
    response = ask_for(client, year=2020)
    compendium = Compendium.objects.get()
    assert response.status_code == 302
    assert response["Location"] == compendium.get_absolute_url()
    assert compendium.report_slugs == ["east-sussex", "torbay"]

    page = client.get(compendium.get_absolute_url()).content.decode()
    assert "Download the PDF" in page
    response, body = download(client, compendium)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="tce-learning-reports-2020-21.pdf"'
    )
    assert int(response["Content-Length"]) == len(body)
    read = read_pdf(body)

    # The cover: the title and what is in it, without running header or page number.
    assert "Project Learning Reports 2020-21" in read.pages[0]
    assert "2 Project Learning Reports" in read.pages[0]
    assert "Page 1 of" not in read.pages[0]
    # The contents, with each report's page number, which is where that report starts.
    contents = read.pages[1]
    assert contents.startswith("Contents") or "Contents" in contents
    for report in two_published:
        starts = read.page_of(f"Project Learning Report: {report.title}", start=2)
        # "East Sussex South East, Standard BSP, 2020-21 ........ 3"
        listed = re.search(rf"{re.escape(report.title)} [^.]*?\.{{3,}} ?(\d+)", contents)
        assert listed, f"{report.title} is not in the contents"
        assert int(listed.group(1)) == starts, report.title
    # Every report whole, in order.
    expected = []
    for report in two_published:
        expected.append(f"Project Learning Report: {report.title}")
        expected += [s.heading for s in report.shown_sections() if s.has_content]
        expected.append("Sign-off")
    read.assert_in_order(expected)
    # Bookmarks: the cover, the contents, each report with its sections under it.
    outline = read.outline()
    assert outline[:2] == [(1, "Project Learning Reports 2020-21"), (1, "Contents")]
    assert (1, "Project Learning Report: East Sussex") in outline
    assert (1, "Project Learning Report: Torbay") in outline
    torbay_at = outline.index((1, "Project Learning Report: Torbay"))
    assert outline[torbay_at + 1] == (2, "Details of Bespoke Support Project (BSP)")
    assert read.title == "Project Learning Reports 2020-21"
    assert read.language == "en-GB"
    assert read.is_tagged


def test_the_same_reports_are_built_once(two_published, client, settings):
    settings.TASKS = DATABASE_TASKS
    ask_for(client, year=2020)
    ask_for(client, year=2020)
    assert Compendium.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path="reports.pdfs.tasks.build_compendium").count() == 1


@pytest.mark.pdf
def test_the_page_that_asked_shows_progress_until_the_download_is_ready(
    two_published, client, settings, run_worker
):
    settings.TASKS = DATABASE_TASKS
    ask_for(client, year=2020)
    compendium = Compendium.objects.get()
    url = compendium.get_absolute_url()

    waiting = client.get(url)
    page = waiting.content.decode()
    assert "no-store" in waiting["Cache-Control"]
    assert '<progress id="compendium-progress"' in page
    assert '<label for="compendium-progress"' in page
    assert "Waiting to start" in page
    assert f'hx-get="{url}"' in page and 'hx-trigger="every 2s"' in page
    # Without JavaScript: a link to refresh, no meta refresh.
    assert "refresh this page" in page
    assert 'http-equiv="refresh"' not in page
    polled = client.get(url, HTTP_HX_REQUEST="true")
    assert polled.status_code == 200
    assert "<progress" in polled.content.decode()
    assert "<html" not in polled.content.decode()

    # The worker builds it, writing its progress as it goes.
    with CaptureQueriesContext(connection) as queries:
        run_worker()
    written = [
        int(value)
        for query in queries.captured_queries
        if query["sql"].startswith('UPDATE "reports_compendium"')
        for value in re.findall(r'"progress" = (\d+)', query["sql"])
    ]
    assert written == sorted(written)
    assert any(10 < value < 90 for value in written), written  # laying out pages
    assert written[-1] == 100

    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done.status_code == 286  # htmx stops polling
    page = done.content.decode()
    assert "Download the PDF" in page and "hx-get" not in page
    assert "The PDF is ready to download." in page


@pytest.mark.pdf
def test_a_search_result_by_report_slugs(two_published, client):
    url = reverse("reports:compendium")
    page = client.get(url, {"reports": "torbay,not-a-report"}).content.decode()
    assert "Project Learning Reports: a selection in one PDF" in page
    assert "1 published report," in page
    assert "Torbay" in page and "East Sussex" not in page
    # The search may also pass the slugs one by one.
    page = client.get(f"{url}?reports=torbay&reports=east-sussex").content.decode()
    assert "2 published reports," in page
    ask_for(client, reports="torbay,east-sussex")
    compendium = Compendium.objects.get()
    assert compendium.programme_year is None
    response, body = download(client, compendium)
    assert response["Content-Disposition"].startswith(
        'attachment; filename="tce-learning-reports-selection-'
    )
    read = read_pdf(body)
    read.assert_in_order(
        ["Project Learning Report: East Sussex", "Project Learning Report: Torbay"]
    )


def test_only_so_many_compendiums_are_prepared_at_once(two_published, client, settings):
    settings.TASKS = DATABASE_TASKS
    settings.COMPENDIUMS_AT_ONCE = 2
    ask_for(client, reports="torbay")
    ask_for(client, reports="east-sussex")
    assert Compendium.objects.count() == 2

    # A third is refused while two wait: nothing created, nothing queued, and a clear page.
    response = ask_for(client, year=2020)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Many PDFs are being prepared right now" in page
    assert '<button type="submit" class="btn btn-primary">Prepare the PDF</button>' in page
    assert Compendium.objects.count() == 2
    assert DBTaskResult.objects.filter(task_path="reports.pdfs.tasks.build_compendium").count() == 2

    # Asking again for one already waiting is no new work: it is never refused.
    assert ask_for(client, reports="torbay").status_code == 302

    # Once one is built, there is room again.
    Compendium.objects.filter(report_slugs=["torbay"]).update(state=Compendium.State.READY)
    assert ask_for(client, year=2020).status_code == 302
    assert Compendium.objects.count() == 3


def test_only_published_reports_go_in(demo, client):
    url = reverse("reports:compendium")
    assert client.get(url, {"reports": "torbay"}).status_code == 404
    assert client.post(url, {"reports": "torbay"}).status_code == 404
    assert client.get(url, {"year": 2031}).status_code == 404
    assert client.get(url, {"year": "soon"}).status_code == 404
    assert not Compendium.objects.exists()


@pytest.mark.pdf
def test_an_outdated_compendium_is_not_served(two_published, client):
    ask_for(client, year=2020)
    compendium = Compendium.objects.get()
    torbay = LearningReport.objects.get(slug="torbay")
    republish(torbay, cast_of(torbay), body="<p>Rewritten after the review.</p>")
    response, _body = download(client, compendium)
    assert response.status_code == 302
    assert response["Location"] == compendium.get_absolute_url()
    page = client.get(compendium.get_absolute_url()).content.decode()
    assert "The reports have changed since this PDF was prepared." in page
    assert 'name="year" value="2020"' in page

    ask_for(client, year=2020)
    assert Compendium.objects.count() == 2
    newest = Compendium.objects.exclude(pk=compendium.pk).get()
    assert download(client, newest)[0].status_code == 200


def test_choosing_a_year_lists_the_years_with_published_reports(
    two_published, client, django_assert_max_num_queries
):
    # 1: published reports counted by programme year.
    with django_assert_max_num_queries(1):
        response = client.get(reverse("reports:compendium"))
    page = response.content.decode()
    assert "2020-21: 2 reports" in page
    assert f"{reverse('reports:compendium')}?year=2020" in page


def test_the_list_of_reports_to_put_in_one_pdf_has_a_query_budget(
    two_published, client, django_assert_max_num_queries
):
    # 1 how many reports the year has (for its volumes), 2 reports (with BSP, partnership,
    # region, published edition and its signatures), 3 the editions' sections, 4 an existing
    # compendium of the same reports.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("reports:compendium"), {"year": 2020})
    assert response.status_code == 200
    assert "Prepare the PDF" in response.content.decode()


def test_compendiums_nobody_needs_are_pruned_with_their_files(
    demo, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from reports.pdfs.storage import prune_compendiums

    now = timezone.now()
    long_ago = now - timezone.timedelta(days=40)

    def make(name, *, created, state=Compendium.State.READY, year=2020, slugs=("east-sussex",)):
        compendium = Compendium.objects.create(
            title=name, programme_year=year, report_slugs=list(slugs), fingerprint=name, state=state
        )
        compendium.file.save(f"{name}.pdf", ContentFile(b"%PDF-"), save=True)
        Compendium.objects.filter(pk=compendium.pk).update(created_at=created)
        return compendium

    superseded = make("superseded", created=long_ago)
    newest = make("newest", created=now, slugs=("east-sussex", "torbay"))
    failed = make("failed", created=long_ago, state=Compendium.State.FAILED)
    old_search = make("old-search", created=long_ago, year=None)
    recent_search = make("recent-search", created=now, year=None)

    with django_capture_on_commit_callbacks(execute=True):
        assert prune_compendiums(now=now) == 3
    assert set(Compendium.objects.values_list("title", flat=True)) == {"newest", "recent-search"}
    for gone in (superseded, failed, old_search):
        assert not default_storage.exists(gone.file.name)
    for kept in (newest, recent_search):
        assert default_storage.exists(kept.file.name)


@pytest.mark.pdf
def test_a_large_programme_year_comes_in_volumes(two_published, client, monkeypatch):
    """More than Compendium.VOLUME_SIZE reports in a year (here the size is 1, and 2020-21 has
    two): the year is offered in volumes, by title, each its own compendium."""
    monkeypatch.setattr(Compendium, "VOLUME_SIZE", 1)
    east_sussex, torbay = two_published
    choose = client.get(reverse("reports:compendium")).content.decode()
    assert "2020-21: 2 reports, in 2 volumes of up to 1" in choose
    volume_2 = f"{reverse('reports:compendium')}?year=2020&amp;volume=2"
    assert volume_2 in choose

    page = client.get(reverse("reports:compendium"), {"year": 2020, "volume": 2})
    text = page.content.decode()
    assert "Project Learning Reports 2020-21, volume 2 in one PDF" in text
    assert torbay.get_absolute_url() in text and east_sussex.get_absolute_url() not in text
    assert 'name="volume" value="2"' in text
    assert client.get(reverse("reports:compendium"), {"year": 2020, "volume": 3}).status_code == 404

    ask_for(client, year=2020, volume=2)
    compendium = Compendium.objects.get()
    assert (compendium.volume, compendium.report_slugs) == (2, ["torbay"])
    assert compendium.title == "Project Learning Reports 2020-21, volume 2"
    # Without a volume, a large year is its first volume: never one PDF of the whole year.
    ask_for(client, year=2020)
    first = Compendium.objects.exclude(pk=compendium.pk).get()
    assert (first.volume, first.report_slugs) == (1, ["east-sussex"])


# -- Whether a compendium is current, without building it again ------------------------------


def ready_compendium(reports):
    """A compendium of ``reports`` as asked for, its file stored (the PDF itself is not what
    these tests are about: test_a_programme_years_reports_in_one_pdf... renders one)."""
    from django.core.files.base import ContentFile

    compendium = storage.request_compendium(reports=reports, programme_year=None).compendium
    compendium.file.save(f"{compendium.pk}.pdf", ContentFile(b"%PDF-"), save=False)
    compendium.state = Compendium.State.READY
    compendium.save()
    return compendium


def published(*slugs):
    return list(storage.compendium_reports(slugs=slugs))


def test_a_compendium_is_current_until_a_report_in_it_changes(two_published, settings):
    settings.TASKS = DATABASE_TASKS  # no PDFs rendered on publication: not needed here
    compendium = ready_compendium(published("east-sussex", "torbay"))
    assert compendium.made_from["editions"] == [r.published_edition_id for r in two_published]
    assert storage.compendium_is_current(compendium)

    torbay = LearningReport.objects.get(slug="torbay")
    republish(torbay, cast_of(torbay), body="<p>Rewritten after the review.</p>")
    compendium.refresh_from_db()
    assert not storage.compendium_is_current(compendium)
    # The same reports as they are now: another compendium, current.
    assert storage.compendium_is_current(ready_compendium(published("east-sussex", "torbay")))


def test_a_compendium_with_a_withdrawn_report_is_not_current(two_published, settings):
    settings.TASKS = DATABASE_TASKS
    compendium = ready_compendium(published("east-sussex", "torbay"))
    torbay = LearningReport.objects.get(slug="torbay")
    walk_to(torbay, Cast(report=torbay, **demo_people()), Status.WITHDRAWN)
    assert not storage.compendium_is_current(compendium)


def test_a_renamed_region_makes_a_compendium_out_of_date(two_published, settings):
    """The register's names are shown live, not from the edition: a change there is caught."""
    settings.TASKS = DATABASE_TASKS
    compendium = ready_compendium(published("east-sussex", "torbay"))
    region = LearningReport.objects.get(slug="torbay").bsp.region
    region.name = "The Far South West"
    region.save()
    assert not storage.compendium_is_current(compendium)


def test_a_compendium_made_before_its_sources_were_recorded_is_checked_the_slow_way(
    two_published, settings
):
    settings.TASKS = DATABASE_TASKS
    compendium = ready_compendium(published("east-sussex", "torbay"))
    Compendium.objects.filter(pk=compendium.pk).update(made_from={})
    compendium.refresh_from_db()
    assert storage.compendium_is_current(compendium)
    # Edition text changed behind the portal's back: only the slow check sees it.
    EditionSection.objects.filter(edition__report__slug="torbay", key="reasons").update(
        body="<p>Rewritten.</p>"
    )
    assert not storage.compendium_is_current(compendium)


def poll_queries(client, compendium):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(compendium.get_absolute_url(), headers={"HX-Request": "true"})
    assert response.status_code == 286
    assert "Download the PDF" in response.content.decode()
    return len(queries)


def test_polling_a_compendium_has_a_query_budget_whatever_its_size(
    db, client, settings, django_assert_max_num_queries
):
    settings.TASKS = DATABASE_TASKS
    casts = [make_cast(f"Area {n}", status=Status.PUBLISHED) for n in range(12)]
    slugs = [cast.report.slug for cast in casts]
    small = ready_compendium(published(*slugs[:3]))
    large = ready_compendium(published(*slugs))
    assert len(large.report_slugs) == 12
    # 1 the compendium, 2 its reports' editions and what else it shows (is it current?).
    with django_assert_max_num_queries(2):
        client.get(small.get_absolute_url(), headers={"HX-Request": "true"})
    with django_assert_max_num_queries(2):
        client.get(large.get_absolute_url(), headers={"HX-Request": "true"})
    assert poll_queries(client, small) == poll_queries(client, large)
