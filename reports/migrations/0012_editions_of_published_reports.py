"""Every report published (or withdrawn after publication) before editions existed gets its first
edition: its content as it stands, with the signatures it carries. Stored PDFs become that
edition's; the PDF of a report without an edition is dropped (it is rendered again on demand)."""

import hashlib

from django.db import migrations
from django.utils.dateformat import format as format_date

from reports.template_sections import SECTION_KEYS


def _content_hash(sections):
    digest = hashlib.sha256()
    for section in sorted(sections, key=lambda s: SECTION_KEYS.index(s.key)):
        for part in (section.key, section.body):
            digest.update(part.encode())
            digest.update(b"\x00")
    return digest.hexdigest()


def _details(apps, bsp):
    # As reports.details.rows, with the historical models (which have no custom methods).
    PartnershipAgency = apps.get_model("partnerships", "PartnershipAgency")
    agencies = bsp.agencies_as_stated or "; ".join(
        m.agency.name
        for m in PartnershipAgency.objects.filter(partnership_id=bsp.partnership_id)
        .select_related("agency")
        .order_by("position")
    )
    methodologies = bsp.methodology_as_stated or ", ".join(
        m.name for m in bsp.methodologies.order_by("name")
    )
    delivery = bsp.delivery_mode_as_stated or bsp.get_delivery_mode_display()
    commenced = bsp.commenced_as_stated or (
        format_date(bsp.commenced, "F Y") if bsp.commenced else ""
    )
    return [
        ["Partnership name", bsp.partnership.name],
        ["Core partner agencies involved", agencies or "Not recorded"],
        [
            "Number of local authority areas covered",
            bsp.local_authorities_as_stated or str(bsp.number_of_local_authorities),
        ],
        ["Regional area", bsp.regional_area_as_stated or bsp.region.name],
        ["BSP size", bsp.size or bsp.get_bsp_type_display()],
        ["BSP methodology / methodologies", methodologies or "Not recorded"],
        ["Digital / face to face / mixed delivery", delivery or "Not recorded"],
        ["Date BSP commenced", commenced or "Not recorded"],
    ]


def first_editions(apps, schema_editor):
    LearningReport = apps.get_model("reports", "LearningReport")
    Edition = apps.get_model("reports", "Edition")
    EditionSection = apps.get_model("reports", "EditionSection")
    ReportPdf = apps.get_model("reports", "ReportPdf")
    reports = LearningReport.objects.filter(
        status__in=["published", "withdrawn"], published_at__isnull=False
    ).select_related("bsp__partnership", "bsp__region")
    for report in reports:
        signatures = {
            s.kind: s for s in report.signatures.filter(superseded_at__isnull=True)
        }
        if set(signatures) != {"local_area", "tce_lead"}:
            continue
        sections = list(report.sections.all())
        event = (
            report.events.filter(transition="publish").order_by("-created_at", "-pk").first()
        )
        edition = Edition.objects.create(
            report=report,
            number=1,
            title=report.title,
            details=_details(apps, report.bsp),
            local_signature=signatures["local_area"],
            tce_signature=signatures["tce_lead"],
            content_hash=_content_hash(sections),
            published_at=report.published_at,
            published_by=event.actor if event else None,
            event=event,
        )
        EditionSection.objects.bulk_create(
            EditionSection(edition=edition, key=s.key, body=s.body) for s in sections
        )
        report.published_edition = edition
        report.save(update_fields=["published_edition"])
        ReportPdf.objects.filter(report=report).update(edition=edition)
    ReportPdf.objects.filter(edition__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0011_editions")]

    operations = [migrations.RunPython(first_editions, migrations.RunPython.noop)]
