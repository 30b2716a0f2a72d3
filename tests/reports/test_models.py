import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch
from django.utils.timezone import localtime

from partnerships.models import BSPType
from reports.models import LearningReport, ReportSection, Signature, Status
from tests.factories import LearningReportFactory, ReportSectionFactory, make_cast


@pytest.fixture
def report(db):
    return LearningReportFactory()


def test_one_report_per_bsp(report):
    with pytest.raises(IntegrityError), transaction.atomic():
        LearningReport.objects.create(bsp=report.bsp, title="Again", slug="again")


def test_a_new_report_is_a_draft_and_not_public(report):
    assert report.status == Status.DRAFT
    assert not report.is_public
    assert not LearningReport.objects.published().exists()


def test_published_needs_the_local_areas_consent(report):
    report.status = Status.PUBLISHED
    report.consent_to_publish = False
    with pytest.raises(ValidationError, match="only with the local area's consent"):
        report.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        report.save()


def test_public_means_a_published_edition_not_a_status(report):
    # The status alone (set by hand, not by publishing) puts nothing on the microsite...
    report.status = Status.PUBLISHED
    report.consent_to_publish = True
    report.save()
    assert not report.is_public
    assert list(LearningReport.objects.published()) == []
    # ...publishing does: it makes the edition the public reads.
    cast = make_cast(status=Status.PUBLISHED)
    assert cast.report.is_public
    assert cast.report.published_edition.number == 1
    assert list(LearningReport.objects.published()) == [cast.report]


def test_one_section_per_key_per_report(report):
    ReportSectionFactory(report=report, key="reasons")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportSectionFactory(report=report, key="reasons")


def test_section_keys_come_from_the_template(report):
    section = ReportSection(report=report, key="made_up")
    with pytest.raises(ValidationError):
        section.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        section.save()


def test_rich_text_is_sanitised_on_save(report):
    section = ReportSectionFactory(
        report=report,
        body=(
            '<p onclick="steal()" style="color:red">Hello <script>alert(1)</script>'
            '<a href="javascript:alert(1)">link</a> <strong>bold</strong>'
            '<span class="footnote">See <a href="https://example.org">example</a></span></p>'
        ),
    )
    section.refresh_from_db()
    assert "<script" not in section.body
    assert "onclick" not in section.body
    assert "style=" not in section.body
    assert "javascript:" not in section.body
    assert "<strong>bold</strong>" in section.body
    assert '<span class="footnote">' in section.body


def test_empty_optional_sections_are_not_shown(report):
    ReportSectionFactory(report=report, key="reasons")
    ReportSectionFactory(report=report, key="emerging_evidence", body="<p> </p>")
    ReportSectionFactory(report=report, key="overall_goal", body="")
    shown = [section.key for section in report.shown_sections()]
    # A required section is shown even when empty; an empty optional one is not.
    assert shown == ["reasons", "overall_goal"]


def test_content_hash_changes_with_any_section_text(report):
    section = ReportSectionFactory(report=report)
    before = report.content_hash()
    section.body = section.body.replace("wanted", "needed")
    section.save()
    assert report.content_hash() != before


def test_only_one_current_signature_of_each_kind(report):
    fields = {"name": "A Person", "signed_on": "2021-07-12", "content_hash": "0" * 64}
    first = Signature.objects.create(report=report, kind=Signature.Kind.LOCAL_AREA, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(report=report, kind=Signature.Kind.LOCAL_AREA, **fields)
    first.superseded_at = first.recorded_at
    first.save()
    Signature.objects.create(report=report, kind=Signature.Kind.LOCAL_AREA, **fields)
    assert report.signatures.filter(superseded_at__isnull=True).count() == 1


@pytest.mark.parametrize("slug", ["kernow-bsp-2021", "a_b-9", "UPPER-case", "élan", "x y"])
def test_a_report_address_is_what_reverse_writes(slug):
    """``report_address`` writes what ``reverse`` does, under any script prefix (a site served
    below a path) and for slugs of other letters too."""
    from django.urls import clear_script_prefix, reverse, set_script_prefix

    from reports.addresses import report_address

    def reversed_(slug):
        return reverse("reports:report-detail", kwargs={"slug": slug})

    try:
        for prefix in ("/", "/portal/", "/"):
            set_script_prefix(prefix)
            if re.fullmatch(r"[-\w]+", slug, re.ASCII):
                assert report_address(slug) == reversed_(slug)
                assert report_address(slug).startswith(prefix)
            else:  # reverse refuses a slug the URL's converter does not match; so does this
                with pytest.raises(NoReverseMatch):
                    reversed_(slug)
                with pytest.raises(NoReverseMatch):
                    report_address(slug)
    finally:
        clear_script_prefix()


def test_a_report_card_says_what_the_report_and_its_bsp_say(db):
    """``cards()`` reads as values what a card shows: the published edition's title, the BSP's
    facts (as the BSP's own ``facts_line`` writes them) and focus, and the dates."""
    published = make_cast(
        "Kernow",
        region="South West",
        status=Status.PUBLISHED,
        bsp_type=BSPType.COMPLEX,
        programme_year=2020,
        focus_as_stated="County lines",
    ).report
    make_cast("Draft area")  # not published: no card
    [card] = LearningReport.objects.published().cards()
    assert card.pk == published.pk
    assert card.get_absolute_url() == published.get_absolute_url()
    assert card.title == published.published_edition.title
    assert card.card_line == "South West · Complex BSP · 2020-21 · County lines"
    assert card.card_line == f"{published.bsp.facts_line} · County lines"
    # The date as the site's time zone has it (London's, not UTC's, in summer near midnight).
    assert card.card_dates == f"Published {localtime(published.published_at):%-d %B %Y}"
    assert (card.search_snippet, card.search_terms) == ("", "")
