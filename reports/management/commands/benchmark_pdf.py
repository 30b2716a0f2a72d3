"""Render a report's PDF N times and print how long each render takes.

    python manage.py benchmark_pdf                    # East Sussex, 10 renders
    python manage.py benchmark_pdf torbay --runs 20
    python manage.py benchmark_pdf --compendium 2020  # the 2020-21 compendium

Renders in this process, without storing anything: the time is WeasyPrint's layout and PDF writing
plus building the HTML, which is what a background render costs. The first render is reported on
its own (it loads fonts and fills caches); the summary is over the others.
"""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError

from reports.models import LearningReport
from reports.pdfs import document, storage


class Command(BaseCommand):
    help = "Render a report's PDF (or a compendium) N times and print the timings."

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", default="east-sussex", help="the report's slug")
        parser.add_argument("--runs", type=int, default=10, help="renders to time (default 10)")
        parser.add_argument(
            "--compendium",
            type=int,
            metavar="YEAR",
            help="time the compendium of a programme year's published reports instead",
        )

    def handle(self, *args, slug, runs, compendium, **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        if compendium is not None:
            label = f"the {compendium} compendium"

            def source():
                reports = list(storage.compendium_reports(programme_year=compendium))
                if not reports:
                    raise CommandError(f"No published reports in programme year {compendium}.")
                return document.compendium_source(reports, programme_year=compendium)
        else:
            label = slug
            queryset = document.for_pdf(LearningReport.objects.all())
            if not queryset.filter(slug=slug).exists():
                raise CommandError(f"No report {slug!r} (load the demo data: make seed).")

            def source():
                return document.report_source(queryset.get(slug=slug))

        timings = []
        for run in range(runs + 1):
            started = time.perf_counter()
            rendered = document.render(source())
            timings.append(time.perf_counter() - started)
            if run == 0:
                self.stdout.write(
                    f"{label}: {rendered.pages} pages, {len(rendered.content) / 1024:.0f} KiB; "
                    f"first render {timings[0]:.2f} s"
                )
            else:
                self.stdout.write(f"  render {run}: {timings[-1]:.3f} s")
        warm = timings[1:]
        self.stdout.write(
            f"{runs} renders: median {statistics.median(warm):.2f} s, "
            f"mean {statistics.mean(warm):.2f} s, min {min(warm):.2f} s, max {max(warm):.2f} s"
        )
