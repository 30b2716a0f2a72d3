"""Restoring an earlier version of a section asks first, and says what it will replace."""

from django.test import Client
from django.urls import reverse

from reports.authoring import services as authoring_services
from reports.models import ReportSection
from tests.factories import make_cast


def test_restore_shows_what_it_replaces_and_restores_only_when_confirmed(db):
    cast = make_cast("Restore Vale", sections={"reasons": "<p>The first words.</p>"})
    section = ReportSection.objects.get(report=cast.report, key="reasons")
    authoring_services.save_section(
        report=cast.report,
        key="reasons",
        actor=cast.partner,
        body="<p>The newer words.</p>",
        based_on_version=section.version,
    )
    first = section.history.get(version=section.version)
    client = Client()
    client.force_login(cast.partner)
    history = reverse(
        "reports:section-history", kwargs={"slug": cast.report.slug, "key": "reasons"}
    )
    restore = reverse(
        "reports:section-restore",
        kwargs={"slug": cast.report.slug, "revision_id": first.history_id},
    )

    # The history offers a link, not a button that restores at once.
    page = client.get(history).content.decode()
    assert f'href="{restore}">Restore version {first.version}</a>' in page
    assert "saves within 15 minutes of each other are merged into one version" in page

    confirm = client.get(restore)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert f"<h1>Restore version {first.version}?</h1>" in text
    assert f"It will replace the current text, version {first.version + 1}" in text
    assert "<del>newer</del>" in text and "<ins>first</ins>" in text
    assert ReportSection.objects.get(pk=section.pk).body == "<p>The newer words.</p>"

    done = client.post(restore, {"based_on_version": first.version + 1}, follow=True)
    assert done.status_code == 200
    assert ReportSection.objects.get(pk=section.pk).body == "<p>The first words.</p>"
