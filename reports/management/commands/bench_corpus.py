"""A corpus of published reports for the benchmark (``make bench``, ``bench/run.py``).

``python manage.py bench_corpus --reports 10000`` makes sure that the database holds that many
generated, published reports, adding only the missing ones: generated BSPs are the ones whose local
area reads "Bench area 00042" (the number is the report's index), so running with 50, then 1000,
then 10000 reuses what is there. Everything is written with ``bulk_create`` a batch at a time
(one transaction per batch), never through the services, so no signal fires: the search documents
are built per batch (``search_index.update_search_documents``) and the public pages' cache is
emptied once at the end.

Each report is a BSP of one of the 9 regions (in a partnership of 8 BSPs, with local authorities
of its region and core partner agencies), of a programme year from 2019-20 to 2025-26, with
themes and methodologies; its sections are paragraphs of the two demo reports
(``reports/demo_content/``), chosen and named differently for every report, in the working copy
and in its first edition (with the edition's details table), signed by the local area and
countersigned, published by a "publish" event at a date after its programme year began.
"""

import datetime
import random
import re
import time
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from partnerships.models import (
    Agency,
    BespokeSupportProject,
    BSPType,
    DeliveryMode,
    LocalAuthority,
    Methodology,
    Partnership,
    PartnershipAgency,
    Region,
    Theme,
)
from reports import details, richtext
from reports.demo import DEMO_CONTENT
from reports.microsite.caching import clear_public_pages
from reports.microsite.search_index import update_search_documents
from reports.models import (
    Edition,
    EditionSection,
    LearningReport,
    ReportEvent,
    ReportSection,
    SectionStatus,
    Signature,
    Status,
    Transition,
    content_hash,
)
from reports.template_sections import SECTIONS

AREA_PREFIX = "Bench area "
PARTNERSHIP_PREFIX = "Bench partnership "
BSPS_PER_PARTNERSHIP = 8
YEARS = range(2019, 2026)
LONDON = ZoneInfo("Europe/London")
# A phrase found in few reports (one in RARE_EVERY), for the benchmark's "rare phrase" search.
RARE_PHRASE = "lantern audit"
RARE_EVERY = 1000
RARE_PARAGRAPH = (
    "<p>A lantern audit of late-night venues, run with the licensing team and the police, "
    "mapped where children were being seen after midnight.</p>"
)
AGENCY_KINDS = [
    "Police",
    "Integrated Care Board",
    "Children's Services",
    "Education Partnership",
    "Youth Justice Service",
    "Community Safety Partnership",
    "Voluntary Sector Forum",
    "Probation Service",
]
DEMO_NAMES = ("East Sussex", "Torbay")
_BLOCK_END = re.compile(r"(</(?:p|ul|ol|h[1-6]|blockquote)>)")


def area_name(index: int) -> str:
    return f"{AREA_PREFIX}{index:05d}"


def partnership_name(number: int) -> str:
    return f"{PARTNERSHIP_PREFIX}{number:04d}"


def section_pools() -> dict[str, list[str]]:
    """Each section's paragraphs (and lists, sub-headings) from the demo reports, sanitised."""
    pools: dict[str, list[str]] = {spec.key: [] for spec in SECTIONS}
    for folder in sorted(p for p in DEMO_CONTENT.iterdir() if p.is_dir()):
        for path in sorted(folder.glob("*.html")):
            if path.stem not in pools:
                continue
            parts = _BLOCK_END.split(path.read_text(encoding="utf-8"))
            blocks = ["".join(parts[i : i + 2]).strip() for i in range(0, len(parts), 2)]
            pools[path.stem].extend(
                richtext.sanitise(block) for block in blocks if richtext.to_text(block)
            )
    empty = [key for key, blocks in pools.items() if not blocks]
    if empty:
        raise CommandError(f"No demo text for the sections {empty} in {DEMO_CONTENT}")
    return pools


class Corpus:
    """What every generated report is made from, read once."""

    def __init__(self):
        self.pools = section_pools()
        self.regions = list(Region.objects.order_by("name"))
        if len(self.regions) != 9:
            raise CommandError("Expected England's 9 regions (from the migrations): migrate first.")
        self.themes = list(Theme.objects.order_by("name"))
        self.methodologies = list(Methodology.objects.order_by("name"))
        self.authorities: dict[int, list[int]] = {}
        for pk, region_id in LocalAuthority.objects.values_list("pk", "region_id"):
            self.authorities.setdefault(region_id, []).append(pk)
        names = [f"Bench {kind} {n:02d}" for kind in AGENCY_KINDS for n in range(1, 6)]
        Agency.objects.bulk_create([Agency(name=name) for name in names], ignore_conflicts=True)
        self.agencies = list(Agency.objects.filter(name__in=names).order_by("name"))
        self.now = timezone.now()

    def region_of(self, partnership_number: int) -> Region:
        return self.regions[partnership_number % len(self.regions)]

    def sections(self, index: int, rng: random.Random, title: str) -> dict[str, str]:
        chosen = {}
        joining = rng.random() < 0.6
        for spec in SECTIONS:
            if not spec.required:
                wanted = joining if spec.group else rng.random() < 0.6
                if not wanted:
                    continue
            pool = self.pools[spec.key]
            blocks = [block for block in pool if rng.random() < 0.5] or [rng.choice(pool)]
            if spec.key == "key_issues" and index % RARE_EVERY == 3:
                blocks.append(RARE_PARAGRAPH)
            body = "\n".join(blocks)
            for name in DEMO_NAMES:
                body = body.replace(name, title)
            chosen[spec.key] = body
        return chosen

    def published_at(self, year: int, rng: random.Random) -> datetime.datetime:
        start = datetime.datetime(year, 4, 1, 12, tzinfo=LONDON)
        moment = start + datetime.timedelta(days=rng.randint(150, 540), minutes=rng.randint(0, 600))
        latest = self.now - datetime.timedelta(days=1)
        return min(moment, latest - datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 90)))


class Command(BaseCommand):
    help = (
        "Make sure the database holds N generated, published reports for the benchmark "
        "(adds only the missing ones; generated BSPs have a local area 'Bench area 00042')."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, required=True, help="How many in all.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, reports, batch_size, **options):
        began = time.monotonic()
        existing = {
            int(local_area[len(AREA_PREFIX) :])
            for local_area in BespokeSupportProject.objects.filter(
                local_area__startswith=AREA_PREFIX
            ).values_list("local_area", flat=True)
        }
        missing = [index for index in range(reports) if index not in existing]
        self.stdout.write(
            f"Bench corpus: {len(existing)} generated report(s) already there, "
            f"{len(missing)} to add for {reports}."
        )
        if not missing:
            return
        corpus = Corpus()
        for start in range(0, len(missing), batch_size):
            batch = missing[start : start + batch_size]
            with transaction.atomic():
                self.make_batch(corpus, batch)
            done = start + len(batch)
            self.stdout.write(
                f"  {done}/{len(missing)} added ({time.monotonic() - began:.1f} s)", ending="\n"
            )
            self.stdout.flush()
        clear_public_pages()
        total = BespokeSupportProject.objects.filter(local_area__startswith=AREA_PREFIX).count()
        self.stdout.write(
            f"Bench corpus: {total} generated published reports; added {len(missing)} in "
            f"{time.monotonic() - began:.1f} s."
        )

    def partnerships(self, corpus: Corpus, numbers: set[int]) -> dict[int, Partnership]:
        names = {number: partnership_name(number) for number in numbers}
        found = {p.name: p for p in Partnership.objects.filter(name__in=names.values())}
        new = []
        for number, name in sorted(names.items()):
            if name not in found:
                new.append(
                    Partnership(
                        name=name,
                        slug=name.lower().replace(" ", "-"),
                        region=corpus.region_of(number),
                    )
                )
        if new:
            Partnership.objects.bulk_create(new)
            found.update({p.name: p for p in Partnership.objects.filter(name__in=names.values())})
            members, listed = [], []
            for partnership in new:
                partnership = found[partnership.name]
                number = int(partnership.name[len(PARTNERSHIP_PREFIX) :])
                rng = random.Random(f"partnership-{number}")  # noqa: S311  # nosec B311
                pool = corpus.authorities.get(partnership.region_id, [])
                for pk in rng.sample(pool, min(len(pool), rng.randint(1, 3))):
                    members.append(
                        Partnership.local_authorities.through(
                            partnership_id=partnership.pk, localauthority_id=pk
                        )
                    )
                agencies = rng.sample(corpus.agencies, rng.randint(3, 6))
                listed.extend(
                    PartnershipAgency(partnership=partnership, agency=agency, position=position)
                    for position, agency in enumerate(agencies)
                )
            Partnership.local_authorities.through.objects.bulk_create(members)
            PartnershipAgency.objects.bulk_create(listed)
        return {number: found[name] for number, name in names.items()}

    def make_batch(self, corpus: Corpus, batch: list[int]) -> None:
        partnerships = self.partnerships(corpus, {i // BSPS_PER_PARTNERSHIP for i in batch})
        # Seeded per report: the same index always makes the same report (not for secrets).
        rngs = {index: random.Random(f"report-{index}") for index in batch}  # noqa: S311  # nosec

        bsps = []
        for index in batch:
            rng = rngs[index]
            partnership = partnerships[index // BSPS_PER_PARTNERSHIP]
            year = YEARS[index % len(YEARS)]
            commenced = datetime.date(year, rng.randint(4, 12), 1)
            bsp_type = rng.choices(list(BSPType), weights=[6, 3, 1])[0]
            bsps.append(
                BespokeSupportProject(
                    partnership=partnership,
                    local_area=area_name(index),
                    region_id=partnership.region_id,
                    bsp_type=bsp_type,
                    delivery_mode=rng.choice([*DeliveryMode.values, ""]),
                    commenced=commenced,
                    programme_year=year,
                    number_of_local_authorities=(
                        rng.randint(2, 6) if bsp_type == BSPType.REGIONAL else 1
                    ),
                )
            )
        BespokeSupportProject.objects.bulk_create(bsps)
        themes, methods = [], []
        for bsp, index in zip(bsps, batch, strict=True):
            rng = rngs[index]
            chosen = rng.sample(corpus.themes, rng.randint(0, 3))
            bsp.focus_as_stated = " / ".join(t.name for t in chosen)
            themes.extend(
                BespokeSupportProject.themes.through(bespokesupportproject_id=bsp.pk, theme_id=t.pk)
                for t in chosen
            )
            methods.extend(
                BespokeSupportProject.methodologies.through(
                    bespokesupportproject_id=bsp.pk, methodology_id=m.pk
                )
                for m in rng.sample(corpus.methodologies, rng.randint(1, 3))
            )
        BespokeSupportProject.themes.through.objects.bulk_create(themes)
        BespokeSupportProject.methodologies.through.objects.bulk_create(methods)
        BespokeSupportProject.objects.bulk_update(bsps, ["focus_as_stated"])
        # Read back as the details table reads them: partnership, region, methodologies.
        bsps = list(
            BespokeSupportProject.objects.filter(pk__in=[b.pk for b in bsps])
            .select_related("partnership", "region")
            .prefetch_related("methodologies")
            .order_by("local_area")
        )
        agencies = {
            partnership.pk: partnership.agencies_in_order()
            for partnership in Partnership.objects.filter(
                pk__in={b.partnership_id for b in bsps}
            ).prefetch_related("memberships__agency")
        }

        reports, texts, published = [], {}, {}
        for bsp in bsps:
            index = int(bsp.local_area[len(AREA_PREFIX) :])
            rng = rngs[index]
            published[index] = corpus.published_at(bsp.programme_year, rng)
            texts[index] = corpus.sections(index, rng, bsp.local_area)
            reports.append(
                LearningReport(
                    bsp=bsp,
                    title=bsp.local_area,
                    slug=bsp.local_area.lower().replace(" ", "-"),
                    status=Status.PUBLISHED,
                    consent_to_publish=True,
                    published_at=published[index],
                )
            )
        LearningReport.objects.bulk_create(reports)

        sections, signatures, events, hashes = [], [], [], {}
        for report in reports:
            index = int(report.title[len(AREA_PREFIX) :])
            rng = rngs[index]
            own = [
                ReportSection(
                    report=report,
                    key=key,
                    body=body,
                    status=SectionStatus.COMPLETED,
                )
                for key, body in texts[index].items()
            ]
            sections.extend(own)
            hashes[report.pk] = content_hash(own)
            signed_on = (published[index] - datetime.timedelta(days=rng.randint(1, 20))).date()
            signatures.append(
                Signature(
                    report=report,
                    kind=Signature.Kind.LOCAL_AREA,
                    name=f"Local signatory {index}",
                    role="Partnership business manager",
                    signed_on=signed_on,
                    content_hash=hashes[report.pk],
                )
            )
            signatures.append(
                Signature(
                    report=report,
                    kind=Signature.Kind.TCE_LEAD,
                    name=f"TCE project lead {index % 12 + 1}",
                    role="TCE Project Lead",
                    signed_on=signed_on,
                    content_hash=hashes[report.pk],
                )
            )
            events.append(
                ReportEvent(
                    report=report,
                    transition=Transition.PUBLISH,
                    from_status=Status.COUNTERSIGNED,
                    to_status=Status.PUBLISHED,
                    comment="Published (benchmark corpus).",
                    content_hash=hashes[report.pk],
                    created_at=published[index],
                )
            )
        ReportSection.objects.bulk_create(sections)
        Signature.objects.bulk_create(signatures)
        ReportEvent.objects.bulk_create(events)

        editions = []
        for report, event, local, tce in zip(
            reports, events, signatures[0::2], signatures[1::2], strict=True
        ):
            bsp = report.bsp
            editions.append(
                Edition(
                    report=report,
                    number=1,
                    title=report.title,
                    details=[list(row) for row in details.rows(bsp, agencies[bsp.partnership_id])],
                    local_signature=local,
                    tce_signature=tce,
                    content_hash=hashes[report.pk],
                    published_at=event.created_at,
                    event=event,
                )
            )
        Edition.objects.bulk_create(editions)
        EditionSection.objects.bulk_create(
            EditionSection(edition=edition, key=key, body=body)
            for edition in editions
            for key, body in texts[int(edition.title[len(AREA_PREFIX) :])].items()
        )
        for report, edition in zip(reports, editions, strict=True):
            report.published_edition = edition
        LearningReport.objects.bulk_update(reports, ["published_edition"])
        update_search_documents([report.pk for report in reports], batch_size=len(reports))
