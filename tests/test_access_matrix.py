"""The access matrix: every named URL of the portal, opened (GET) by every kind of visitor, with
the exact status code each must get.

The URLs are read from the URL conf (``tce_portal.urls``, walked recursively through its
namespaces), not listed by hand: a URL without a row in ``EXPECTED`` fails with its name, so
nobody adds a page without saying who may open it. A row in ``EXPECTED`` that no longer names a
URL fails too.

Excluded: the ``admin:`` namespace as a whole (Django's admin has its own permission system,
``is_staff`` and model permissions, and its own tests).

The visitors (columns of ``EXPECTED``):

- ``anonymous``: nobody signed in;
- ``delivery_partner``: assigned to the report's BSP;
- ``local_lead``: a local lead of the report's partnership;
- ``other_local_lead``: a local lead of another partnership (their pages about this partnership's
  reports are a 404, never a 403);
- ``tce_lead``: the TCE project lead of the report's BSP;
- ``programme_admin``;
- ``link_holder``: a local lead of the partnership without a password, who opened (in this
  browser) the sign-off link the TCE lead sent them through the real page for the report that
  awaits sign-off. A link can only be sent, and only stays live, while its report awaits sign-off:
  on the rows about the other reports they hold a link to another report of their partnership,
  and must get nothing more than an anonymous visitor.

The subject of a row (its first column) is the object whose keys fill the URL's kwargs: a report
in the state named (all of one partnership, one BSP each, the same people on each), or the
region, the partnership, the compendium, the invitation or the password reset of the world below,
or ``-`` (a URL without kwargs). A cell is the exact status code, or ``SIGN_IN``: 302 to the
sign-in page (``?next=`` this page). A 302 in a cell is a redirect anywhere but the sign-in page
(the sign-off pages refuse someone who may see the report but not take that step by redirecting
back to its review page, with a message).

The world is built once for the module, inside a transaction rolled back at its end; each test
runs in a savepoint of it (pytest-django's ``db``), so the review visits, sessions and cached
pages of one test do not reach the next.
"""

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import transaction
from django.test import Client, TestCase
from django.urls import URLResolver, get_resolver, reverse
from django.urls.converters import UUIDConverter
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services as accounts_services
from accounts.models import Role, User
from reports.addenda import services as addenda_services
from reports.importing import tasks as import_tasks
from reports.models import (
    Addendum,
    Compendium,
    DraftPdf,
    LearningReport,
    PendingImport,
    ReportSection,
    SignoffLink,
    Status,
)
from reports.pdfs import storage, tasks
from tests.factories import BespokeSupportProjectFactory, UserFactory, make_cast

# Namespaces left out, as a whole, and why.
EXCLUDED_NAMESPACES = {
    "admin": "Django's admin has its own permission system (is_staff, model permissions).",
}

VISITORS = (
    "anonymous",
    "delivery_partner",
    "local_lead",
    "other_local_lead",
    "tce_lead",
    "programme_admin",
    "link_holder",
)


class _SignIn:
    """A cell: 302 to the sign-in page, with this page as ``next``."""

    status_code = 302

    def __repr__(self):
        return "302 to sign-in"


SIGN_IN = _SignIn()
S = SIGN_IN  # for the table

# The section whose pages (editor, history, comments) the rows open.
SECTION_KEY = "reasons"

# Subjects (a report in that state): "draft", "awaiting" (awaiting local sign-off), "signed_off",
# "countersigned", "published" (with an addendum written and signed by the local lead, waiting for
# the TCE lead's side; its PDF rendered; a compendium of it built), "no_consent" (signed off, not
# for publication), "withdrawn". Other subjects: "region", "partnership" (of the reports),
# "compendium", "invitation" (a pending invitation's link), "reset" (a valid password-reset link
# of someone who never signs in here), "pending_import" (a file the programme admin uploaded to
# import, waiting for its check), "-" (no kwargs).
#
# POST-only URLs answer GET with 405 before anything else: their rows say so.

# fmt: off
EXPECTED = {
    # name                               subject           anon  partnr local other tce   admin link
    "healthz":                           ("-",             200,  200,  200,  200,  200,  200,  200),
    # The microsite: public.
    "reports:home":                      ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:report-list":               ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:report-detail":             ("published",     200,  200,  200,  200,  200,  200,  200),
    "reports:edition-detail":            ("published",     200,  200,  200,  200,  200,  200,  200),
    "reports:region-detail":             ("region",        200,  200,  200,  200,  200,  200,  200),
    "reports:partnership-detail":        ("partnership",   200,  200,  200,  200,  200,  200,  200),
    "reports:programme":                 ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:programme-year":            ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:learning":                  ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:feed":                      ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:data":                      ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:pdf-check":                 ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:data-reports-csv":          ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:data-reports-json":         ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:data-bsps-csv":             ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:sitemap":                   ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:sitemap-section":           ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:robots":                    ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:accessibility":             ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:accessibility-request":     ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:accessibility-request-sent": ("-",            200,  200,  200,  200,  200,  200,  200),
    # PDFs: a published report's (stored) and compendiums are public; the draft PDF is not.
    "reports:report-pdf":                ("published",     200,  200,  200,  200,  200,  200,  200),
    "reports:edition-pdf":               ("published",     200,  200,  200,  200,  200,  200,  200),
    "reports:report-pdf-draft":          ("awaiting",      S,    200,  200,  404,  200,  200,  200),
    "reports:compendium":                ("-",             200,  200,  200,  200,  200,  200,  200),
    # A search's or learning by section's result as one PDF: the compendium page, public.
    "reports:report-list-pdf":           ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:learning-pdf":              ("-",             200,  200,  200,  200,  200,  200,  200),
    "reports:compendium-detail":         ("compendium",    200,  200,  200,  200,  200,  200,  200),
    "reports:compendium-pdf":            ("compendium",    200,  200,  200,  200,  200,  200,  200),
    # Authoring: signed in; local leads read, authors write; others' reports are a 404.
    "reports:dashboard":                 ("-",             S,    200,  200,  200,  200,  200,  S),
    "reports:report-create":             ("-",             S,    403,  403,  403,  403,  200,  S),
    # Import: programme admins and TCE leads; an upload is seen only by who uploaded it.
    "reports:import":                    ("-",             S,    403,  403,  403,  200,  200,  S),
    "reports:import-review":             ("pending_import", S,   403,  403,  403,  404,  200,  S),
    "reports:report-overview":           ("draft",         S,    200,  200,  404,  200,  200,  S),
    "reports:details-edit":              ("draft",         S,    200,  302,  404,  200,  200,  S),
    "reports:section-edit":              ("draft",         S,    200,  302,  404,  200,  200,  S),
    "reports:section-history":           ("draft",         S,    200,  200,  404,  200,  200,  S),
    "reports:section-restore":           ("draft",         S,    200,  403,  404,  200,  200,  S),
    "reports:report-history":            ("draft",         S,    200,  200,  404,  200,  200,  S),
    "reports:report-preview":            ("draft",         S,    200,  200,  404,  200,  200,  S),
    "reports:report-send":               ("draft",         S,    200,  302,  404,  200,  200,  S),
    # Dismissing a finding of the safeguarding check: a form's POST only.
    "reports:finding-dismiss":           ("draft",         405,  405,  405,  405,  405,  405,  405),
    # Sign-off and publication.
    "reports:report-review":             ("awaiting",      S,    200,  200,  404,  200,  200,  200),
    "reports:report-comment":            ("awaiting",      405,  405,  405,  405,  405,  405,  405),
    "reports:report-reflections":        ("awaiting",      405,  405,  405,  405,  405,  405,  405),
    "reports:report-request-changes":    ("awaiting",      405,  405,  405,  405,  405,  405,  405),
    "reports:report-sign":               ("awaiting",      S,    302,  200,  404,  302,  302,  200),
    "reports:report-countersign":        ("signed_off",    S,    302,  302,  404,  200,  200,  S),
    "reports:report-publish":            ("countersigned", S,    302,  302,  404,  200,  200,  S),
    "reports:report-withdraw":           ("published",     S,    302,  302,  404,  302,  200,  S),
    "reports:report-reopen":             ("withdrawn",     S,    302,  302,  404,  302,  200,  S),
    # Safeguarding: taking down is a programme admin's; the notes are the programme team's.
    "reports:report-take-down":          ("published",     S,    302,  302,  404,  302,  200,  S),
    "reports:report-private-notes":      ("draft",         S,    200,  404,  404,  200,  200,  S),
    "reports:report-revise":             ("published",     S,    200,  302,  404,  200,  200,  S),
    "reports:addendum-write":            ("published",     S,    302,  200,  404,  200,  200,  S),
    "reports:addendum-sign":             ("published",     S,    302,  302,  404,  200,  200,  S),
    "reports:report-give-consent":       ("no_consent",    S,    302,  200,  404,  302,  302,  S),
    "reports:report-withdraw-consent":   ("published",     S,    302,  200,  404,  302,  302,  S),
    "reports:report-audit":              ("awaiting",      S,    200,  200,  404,  200,  200,  S),
    "reports:report-send-signoff-link":  ("awaiting",      S,    302,  302,  404,  200,  200,  S),
    "reports:signoff-link-done":         ("awaiting",      200,  200,  200,  200,  200,  200,  200),
    # The link's address without the e-mailed token (?sesame=...) opens nothing, for anyone.
    "reports:signoff-link":              ("awaiting",      403,  403,  403,  403,  403,  403,  403),
    # Accounts.
    "accounts:login":                    ("-",             200,  302,  302,  302,  302,  302,  200),
    "accounts:logout":                   ("-",             405,  405,  405,  405,  405,  405,  405),
    "accounts:session-status":           ("-",             200,  200,  200,  200,  200,  200,  200),
    "accounts:signed-in-again":          ("-",             S,    200,  200,  200,  200,  200,  S),
    "accounts:account":                  ("-",             S,    200,  200,  200,  200,  200,  S),
    "accounts:password-change":          ("-",             S,    200,  200,  200,  200,  200,  S),
    # Two-step sign-in: setting it up is for anyone signed in; the code page sends someone who
    # has not turned it on to their reports (302); turning it off is a POST (GET: back, 302).
    "accounts:two-step-set-up":          ("-",             S,    200,  200,  200,  200,  200,  S),
    "accounts:two-step-verify":          ("-",             S,    302,  302,  302,  302,  302,  S),
    "accounts:two-step-off":             ("-",             S,    302,  302,  302,  302,  302,  S),
    "accounts:invite":                   ("-",             S,    403,  403,  403,  403,  200,  S),
    "accounts:invitation":               ("invitation",    200,  200,  200,  200,  200,  200,  200),
    "accounts:password-reset":           ("-",             200,  200,  200,  200,  200,  200,  200),
    "accounts:password-reset-sent":      ("-",             200,  200,  200,  200,  200,  200,  200),
    # A valid link redirects at once to the same page without the token in its address.
    "accounts:password-reset-confirm":   ("reset",         302,  302,  302,  302,  302,  302,  302),
    "accounts:password-reset-complete":  ("-",             200,  200,  200,  200,  200,  200,  200),
}
# fmt: on

REPORT_STATES = {
    "draft": Status.DRAFT,
    "awaiting": Status.AWAITING_SIGNOFF,
    "signed_off": Status.SIGNED_OFF,
    "countersigned": Status.COUNTERSIGNED,
    "published": Status.PUBLISHED,
    "no_consent": Status.NOT_FOR_PUBLICATION,
    "withdrawn": Status.WITHDRAWN,
}


# --- The URL conf ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedUrl:
    name: str  # with its namespaces: "reports:report-review"
    route: str  # the whole route, for messages
    converters: dict  # kwarg name: converter (None for a regex group)


def named_urls(resolver=None, namespace="", route="", converters=None) -> dict[str, NamedUrl]:
    """Every named URL pattern reachable from the root URL conf, by its namespaced name."""
    resolver = resolver or get_resolver()
    converters = converters or {}
    found = {}
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        params = dict(getattr(pattern, "converters", {}))
        if not params and hasattr(pattern, "regex"):
            params = dict.fromkeys(pattern.regex.groupindex)
        params = {**converters, **params}
        here = route + str(pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            for name, url in named_urls(entry, inner, here, params).items():
                found.setdefault(name, url)
        elif entry.name:
            name = namespace + entry.name
            found.setdefault(name, NamedUrl(name, here, params))
    return found


URLS = named_urls()


# --- The world ------------------------------------------------------------------------------------


@dataclass
class World:
    people: dict  # by visitor name (not "anonymous" or "link_holder")
    reports: dict  # by subject (a state)
    addendum: Addendum
    compendium: Compendium
    link: SignoffLink
    link_path: str  # the path and query of the link in the e-mail
    invitation_token: str
    reset_user: User
    revision_id: int
    pending_import: PendingImport

    def slug(self, subject):
        if subject == "region":
            return self.reports["published"].bsp.partnership.region.slug
        if subject == "partnership":
            return self.reports["published"].bsp.partnership.slug
        return self.reports[subject].slug

    def kwargs(self, url: NamedUrl, subject: str) -> dict:
        values = {}
        for param, converter in url.converters.items():
            if param == "slug":
                value = self.slug(subject)
            elif param in ("key", "section_key"):
                value = SECTION_KEY
            elif param == "number":
                value = self.reports["published"].published_edition.number
            elif param == "pk" and isinstance(converter, UUIDConverter):
                value = self.compendium.pk
            elif param == "pk" and subject == "published":
                value = self.addendum.pk
            elif param == "pk" and subject == "pending_import":
                value = self.pending_import.pk
            elif param == "link_id":
                value = self.link.pk
            elif param == "revision_id":
                value = self.revision_id
            elif param == "section":
                value = "reports"
            elif param == "year":
                value = self.reports["published"].bsp.programme_year
            elif param == "token" and subject == "invitation":
                value = self.invitation_token
            elif param == "token" and subject == "reset":
                value = default_token_generator.make_token(self.reset_user)
            elif param == "uidb64" and subject == "reset":
                value = urlsafe_base64_encode(force_bytes(self.reset_user.pk))
            else:
                raise AssertionError(
                    f"No value for the kwarg {param!r} of {url.name} ({url.route}) with subject "
                    f"{subject!r}: teach World.kwargs in tests/test_access_matrix.py where it "
                    "comes from."
                )
            values[param] = value
        return values


def _mail_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def build_world() -> World:
    first = make_cast("Draftshire", status=Status.DRAFT)
    people = {
        "admin": first.admin,
        "tce_lead": first.tce_lead,
        "partner": first.partner,
        "local_lead": first.local_lead,
    }
    partnership = first.report.bsp.partnership
    reports = {"draft": first.report}
    for subject, status in REPORT_STATES.items():
        if subject == "draft":
            continue
        title = subject.replace("_", " ").title() + "shire"
        reports[subject] = make_cast(
            title,
            status=status,
            consent=status != Status.NOT_FOR_PUBLICATION,
            partnership=partnership,
            **people,
        ).report
    for subject, status in REPORT_STATES.items():
        reports[subject].refresh_from_db()
        assert reports[subject].status == status, subject

    published = reports["published"]
    addendum = addenda_services.write(
        report=published,
        actor=first.local_lead,
        title="Six months on",
        body="<p>The exploitation panel meets every fortnight.</p>",
        full_name=first.local_lead.full_name,
        role="Partnership manager",
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        tasks.refresh_report_pdf(published.pk)  # its PDF, stored (the immediate task back end)
    with TestCase.captureOnCommitCallbacks(execute=True):
        asked = storage.request_compendium(reports=[published], programme_year=None)
        tasks.build_compendium.enqueue(str(asked.compendium.pk))
    compendium = Compendium.objects.get(pk=asked.compendium.pk)
    assert compendium.is_ready and storage.compendium_is_current(compendium)

    # The sign-off link, sent by the TCE lead through the real page.
    awaiting = reports["awaiting"]
    mail.outbox.clear()
    client = Client()
    client.force_login(first.tce_lead)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("reports:report-send-signoff-link", kwargs={"slug": awaiting.slug}),
            {"full_name": "Vicky Finn", "email": "vicky@example.gov.uk", "job_title": "MACE Chair"},
        )
    assert response.status_code == 302, response.content.decode()
    [message] = _mail_to("vicky@example.gov.uk")
    link_path = re.search(r"https?://[^/\s]+(/sign-off/\S+)", message.body).group(1)
    link = SignoffLink.objects.get(report=awaiting)
    assert not link.recipient.has_usable_password()

    with TestCase.captureOnCommitCallbacks(execute=True):
        accounts_services.invite_user(
            invited_by=first.admin,
            email="newcomer@example.org",
            full_name="New Comer",
            role=Role.DELIVERY_PARTNER,
        )
    [invitation] = _mail_to("newcomer@example.org")
    token = re.search(r"/accounts/invitation/([^/\s]+)/", invitation.body).group(1)
    mail.outbox.clear()

    # Its draft PDF, stored (the immediate task back end), so that every reader of the row gets
    # the file, not "being prepared" (tests/reports/pdfs/test_drafts.py has that page).
    assert tasks.queue_draft_pdf(awaiting.pk)
    assert DraftPdf.objects.get(report=awaiting).is_rendered

    # A file uploaded by the programme admin to import, waiting for its check.
    pending_import = PendingImport.keep(
        b"Reasons why the local area requested the TCE Support Programme:\n\nBecause.\n",
        name="report.txt",
        bsp=BespokeSupportProjectFactory(tce_lead=first.tce_lead),
        user=first.admin,
    )
    # Read at once (the immediate task back end): the rows get the check page, not its progress.
    assert import_tasks.queue_reading(pending_import.pk)

    revision = (
        ReportSection.history.model.objects.filter(report_id=first.report.pk, key=SECTION_KEY)
        .exclude(body="")
        .earliest("history_id")
    )
    return World(
        people={
            "delivery_partner": first.partner,
            "local_lead": first.local_lead,
            "other_local_lead": first.other_local_lead,
            "tce_lead": first.tce_lead,
            "programme_admin": first.admin,
        },
        reports={subject: LearningReport.objects.get(pk=r.pk) for subject, r in reports.items()},
        addendum=addendum,
        compendium=compendium,
        link=link,
        link_path=link_path,
        invitation_token=token,
        reset_user=UserFactory(email="forgetful@example.org"),
        revision_id=revision.history_id,
        pending_import=pending_import,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def client_for(visitor: str, world: World) -> Client:
    client = Client()
    if visitor == "link_holder":
        response = client.get(world.link_path)
        review = reverse("reports:report-review", kwargs={"slug": world.link.report.slug})
        assert (response.status_code, response.get("Location")) == (302, review)
    elif visitor != "anonymous":
        client.force_login(world.people[visitor])
    return client


# --- The tests ------------------------------------------------------------------------------------


def test_every_row_names_a_url():
    stale = sorted(set(EXPECTED) - set(URLS))
    if stale:
        pytest.fail(f"Rows of EXPECTED for URLs that no longer exist: {stale}", pytrace=False)


def test_every_row_has_a_cell_for_every_visitor_and_a_known_subject():
    subjects = {*REPORT_STATES, "region", "partnership", "compendium", "invitation"}
    subjects |= {"reset", "pending_import", "-"}
    for name, (subject, *cells) in EXPECTED.items():
        assert len(cells) == len(VISITORS), name
        assert subject in subjects, f"{name}: unknown subject {subject!r}"


@pytest.mark.parametrize("name", sorted(URLS))
def test_access(name, world, db):
    url = URLS[name]
    if name not in EXPECTED:
        pytest.fail(
            f"The URL {name!r} ({url.route}) has no row in EXPECTED (tests/test_access_matrix.py): "
            "add one with the status code each visitor must get.",
            pytrace=False,
        )
    subject, *cells = EXPECTED[name]
    path = reverse(name, kwargs=world.kwargs(url, subject))
    sign_in = reverse("accounts:login")
    wrong = []
    for visitor, expected in zip(VISITORS, cells, strict=True):
        client = client_for(visitor, world)
        try:
            response = client.get(path)
        except Exception as error:  # a 500: say which cell, not only the traceback
            wrong.append(f"{visitor}: expected {expected!r}, the view raised {error!r}")
            continue
        if response.streaming:  # read to the end: the test client then closes it, as a server
            b"".join(response.streaming_content)
        got = response.status_code
        location = response.get("Location", "")
        to_sign_in = got == 302 and location.startswith(f"{sign_in}?next=")
        ok = to_sign_in if expected is SIGN_IN else (got == expected and not to_sign_in)
        if not ok:
            where = f" to {location}" if location else ""
            wrong.append(f"{visitor}: expected {expected!r}, got {got}{where}")
    if wrong:
        pytest.fail(f"GET {path} ({name}, subject {subject}):\n  " + "\n  ".join(wrong))
