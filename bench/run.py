"""The benchmark of the public pages: ``make bench`` (= ``.venv/bin/python bench/run.py``).

1. Starts a throwaway PostgreSQL 15 cluster (or uses ``$DATABASE_URL`` if set), migrates, creates
   the cache table and collects the static files (into a temporary folder).
2. For each corpus size (50, then ``BENCH_REPORTS``, 10,000 by default): builds the corpus
   (``manage.py bench_corpus``), renders one report's PDF and counts each page's SQL queries
   in-process (the test client and ``CaptureQueriesContext``, the page cache emptied first), then
   serves the portal with gunicorn (2 workers, ``DEBUG`` off, ``bench.settings``) and times every
   page with a small concurrent HTTP client, uncached (each request to an address of its own,
   which the page cache has never seen: ``missing``) and cached, at concurrency 1 and 4.
3. Prints the tables, with the targets (p95 uncached at most 10 times the one-query baseline's
   p95, cached at most 2 times; the same query count at every size), writes
   ``bench/results/latest.json`` and stops the cluster.

Settings (environment): ``BENCH_REPORTS`` (10000), ``BENCH_REQUESTS`` (requests per cell, 100:
a p95 is then the 95th of 100, where of 40 it was the 38th, and two slow requests failed a
cell), ``BENCH_CELL_SECONDS`` (a cell stops starting requests after this long, 8), ``BENCH_TIMEOUT``
(seconds the client waits for one response, 40), ``DATABASE_URL`` (use this database instead of
a throwaway cluster: the generated reports are added to it).

Run with the project's virtual environment's python from anywhere; it needs root (or the
``postgres`` user's rights) only to start the throwaway cluster.
"""

import contextlib
import http.client
import itertools
import json
import math
import os
import platform
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

# Every subprocess runs a fixed command (PostgreSQL's tools, manage.py, gunicorn): S603 is noise.
# ruff: noqa: S603

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
GUNICORN = Path(PY).with_name("gunicorn")

REPORTS = int(os.environ.get("BENCH_REPORTS", "10000"))
SIZES = sorted({50, REPORTS}) if REPORTS > 50 else [REPORTS]
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
CELL_SECONDS = float(os.environ.get("BENCH_CELL_SECONDS", "8"))
WARM_UP = 4  # untimed requests to each page before its cells (two a worker)
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "40"))
CONCURRENCY = (1, 4)
UNCACHED_TARGET = 10.0  # p95 uncached <= 10 x the one-query baseline's p95
CACHED_TARGET = 2.0  # p95 cached <= 2 x the one-query baseline's p95
# The targets are for the public HTML pages; the downloads are measured and shown beside them.
DOWNLOADS = ("reports.csv", "report PDF")
MEMORY_TARGET_MB = 300  # the peak resident memory of a gunicorn worker
MIXED_SECONDS = float(os.environ.get("BENCH_MIXED_SECONDS", "20"))
FILL_WAIT_SECONDS = 0.2  # after the untimed request that fills the page cache for a cached cell
MIXED_READERS = 3
MIXED_AUTHORS = 2
MIXED_PAGES = (
    "home",
    "listing page 1",
    "search common word",
    "search rare phrase",
    "report page",
    "region page",
    "partnership page",
    "programme figures",
    "learning by section",
    "sitemap",
    "report PDF",
)
BASELINE = "baseline: one query"
BASELINES = ("baseline: minimal", BASELINE)


def log(message: str) -> None:
    print(message, flush=True)


# -- The database ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A throwaway PostgreSQL cluster with trust authentication on a free loopback port."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="tce-bench-pg."))
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self.started = False

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/tce"

    def _run(self, *args):
        subprocess.run(
            [*self.as_postgres, *args], check=True, stdout=subprocess.DEVNULL, cwd=self.dir
        )

    def start(self):
        self._run(
            str(PG_BIN / "initdb"),
            *("-D", str(self.dir / "data"), "-U", "postgres", "--auth=trust"),
            *("-E", "UTF8", "--locale=C.UTF-8"),
        )
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._run(
            str(PG_BIN / "pg_ctl"),
            *("-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-o", options),
            *("-w", "start"),
        )
        self.started = True
        subprocess.run(
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-Upostgres",
                "tce",
            ],
            check=True,
        )

    def stop(self):
        if self.started:
            data = str(self.dir / "data")
            subprocess.run(
                [*self.as_postgres, str(PG_BIN / "pg_ctl"), "-D", data, "-m", "fast", "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)


# -- The portal -----------------------------------------------------------------------------------


def manage(env, *args) -> float:
    began = time.monotonic()
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)
    return time.monotonic() - began


class Server:
    """gunicorn serving the portal (with the bench URLs) on a free port."""

    def __init__(self, env, log_path: Path):
        self.port = free_port()
        self.log_path = log_path
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": "2"}
        self.process = None

    def start(self):
        self.log_file = self.log_path.open("w")
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", "tce_portal.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log_path}")
            try:
                if get(self.port, "/bench/minimal", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 60 s: see {self.log_path}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self.log_file.close()
        self.process = None


# -- The HTTP client ------------------------------------------------------------------------------


def get(port: int, path: str, timeout: float = TIMEOUT) -> tuple[int, int]:
    """GET a path on a new connection (as gunicorn's sync workers serve): (status, bytes)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "identity"})
        response = connection.getresponse()
        size = len(response.read())
        return response.status, size
    finally:
        connection.close()


def autosave(port: int, author: dict, text: str) -> tuple[int, int | None]:
    """POST one autosave of a section, as the editor's htmx does: (status, the new version)."""
    body = urlencode(
        {"body": f"<p>{text}</p>", "based_on_version": author["version"], "completed": "no"}
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request(
            "POST",
            author["path"],
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"{author['session_cookie']}={author['session']}; "
                f"csrftoken={author['csrf']}",
                "X-CSRFToken": author["csrf"],
                "HX-Request": "true",
                "Accept-Encoding": "identity",
            },
        )
        response = connection.getresponse()
        page = response.read().decode(errors="replace")
        saved = re.search(r'name="based_on_version"[^>]*value="(\d+)"', page)
        return response.status, int(saved.group(1)) if saved and "Saved at" in page else None
    finally:
        connection.close()


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


_misses = itertools.count()


def missing(path: str) -> str:
    """``path`` with a query parameter of its own (``bench-miss``, which no view reads): an
    address the page cache has never seen, so the page is rendered afresh. (Emptying the cache
    before each request would race with the previous page's write, which the portal makes once
    the page has been sent: the next request could find it.)"""
    return f"{path}{'&' if '?' in path else '?'}bench-miss={next(_misses)}"


def warm_up(port: int, path: str) -> None:
    """``WARM_UP`` untimed uncached requests to a page from two threads, so that each worker
    has served it once before it is timed (a worker's first request to a page finds its
    database connection's catalogue of those tables not yet read: 5-10 ms more, once)."""

    def requests():
        for _ in range(WARM_UP // 2):
            with contextlib.suppress(OSError, http.client.HTTPException):
                get(port, missing(path))

    threads = [threading.Thread(target=requests) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure_cell(port: int, path: str, *, cached: bool, concurrency: int) -> dict:
    """Up to REQUESTS requests (at least one per thread) from ``concurrency`` threads, stopping
    after CELL_SECONDS. Uncached: each request to an address of its own (``missing``)."""
    with contextlib.suppress(OSError, http.client.HTTPException):
        get(port, "/bench/clear-cache")  # the table as small as it starts: not timed
        if cached:
            # Fill the cache (not timed). The portal writes the page once it has been sent, so
            # the first timed request, on the other worker, could come before the write and
            # find nothing: wait for it (a few milliseconds) before timing.
            get(port, path)
            time.sleep(FILL_WAIT_SECONDS)
    lock = threading.Lock()
    issued = [0]
    samples: list[tuple[float, int | str, int]] = []
    began = time.monotonic()

    def worker():
        while True:
            with lock:
                out_of_time = time.monotonic() - began > CELL_SECONDS
                if issued[0] >= REQUESTS or (out_of_time and issued[0] >= concurrency):
                    return
                issued[0] += 1
            start = time.perf_counter()
            try:
                status, size = get(port, path if cached else missing(path))
            except (OSError, http.client.HTTPException) as error:
                status, size = type(error).__name__, 0
            elapsed = time.perf_counter() - start
            with lock:
                samples.append((elapsed, status, size))

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began
    latencies = [s[0] for s in samples]
    statuses: dict[str, int] = {}
    for _, status, _ in samples:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "requests": len(samples),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "throughput_rps": round(len(samples) / wall, 2) if wall else None,
        "statuses": statuses,
        "bytes": max((s[2] for s in samples), default=0),
        "wall_s": round(wall, 2),
    }


def worker_memory_mb(master_pid: int) -> list[float]:
    """The peak resident memory (VmHWM) of each worker of the gunicorn ``master_pid``, in MB."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
            if int(fields["PPid"]) == master_pid and "VmHWM" in fields:
                peaks.append(round(int(fields["VmHWM"].split()[0]) / 1024, 1))
    return sorted(peaks)


def mixed_load(port: int, pages: dict, authors: list[dict]) -> dict:
    """For MIXED_SECONDS: MIXED_READERS threads read public pages (chosen at random, the page
    cache as it comes), while MIXED_AUTHORS threads each autosave a section of a report under
    revision, one save after another. Every response must be a 200 (an autosave's conflict
    would be a 200 saying "Not saved", counted as an error here: each author owns a section)."""
    deadline = time.monotonic() + MIXED_SECONDS
    lock = threading.Lock()
    reads: list[float] = []
    saves: list[float] = []
    errors: dict[str, int] = {}

    def count_error(kind: str) -> None:
        with lock:
            errors[kind] = errors.get(kind, 0) + 1

    def reader(seed: int):
        chooser = random.Random(seed)  # noqa: S311 - which page to read next, not a secret
        while time.monotonic() < deadline:
            path = pages[chooser.choice(MIXED_PAGES)]["path"]
            start = time.perf_counter()
            try:
                status, _ = get(port, path)
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
            elapsed = time.perf_counter() - start
            with lock:
                reads.append(elapsed)
            if status != 200:
                count_error(f"read {status}")

    def author(person: dict):
        n = 0
        while time.monotonic() < deadline:
            n += 1
            start = time.perf_counter()
            try:
                status, version = autosave(port, person, f"Autosave {n} by {person['email']}.")
            except (OSError, http.client.HTTPException) as error:
                status, version = type(error).__name__, None
            elapsed = time.perf_counter() - start
            with lock:
                saves.append(elapsed)
            if status != 200 or version is None:
                count_error(f"autosave {status}" + ("" if version else " not saved"))
            else:
                person["version"] = version
            time.sleep(0.2)  # an editor saves after a pause in typing, not in a tight loop

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(MIXED_READERS)]
    threads += [threading.Thread(target=author, args=(a,)) for a in authors[:MIXED_AUTHORS]]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began

    def summary(samples):
        return {
            "requests": len(samples),
            "p50_ms": round((percentile(samples, 0.50) or 0) * 1000, 1),
            "p95_ms": round((percentile(samples, 0.95) or 0) * 1000, 1),
            "p99_ms": round((percentile(samples, 0.99) or 0) * 1000, 1),
            "throughput_rps": round(len(samples) / wall, 1),
        }

    return {
        "seconds": round(wall, 1),
        "readers": MIXED_READERS,
        "authors": min(MIXED_AUTHORS, len(authors)),
        "reads": summary(reads),
        "autosaves": summary(saves),
        "errors": errors,
    }


# -- In-process: the pages, their query counts, the PDF ----------------------------------------


def probe(output: Path) -> None:
    """Run with Django set up (``--probe FILE``): render the PDF of the first generated report,
    find each page's address and count the queries of an uncached request to it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from reports.microsite import summary
    from reports.microsite.caching import empty_page_cache
    from reports.models import LearningReport, ReportPdf
    from reports.pdfs.tasks import queue_edition_pdf

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would soon after a bulk load
        # and the bulk load's pages written out now, as a checkpoint would in the next minutes,
        # not while the pages are timed
        cursor.execute("CHECKPOINT")

    report = LearningReport.objects.select_related("bsp__region", "bsp__partnership").get(
        slug="bench-area-00000"
    )
    pdf_began = time.monotonic()
    queue_edition_pdf(report.published_edition_id)  # immediate back end: renders now if needed
    pdf = ReportPdf.objects.filter(edition_id=report.published_edition_id).first()
    pdf_seconds = time.monotonic() - pdf_began
    slug = {"slug": report.slug}
    pages = {
        "home": reverse("reports:home"),
        "listing page 1": reverse("reports:report-list"),
        "search common word": reverse("reports:report-list") + "?q=exploitation",
        "search rare phrase": reverse("reports:report-list") + "?q=%22lantern+audit%22",
        "report page": reverse("reports:report-detail", kwargs=slug),
        "region page": reverse("reports:region-detail", kwargs={"slug": report.bsp.region.slug}),
        "partnership page": reverse(
            "reports:partnership-detail", kwargs={"slug": report.bsp.partnership.slug}
        ),
        "programme figures": reverse("reports:programme"),
        "learning by section": reverse("reports:learning"),
        "sitemap": reverse("reports:sitemap"),
        "reports.csv": reverse("reports:data-reports-csv"),
        "report PDF": reverse("reports:report-pdf", kwargs=slug),
        "baseline: minimal": "/bench/minimal",
        BASELINE: "/bench/one-query",
    }
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)

    def uncached_request(path):
        empty_page_cache()
        began = time.monotonic()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            if response.streaming:
                size = sum(len(chunk) for chunk in response.streaming_content)
            else:
                size = len(response.content)
        return response, size, len(queries), round((time.monotonic() - began) * 1000, 1)

    # First as after a change (a publication): no page cached, no figure stored, so each page
    # works out the figures about the whole corpus that it is the first to need...
    summary.forget()
    after_change = {name: uncached_request(path)[2:] for name, path in pages.items()}
    # ...then as every uncached request after that one: the figures stored.
    found = {}
    for name, path in pages.items():
        response, size, queries, ms = uncached_request(path)
        found[name] = {
            "path": path,
            "queries": queries,
            "status": response.status_code,
            "bytes": size,
            "in_process_ms": ms,
            "after_change_queries": after_change[name][0],
            "after_change_ms": after_change[name][1],
        }
    empty_page_cache()
    result = {
        "search_plans": _search_plans(client, pages),
        "authors": _mixed_load_authors(),
        "published_reports": LearningReport.objects.published().count(),
        "pdf": {
            "rendered": bool(pdf and pdf.is_rendered),
            "pages": pdf.pages if pdf else 0,
            "bytes": pdf.size if pdf else 0,
            "seconds": round(pdf_seconds, 2),
        },
        "pages": found,
    }
    output.write_text(json.dumps(result, indent=2))


SEARCH_PAGES = ("search common word", "search rare phrase")


def _search_plans(client, pages: dict) -> dict:
    """For each search page: how many of its queries search the reports (``@@``) and how many of
    those PostgreSQL ran with a sequential scan of the reports table, as its own auto_explain
    reports the plans actually run."""
    from django.db import DatabaseError, connection

    from reports.microsite.caching import empty_page_cache

    found = {}
    for name in SEARCH_PAGES:
        empty_page_cache()
        connection.ensure_connection()
        notices = connection.connection.notices = []
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "LOAD 'auto_explain'"
                )  # a superuser's right: the throwaway cluster's
        except DatabaseError:
            return {}  # another database's user may not load it: the table says nothing
        with connection.cursor() as cursor:
            cursor.execute("SET auto_explain.log_min_duration = 0")
            cursor.execute("SET client_min_messages = log")
        try:
            client.get(pages[name])
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET client_min_messages = notice")
                cursor.execute("SET auto_explain.log_min_duration = -1")
        searched = [plan for plan in notices if "@@" in plan and "reports_learningreport" in plan]
        scans = [plan for plan in searched if "Seq Scan on reports_learningreport" in plan]
        found[name] = {"search_queries": len(searched), "sequential_scans": len(scans)}
    return found


def _mixed_load_authors() -> list[dict]:
    """Delivery partners, each revising a generated report (its edition stays published), signed
    in: what the mixed load's authors need to autosave a section over HTTP."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from django.utils.crypto import get_random_string

    from accounts.models import Role, User
    from reports.models import LearningReport, ReportSection, Status
    from reports.signoff import services as signoff_services

    authors = []
    for n in range(1, MIXED_AUTHORS + 1):
        report = LearningReport.objects.select_related("bsp").get(slug=f"bench-area-{n:05d}")
        email = f"bench-author-{n}@example.org"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, full_name=f"Bench author {n}", role=Role.DELIVERY_PARTNER
        )
        report.bsp.delivery_partners.add(user)
        if report.status == Status.PUBLISHED:
            signoff_services.start_revision(report=report, actor=user, reason="Bench mixed load")
        client = Client()
        client.force_login(user)
        section = ReportSection.objects.filter(report=report, key="reasons").first()
        authors.append(
            {
                "email": email,
                "path": reverse(
                    "reports:section-edit", kwargs={"slug": report.slug, "key": "reasons"}
                ),
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "csrf": get_random_string(32),
                "version": section.version if section else 0,
            }
        )
    return authors


# -- The report -----------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def fmt_ms(value) -> str:
    if value is None:
        return "-"
    return (
        f"{value / 1000:.2f}s"
        if value >= 10000
        else f"{value:.0f}ms"
        if value >= 100
        else (f"{value:.1f}ms")
    )


def evaluate(results: dict) -> list[dict]:
    """PASS/FAIL of every target, for every size."""
    checks = []
    for size, run in results["sizes"].items():
        timings = run["timings"]
        for concurrency in CONCURRENCY:
            c = str(concurrency)
            base = timings[BASELINE][c]["uncached"]["p95_ms"]
            for name, cells in timings.items():
                if name in BASELINES or name in DOWNLOADS:
                    continue
                for mode, limit in (("uncached", UNCACHED_TARGET), ("cached", CACHED_TARGET)):
                    cell = cells[c][mode]
                    ratio = cell["p95_ms"] / base if base else None
                    ok_status = set(cell["statuses"]) == {"200"}
                    checks.append(
                        {
                            "size": int(size),
                            "page": name,
                            "concurrency": concurrency,
                            "mode": mode,
                            "p95_ms": cell["p95_ms"],
                            "ratio": round(ratio, 1) if ratio is not None else None,
                            "limit": limit,
                            "pass": ok_status and ratio is not None and ratio <= limit,
                            "statuses": cell["statuses"],
                        }
                    )
    for size, run in results["sizes"].items():
        peak = max(run.get("worker_peak_mb") or [0])
        checks.append(
            {
                "size": int(size),
                "target": "worker memory",
                "peak_mb": peak,
                "limit_mb": MEMORY_TARGET_MB,
                "pass": 0 < peak <= MEMORY_TARGET_MB,
            }
        )
        if "mixed" in run:
            mixed = run["mixed"]
            checks.append(
                {
                    "size": int(size),
                    "target": "mixed load",
                    "errors": mixed["errors"],
                    "pass": not mixed["errors"]
                    and mixed["reads"]["requests"] > 0
                    and mixed["autosaves"]["requests"] > 0,
                }
            )
        for name, plans in run.get("search_plans", {}).items():
            checks.append(
                {
                    "size": int(size),
                    "target": "no sequential scan of reports",
                    "page": name,
                    **plans,
                    "pass": plans["search_queries"] > 0 and plans["sequential_scans"] == 0,
                }
            )
    sizes = list(results["sizes"])
    first, last = results["sizes"][sizes[0]], results["sizes"][sizes[-1]]
    for name, page in last["pages"].items():
        if name in BASELINES:
            continue
        checks.append(
            {
                "page": name,
                "target": "queries",
                "queries": {
                    size: results["sizes"][size]["pages"][name]["queries"] for size in sizes
                },
                # Never more at 10,000 than at 50 (a search matching more than
                # filters.FACET_COUNT_LIMIT reports makes one query fewer: no facet counts).
                "pass": page["queries"] <= first["pages"][name]["queries"],
            }
        )
    return checks


def table(results: dict) -> str:
    lines = []
    sizes = list(results["sizes"])
    for size in sizes:
        run = results["sizes"][size]
        timings = run["timings"]
        lines.append("")
        lines.append(
            f"### {int(size):,} published reports (p50 / p95 per request; ×base = p95 / the "
            "one-query baseline's p95 at the same concurrency)"
        )
        lines.append("")
        header = (
            f"{'page':<20} {'c':>1}  {'uncached p50':>12} {'p95':>8} {'×base':>7} {'':4}  "
            f"{'cached p50':>10} {'p95':>8} {'×base':>7} {'':4}  {'req/s u/c':>11}  status"
        )
        lines.append(header)
        lines.append("-" * len(header))
        for name, cells in timings.items():
            for concurrency in CONCURRENCY:
                c = str(concurrency)
                base = timings[BASELINE][c]["uncached"]["p95_ms"]
                row = f"{name:<20} {c:>1}  "
                notes = []
                rates = []
                for mode, limit in (("uncached", UNCACHED_TARGET), ("cached", CACHED_TARGET)):
                    cell = cells[c][mode]
                    ratio = cell["p95_ms"] / base if base else 0
                    ok = set(cell["statuses"]) == {"200"} and ratio <= limit
                    mark = "" if name in BASELINES else "n/a" if name in DOWNLOADS else verdict(ok)
                    width = 12 if mode == "uncached" else 10
                    row += (
                        f"{fmt_ms(cell['p50_ms']):>{width}} {fmt_ms(cell['p95_ms']):>8} "
                        f"{ratio:>6.1f}× {mark:4}  "
                    )
                    rates.append(f"{cell['throughput_rps']:.1f}")
                    if set(cell["statuses"]) != {"200"}:
                        notes.append(
                            f"{mode}: "
                            + ", ".join(f"{k}×{v}" for k, v in sorted(cell["statuses"].items()))
                        )
                    elif cell["requests"] < REQUESTS:
                        notes.append(f"{mode}: {cell['requests']} req")
                row += f"{'/'.join(rates):>11}  " + ("; ".join(notes) or "200")
                lines.append(row)
    lines.append("")
    lines.append(
        f"(The downloads, {' and '.join(DOWNLOADS)}, are not HTML pages: measured, no target. "
        "The CSV is streamed as it is read, so its time is that of the whole file.)"
    )
    lines.append("")
    lines.append(
        f"### Memory: peak resident memory of each gunicorn worker (target ≤ {MEMORY_TARGET_MB} MB)"
    )
    lines.append("")
    for size in sizes:
        peaks = results["sizes"][size].get("worker_peak_mb") or []
        ok = bool(peaks) and max(peaks) <= MEMORY_TARGET_MB
        lines.append(
            f"{int(size):>8,} reports: {', '.join(f'{p:.0f} MB' for p in peaks)}  {verdict(ok)}"
        )
    mixed = [
        (size, results["sizes"][size]["mixed"])
        for size in sizes
        if "mixed" in results["sizes"][size]
    ]
    for size, m in mixed:
        lines.append("")
        lines.append(
            f"### Mixed load at {int(size):,} reports: {m['readers']} readers of public pages "
            f"and {m['authors']} authors autosaving, {m['seconds']:g} s"
        )
        lines.append("")
        for label, key in (("public pages", "reads"), ("autosaves", "autosaves")):
            r = m[key]
            lines.append(
                f"{label:<13} {r['requests']:>6} requests  p50 {fmt_ms(r['p50_ms']):>7}  "
                f"p95 {fmt_ms(r['p95_ms']):>7}  p99 {fmt_ms(r['p99_ms']):>7}  "
                f"{r['throughput_rps']:g} req/s"
            )
        errors = ", ".join(f"{k}×{v}" for k, v in sorted(m["errors"].items())) or "none"
        lines.append(f"errors: {errors}  {verdict(not m['errors'])}")
    lines.append("")
    lines.append(
        "### Search plans (auto_explain, as run): queries that search the reports, and those "
        "that read the whole reports table"
    )
    lines.append("")
    for size in sizes:
        for name, plans in results["sizes"][size].get("search_plans", {}).items():
            ok = plans["search_queries"] > 0 and plans["sequential_scans"] == 0
            lines.append(
                f"{int(size):>8,} reports  {name:<20} {plans['search_queries']:>3} search "
                f"queries, {plans['sequential_scans']} sequential scan(s)  {verdict(ok)}"
            )
    lines.append("")
    lines.append(
        "### SQL queries of an uncached request (in-process, test client), and of the first "
        "request after a change"
    )
    lines.append("")
    header = (
        f"{'page':<20} "
        + " ".join(f"{int(s):>8,}" for s in sizes)
        + "  bound?  "
        + f"{'after a change: queries, ms':>28}  size"
    )
    lines.append(header)
    lines.append("-" * len(header))
    last = results["sizes"][sizes[-1]]["pages"]
    for name in last:
        counts = [results["sizes"][s]["pages"][name]["queries"] for s in sizes]
        same = "" if name in BASELINES else verdict(counts[-1] <= counts[0])
        size_text = " → ".join(
            f"{results['sizes'][s]['pages'][name]['bytes'] / 1024:,.0f} KiB" for s in sizes
        )
        page = last[name]
        after = (
            " → ".join(
                f"{results['sizes'][s]['pages'][name].get('after_change_queries', '?')}"
                for s in sizes
            )
            + f", {page.get('after_change_ms', 0):,.0f} ms"
        )
        lines.append(
            f"{name:<20} "
            + " ".join(f"{n:>8}" for n in counts)
            + f"  {same:6}  {after:>28}  {size_text}"
        )
    return "\n".join(lines)


# -- The run --------------------------------------------------------------------------------------


def main() -> int:
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="tce-bench."))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "TASKS_BACKEND": "immediate",
        "SECURE_SSL_REDIRECT": "false",
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    cluster = None
    server = None
    RESULTS.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
        },
        "settings": {
            "requests_per_cell": REQUESTS,
            "cell_seconds": CELL_SECONDS,
            "timeout_s": TIMEOUT,
            "concurrency": list(CONCURRENCY),
            "gunicorn_workers": 2,
        },
        "steps_s": {},
        "sizes": {},
    }
    try:
        if os.environ.get("DATABASE_URL"):
            log("Using $DATABASE_URL")
            results["database"] = "DATABASE_URL"
        else:
            cluster = Cluster()
            cluster.start()
            env["DATABASE_URL"] = cluster.url
            results["database"] = "throwaway PostgreSQL 15 cluster"
            log(f"PostgreSQL cluster on port {cluster.port} ({time.monotonic() - began:.1f} s)")
        results["steps_s"]["migrate"] = round(manage(env, "migrate", "--noinput", "-v", "0"), 1)
        manage(env, "createcachetable")
        results["steps_s"]["collectstatic"] = round(
            manage(env, "collectstatic", "--noinput", "-v", "0"), 1
        )
        log(f"Migrated and collected static files ({time.monotonic() - began:.1f} s)")
        for size in SIZES:
            log(f"\n== {size:,} reports")
            seconds = manage(env, "bench_corpus", "--reports", str(size))
            results["steps_s"][f"corpus_{size}"] = round(seconds, 1)
            probe_file = work / f"probe-{size}.json"
            probe_began = time.monotonic()
            subprocess.run([PY, __file__, "--probe", str(probe_file)], env=env, check=True)
            run = json.loads(probe_file.read_text())
            results["steps_s"][f"probe_{size}"] = round(time.monotonic() - probe_began, 1)
            log(
                f"Queries counted, PDF rendered: {run['pdf']} "
                f"({time.monotonic() - probe_began:.1f} s)"
            )
            server = Server(env, RESULTS / f"gunicorn-{size}.log")
            server.start()
            timing_began = time.monotonic()
            run["timings"] = {}
            for name, page in run["pages"].items():
                run["timings"][name] = {}
                if name not in DOWNLOADS:
                    warm_up(server.port, page["path"])
                for concurrency in CONCURRENCY:
                    cells = {}
                    for mode in ("uncached", "cached"):
                        cells[mode] = measure_cell(
                            server.port,
                            page["path"],
                            cached=mode == "cached",
                            concurrency=concurrency,
                        )
                    run["timings"][name][str(concurrency)] = cells
                    log(
                        f"  {name:<20} c={concurrency}: "
                        f"uncached p95 {fmt_ms(cells['uncached']['p95_ms'])}, "
                        f"cached p95 {fmt_ms(cells['cached']['p95_ms'])} "
                        f"({time.monotonic() - began:.0f} s)"
                    )
            if size == SIZES[-1] and MIXED_SECONDS > 0:
                run["mixed"] = mixed_load(server.port, run["pages"], run["authors"])
                log(f"  mixed load: {run['mixed']}")
            run["worker_peak_mb"] = worker_memory_mb(server.process.pid)
            log(f"  gunicorn workers' peak memory: {run['worker_peak_mb']} MB")
            server.stop()
            text = server.log_path.read_text(errors="replace")
            run["gunicorn"] = {
                "worker_timeouts": text.count("WORKER TIMEOUT"),
                "tracebacks": text.count("Traceback"),
                "log": str(server.log_path.relative_to(ROOT)),
            }
            server = None
            results["steps_s"][f"http_{size}"] = round(time.monotonic() - timing_began, 1)
            results["sizes"][str(size)] = run
        results["checks"] = evaluate(results)
        results["table"] = table(results)
        results["total_s"] = round(time.monotonic() - began, 1)
        (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
        log(results["table"])
        failed = [c for c in results["checks"] if not c["pass"]]
        log(
            f"\nTargets: {len(results['checks']) - len(failed)} pass, {len(failed)} fail "
            f"(uncached p95 ≤ {UNCACHED_TARGET:g}× and cached p95 ≤ {CACHED_TARGET:g}× the "
            "one-query baseline's p95, with every response a 200; no more queries at the last "
            "size than at the first)."
        )
        for size, run in results["sizes"].items():
            g = run["gunicorn"]
            log(
                f"gunicorn at {int(size):,} reports: {g['worker_timeouts']} worker timeout(s), "
                f"{g['tracebacks']} traceback(s) in {g['log']}"
            )
        log(f"Steps (s): {results['steps_s']}")
        log(f"Total: {results['total_s']:.0f} s. Written: bench/results/latest.json")
        return 0
    finally:
        if server is not None:
            server.stop()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--probe":
        probe(Path(sys.argv[2]))
    else:
        sys.exit(main())
