"""Every form of the portal, fuzzed: random and hostile input posted through the real views, by
the person allowed to use each form (hypothesis).

For every request:

1. never a server error (any status below 500);
2. no stored script: the rich text (``ReportSection.body``, ``Addendum.body``) holds no
   ``<script>``, no ``on…=`` handler, no ``style=`` and no ``javascript:`` link, and what was
   typed into plain-text fields (comments, reasons, names) is escaped on every page that shows
   it (checked on the answer and on the pages that show the form's result);
3. a clear message on bad input: a form page given back (200 or 400) says what is wrong, in the
   error summary (templates/includes/error_summary.html) or beside a field.

Each test builds its world once; every example runs in a savepoint that is rolled back (and with
empty caches), so each starts from the same state and the properties do not depend on the order.
"""

import datetime
import re
from contextlib import contextmanager
from html import unescape
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts import services as account_services
from accounts.models import Role
from partnerships.models import BSPType, DeliveryMode, Methodology, Region, Theme
from reports.addenda import services as addenda_services
from reports.models import Addendum, ReportSection, Status
from reports.richtext import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from reports.signoff import services as signoff_services
from reports.template_sections import SECTION_KEYS
from tests.factories import (
    PASSWORD,
    BespokeSupportProjectFactory,
    UserFactory,
    make_cast,
    walk_to,
)

FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the project
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- Input ----------------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:x">click</a>',
    '<a href=" JaVaScRiPt:alert(1)">spaced</a>',
    '<a href="jav&#x09;ascript:alert(1)">entity</a>',
    '<a href="&#106;avascript:alert(1)">encoded</a>',
    '"><svg onload=x>',
    "'><svg/onload=alert(1)>",
    '<p style="color:red" onclick="x()">styled</p>',
    '<span class="footnote" onmouseover="x()">note</span>',
    '<table><tr><td style="x" onmouseover="y" colspan="99999999999999999999">c</td></tr></table>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
    "<style>body{display:none}</style>",
    '<object data="x.swf"></object><embed src="x.swf">',
    "<!-- comment --><p>after</p>",
    "<p>unclosed <strong>tags <em>everywhere",
    "</p></div></main></body></html>",
    "<blockquote>" * 300 + "deep" + "</blockquote>" * 300,
    "<ul><li>" * 200 + "deep list",
    "<div>" * 1000,
    "x" * 10_000,
    "a\x00b",
    "\x00",
    "\u202eevil.exe\u202c",
    "\u200f\u200e\u061c",
    "{{ 7*7 }} {% debug %} ${7*7}",
    "'; DROP TABLE reports_learningreport; --",
    "9" * 400,
    "-1",
    "-99999999999999999999",
    "0",
    "1e5",
    "NaN",
    "",
    "   ",
    "\r\n\r\n",
]
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=10**18, max_value=10**60),
    st.integers(max_value=-1),
).map(str)

# Made-up HTML, with tags and attributes allowed or not.
TAGS = ["p", "a", "span", "td", "blockquote", "ul", "li", "h3", "script", "img", "svg", "style"]
ATTRIBUTES = [
    'href="javascript:alert(1)"',
    'href="https://example.org/"',
    'href="/relative"',
    "onerror=alert(1)",
    'onclick="x()"',
    'style="color:red"',
    'class="footnote"',
    "src=x",
    'colspan="3"',
]
HTML = st.recursive(
    st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE[:12])),
    lambda children: st.builds(
        lambda tag, attributes, inner: f"<{' '.join([tag, *attributes])}>{''.join(inner)}</{tag}>",
        st.sampled_from(TAGS),
        st.lists(st.sampled_from(ATTRIBUTES), max_size=3),
        st.lists(children, max_size=3),
    ),
    max_leaves=12,
)

NASTY = st.one_of(st.text(max_size=300), st.sampled_from(HOSTILE), NUMBERS)
RICH = st.one_of(NASTY, HTML)


class _Valid:
    """Stands for the valid value of a field, which the test knows once its world is built."""

    def __repr__(self):
        return "VALID"


VALID = _Valid()
OMIT = None  # the field is not sent at all


def value(*more, rich=False):
    """A field's value: its valid value, none at all, or something random or hostile."""
    return st.one_of(st.just(VALID), st.just(OMIT), RICH if rich else NASTY, *more)


def values(*more):
    """A field sent several times (check boxes): some valid, some not."""
    return st.one_of(st.just(OMIT), st.lists(value(*more), max_size=4))


def resolve(drawn: dict, valid: dict) -> dict:
    """The POST or GET data: each VALID replaced by the field's valid value, OMIT left out."""
    data = {}
    for name, item in drawn.items():
        if isinstance(item, list):
            items = [valid[name] if i is VALID else i for i in item if i is not OMIT]
            data[name] = [str(i) for i in items]
        elif item is VALID:
            data[name] = valid[name]
        elif item is not OMIT:
            data[name] = item
    return data


def form(**fields):
    return st.fixed_dictionaries(fields)


# --- The properties -------------------------------------------------------------------------------

_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_DANGEROUS_TAG = re.compile(
    r"^<\s*/?\s*(script|img|svg|iframe|style|math|object|embed)\b"
    r"|\son\w+\s*=|style\s*=|javascript:",
    re.IGNORECASE,
)
_SCHEME_NOISE = re.compile(r"[\x00-\x20]")


class _StoredHTML(HTMLParser):
    """Reads stored rich text: every tag and attribute outside the allowlist is a problem."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, content in attrs:
            allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | {"class", "rel"}
            if name.startswith("on") or name == "style" or name not in allowed:
                self.problems.append(f"attribute {name}= on <{tag}>")
            scheme = _SCHEME_NOISE.sub("", unescape(content or "")).lower()
            if scheme.startswith(("javascript:", "vbscript:", "data:")):
                self.problems.append(f"{name}={content!r} on <{tag}>")

    handle_startendtag = handle_starttag


def stored_script_problems(html: str) -> list[str]:
    problems = []
    if re.search(r"<\s*script", html, re.IGNORECASE):
        problems.append("<script")
    for tag in _TAG.findall(html):
        if re.search(r"\son\w+\s*=|style\s*=|javascript:", tag, re.IGNORECASE):
            problems.append(tag)
    parser = _StoredHTML()
    parser.feed(html)
    parser.close()
    return problems + parser.problems


def assert_no_stored_script():
    """Property 2, in the database: the rich text is sanitised."""
    for model in (ReportSection, Addendum):
        for pk, body in model.objects.values_list("pk", "body"):
            problems = stored_script_problems(body)
            assert not problems, f"{model.__name__} {pk} stores {problems}: {body[:500]!r}"


def dangerous_tags(sent) -> set[str]:
    """The tags in what was sent that must never reach a page as they are."""
    texts = sent if isinstance(sent, list) else [sent]
    return {
        tag
        for text in texts
        if isinstance(text, str)
        for tag in _TAG.findall(text)
        if _DANGEROUS_TAG.search(tag)
    }


def assert_escaped(response, sent: dict, where: str):
    """Property 2, on a page: nothing typed reaches the page as markup."""
    if response.streaming or "text/html" not in response.get("Content-Type", ""):
        return
    page = response.content.decode(errors="replace")
    for name, item in sent.items():
        for tag in dangerous_tags(item):
            assert tag not in page, f"{where}: {name}={tag!r} is on the page unescaped"


ERROR_MARKERS = ("data-error-summary", "invalid-feedback")


def assert_says_what_is_wrong(response, where: str):
    """Property 3: a form page given back says what is wrong."""
    page = response.content.decode(errors="replace")
    assert any(marker in page for marker in ERROR_MARKERS), (
        f"{where}: the form came back ({response.status_code}) with no error summary and no "
        "field error"
    )


def assert_not_a_server_error(response, where: str):
    """Property 1."""
    assert response.status_code < 500, f"{where} answered {response.status_code}"


@contextmanager
def rolled_back():
    """One example: empty caches, and everything it stores undone afterwards."""
    for cache in caches.all():
        cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def signed_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def submit(
    user,
    url: str,
    data: dict,
    *,
    shows=(),
    method="post",
    htmx=False,
    form_page=True,
):
    """Send ``data`` to ``url`` as ``user`` (None: signed out) and check the three properties:
    on the answer, in the database, and on the pages ``shows`` (read as ``user``) that show what
    the form stores. Returns the answer."""
    with rolled_back():
        client = signed_in(user)
        headers = {"HX-Request": "true"} if htmx else {}
        response = getattr(client, method)(url, data, headers=headers)
        where = f"{method.upper()} {url}"
        assert_not_a_server_error(response, where)
        assert_escaped(response, data, where)
        assert_no_stored_script()
        if htmx:
            if response.get("X-Section-Save") == "invalid":
                assert "Not saved" in response.content.decode()
        elif method == "post" and form_page and response.status_code in (200, 400):
            assert_says_what_is_wrong(response, where)
        if response.status_code in (301, 302, 303) or htmx:
            for page_url in shows:
                page = client.get(page_url)
                assert_not_a_server_error(page, f"GET {page_url} after {where}")
                assert_escaped(page, data, f"GET {page_url} after {where}")
        return response


def url(name, report, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": report.slug, **kwargs})


@pytest.fixture(autouse=True)
def _no_pdf_rendering(settings):
    """Queued PDFs wait in the database: no WeasyPrint render during a request."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# --- The worlds -----------------------------------------------------------------------------------


@pytest.fixture
def draft(db):
    """A draft with every required section written: the authors' forms."""
    return make_cast("Fuzzshire")


@pytest.fixture
def awaiting(db):
    """Awaiting sign-off: the local lead's and the TCE lead's review forms."""
    return make_cast("Fuzzshire", status=Status.AWAITING_SIGNOFF)


@pytest.fixture
def published(db):
    return make_cast("Fuzzshire", status=Status.PUBLISHED)


@pytest.fixture
def signed_off(db):
    return make_cast("Fuzzshire", status=Status.SIGNED_OFF)


@pytest.fixture
def withdrawn(db):
    return make_cast("Fuzzshire", status=Status.WITHDRAWN)


@pytest.fixture
def not_for_publication(db):
    return make_cast("Fuzzshire", status=Status.NOT_FOR_PUBLICATION, consent=False)


@pytest.fixture
def person(db):
    """Someone with an account and a password, signed out."""
    return UserFactory(email="dee@example.org")


# --- Authoring ------------------------------------------------------------------------------------

KNOWN_KEY = st.sampled_from(SECTION_KEYS)
SECTION_KEY = st.one_of(  # mostly the template's keys, sometimes none of them
    KNOWN_KEY,
    KNOWN_KEY,
    KNOWN_KEY,
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1, max_size=30),
)


@FUZZ
@given(
    key=SECTION_KEY,
    drawn=form(
        body=value(rich=True),
        completed=value(st.sampled_from(["yes", "no", "maybe"])),
        based_on_version=value(NUMBERS),
        save_next=st.sampled_from([OMIT, "1"]),
    ),
    htmx=st.booleans(),
)
@example(
    key="reasons",
    drawn={
        "body": '<p onclick="x()">hi <a href="javascript:alert(1)">there</a></p>',
        "completed": "yes",
        "based_on_version": VALID,
        "save_next": OMIT,
    },
    htmx=False,
)
def test_section_edit(draft, key, drawn, htmx):
    section = draft.report.sections.filter(key=key).first()
    data = resolve(
        drawn, {"body": "<p>Fine words.</p>", "completed": "yes", "based_on_version": "2"}
    )
    if section is not None and drawn["based_on_version"] is VALID:
        data["based_on_version"] = str(section.version)
    target = f"/my-reports/{draft.report.slug}/sections/{quote(key, safe='')}/"
    submit(
        draft.partner,
        target,
        data,
        htmx=htmx,
        shows=[target, url("report-preview", draft.report), url("report-history", draft.report)],
    )


DETAILS = [
    "title",
    "agencies_as_stated",
    "size",
    "number_of_local_authorities",
    "local_authorities_as_stated",
    "regional_area_as_stated",
    "methodologies",
    "methodology_as_stated",
    "delivery_mode",
    "delivery_mode_as_stated",
    "commenced_month",
    "commenced_year",
    "commenced_as_stated",
    "based_on_version",
]


@FUZZ
@given(
    drawn=form(
        title=value(),
        agencies_as_stated=value(),
        size=value(),
        number_of_local_authorities=value(NUMBERS),
        local_authorities_as_stated=value(),
        regional_area_as_stated=value(),
        methodologies=values(NUMBERS),
        methodology_as_stated=value(),
        delivery_mode=value(st.sampled_from(DeliveryMode.values)),
        delivery_mode_as_stated=value(),
        commenced_month=value(st.integers(-1, 14).map(str)),
        commenced_year=value(st.integers(1900, 10_000).map(str), NUMBERS),
        commenced_as_stated=value(),
        based_on_version=value(NUMBERS),
    )
)
@example(  # a 500: OverflowError, "Python int too large to convert to SQLite INTEGER"
    drawn={
        **dict.fromkeys(DETAILS, VALID),
        "methodologies": ["9223372036854775808"],
    }
)
def test_details(draft, drawn):
    report = draft.report
    valid = {
        "title": "Fuzzshire and Beyond",
        "agencies_as_stated": "Police, Health",
        "size": "Standard",
        "number_of_local_authorities": "2",
        "local_authorities_as_stated": "Two",
        "regional_area_as_stated": "South West",
        "methodologies": str(Methodology.objects.order_by("pk").first().pk),
        "methodology_as_stated": "Data",
        "delivery_mode": DeliveryMode.MIXED,
        "delivery_mode_as_stated": "Mixed delivery",
        "commenced_month": "11",
        "commenced_year": "2021",
        "commenced_as_stated": "Nov 2021",
        "based_on_version": str(report.details_version),
    }
    submit(
        draft.partner,
        url("details-edit", report),
        resolve(drawn, valid),
        shows=[
            url("details-edit", report),
            url("report-overview", report),
            url("report-preview", report),
        ],
    )


DATES = st.one_of(
    st.dates().map(str),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(["9999-12-31", "31/12/9999", "0001-01-01", "2030-02-30", "2030-13-01"]),
)


@FUZZ
@given(drawn=form(due_on=value(DATES), comment=value()))
def test_check_and_send(draft, drawn):
    report = draft.report
    valid = {
        "due_on": str(datetime.date.today() + datetime.timedelta(days=30)),
        "comment": "Over to you.",
    }
    submit(
        draft.partner,
        url("report-send", report),
        resolve(drawn, valid),
        shows=[url("report-overview", report), url("report-audit", report)],
    )


@pytest.fixture
def bsp_without_report(draft):
    draft.new_bsp = BespokeSupportProjectFactory(local_area="Newtown")
    return draft


@FUZZ
@given(drawn=form(bsp=value(NUMBERS)))
def test_new_report(bsp_without_report, drawn):
    draft = bsp_without_report
    bsp = draft.new_bsp
    submit(
        draft.admin,
        reverse("reports:report-create"),
        resolve(drawn, {"bsp": str(bsp.pk)}),
        shows=[reverse("reports:dashboard")],
    )


# --- Review and sign-off --------------------------------------------------------------------------


@FUZZ
@given(key=SECTION_KEY, body=value(), prefixed=st.booleans())
def test_review_comment(awaiting, key, body, prefixed):
    report = awaiting.report
    data = resolve({"body": body}, {"body": "Please say more about the panel."})
    if prefixed:  # the form's own field name; without the prefix, the field is missing
        data = {f"{key}-{name}": item for name, item in data.items()}
    submit(
        awaiting.local_lead,
        f"/my-reports/{report.slug}/review/comments/{quote(key, safe='')}/",
        data,
        shows=[url("report-review", report), url("report-audit", report)],
    )


@FUZZ
@given(
    drawn=form(body=value(rich=True), based_on_version=value(NUMBERS)),
    htmx=st.booleans(),
)
def test_reflections(awaiting, drawn, htmx):
    report = awaiting.report
    data = resolve(drawn, {"body": "<p>We learned a lot.</p>", "based_on_version": "0"})
    submit(
        awaiting.local_lead,
        url("report-reflections", report),
        {f"reflections-{name}": item for name, item in data.items()},
        htmx=htmx,
        shows=[url("report-review", report)],
    )


@FUZZ
@given(drawn=form(comment=value()))
def test_request_changes(awaiting, drawn):
    report = awaiting.report
    submit(
        awaiting.local_lead,
        url("report-request-changes", report),
        resolve(drawn, {"comment": "More on the data, please."}),
        shows=[url("report-review", report), url("report-audit", report)],
    )


SIGNATURE = {"full_name": value(), "role": value()}


@FUZZ
@given(
    drawn=form(
        consent=value(st.sampled_from(["yes", "no", "on", "true"])),
        consent_reason=value(),
        seen_hash=value(),
        **SIGNATURE,
    )
)
def test_sign_off(awaiting, drawn):
    report = awaiting.report
    valid = {
        "consent": "yes",
        "consent_reason": "",
        "checked_identifiability": "on",
        "seen_hash": report.content_hash(),
        "full_name": "Lou Local",
        "role": "Partnership manager",
    }
    submit(
        awaiting.local_lead,
        url("report-sign", report),
        resolve(drawn, valid),
        shows=[url("report-review", report), url("report-audit", report)],
    )


@FUZZ
@given(drawn=form(full_name=value(), email=value(), job_title=value()))
def test_send_signoff_link(awaiting, drawn):
    report = awaiting.report
    valid = {"full_name": "Sam Signer", "email": "sam.signer@example.org", "job_title": "Chair"}
    submit(
        awaiting.tce_lead,
        url("report-send-signoff-link", report),
        resolve(drawn, valid),
        shows=[url("report-send-signoff-link", report), url("report-audit", report)],
    )


@FUZZ
@given(drawn=form(**SIGNATURE))
def test_countersign(signed_off, drawn):
    cast = signed_off
    report = cast.report
    submit(
        cast.tce_lead,
        url("report-countersign", report),
        resolve(drawn, {"full_name": "Tess Lead", "role": "TCE Project Lead"}),
        shows=[url("report-review", report), url("report-audit", report)],
    )


@pytest.fixture
def second_edition(published):
    """Published, revised and countersigned again: publishing it needs a change note."""
    signoff_services.start_revision(
        report=published.report, actor=published.partner, reason="A figure was wrong."
    )
    walk_to(published.report, published, Status.COUNTERSIGNED)
    return published


@FUZZ
@given(drawn=form(change_note=value()))
def test_publish(second_edition, drawn):
    report = second_edition.report
    submit(
        second_edition.tce_lead,
        url("report-publish", report),
        resolve(drawn, {"change_note": "Corrected a figure."}),
        shows=[report.get_absolute_url(), url("report-review", report)],
    )


REASON = form(reason=value())


@FUZZ
@given(drawn=REASON)
def test_withdraw(published, drawn):
    report = published.report
    submit(
        published.admin,
        url("report-withdraw", report),
        resolve(drawn, {"reason": "Names a child."}),
        shows=[report.get_absolute_url(), url("report-audit", report)],
    )


@FUZZ
@given(drawn=REASON)
def test_reopen(withdrawn, drawn):
    cast = withdrawn
    report = cast.report
    submit(
        cast.admin,
        url("report-reopen", report),
        resolve(drawn, {"reason": "Take the child's name out."}),
        shows=[url("report-overview", report), url("report-audit", report)],
    )


@FUZZ
@given(drawn=REASON)
def test_revise(published, drawn):
    report = published.report
    submit(
        published.partner,
        url("report-revise", report),
        resolve(drawn, {"reason": "A figure was wrong."}),
        shows=[url("report-overview", report), url("report-audit", report)],
    )


@FUZZ
@given(drawn=form(agree=value(st.sampled_from(["on", "true", "1", "false"])), **SIGNATURE))
def test_give_consent(not_for_publication, drawn):
    cast = not_for_publication
    report = cast.report
    submit(
        cast.local_lead,
        url("report-give-consent", report),
        resolve(drawn, {"agree": "on", "full_name": "Lou Local", "role": "Chair"}),
        shows=[url("report-review", report), url("report-audit", report)],
    )


@FUZZ
@given(drawn=REASON)
def test_withdraw_consent(published, drawn):
    report = published.report
    submit(
        published.local_lead,
        url("report-withdraw-consent", report),
        resolve(drawn, {"reason": "A family asked us to."}),
        shows=[report.get_absolute_url(), url("report-audit", report)],
    )


# --- Addenda --------------------------------------------------------------------------------------


@FUZZ
@given(drawn=form(title=value(), body=value(rich=True), **SIGNATURE))
@example(
    drawn={
        "title": "Six months on",
        "body": '<p style="x">a</p><img src=x onerror=alert(1)><a href="javascript:x">b</a>',
        "full_name": "Lou Local",
        "role": "Chair",
    }
)
def test_addendum_write(published, drawn):
    report = published.report
    valid = {
        "title": "Six months on",
        "body": "<p>The panel meets every fortnight.</p>",
        "full_name": "Lou Local",
        "role": "Partnership manager",
    }
    submit(
        published.local_lead,
        url("addendum-write", report),
        resolve(drawn, valid),
        shows=[url("report-review", report), url("report-audit", report)],
    )


@pytest.fixture
def written_addendum(published):
    """An addendum the local lead wrote and signed, waiting for the TCE project lead."""
    addendum = addenda_services.write(
        report=published.report,
        actor=published.local_lead,
        title="Six months on",
        body="<p>The panel meets every fortnight.</p>",
        full_name="Lou Local",
        role="Partnership manager",
    )
    return published, addendum


@FUZZ
@given(drawn=form(seen_hash=value(), **SIGNATURE))
def test_addendum_sign(written_addendum, drawn):
    published, addendum = written_addendum
    report = published.report
    valid = {"seen_hash": addendum.content_hash, "full_name": "Tess Lead", "role": "TCE lead"}
    submit(
        published.tce_lead,
        url("addendum-sign", report, pk=addendum.pk),
        resolve(drawn, valid),
        shows=[report.get_absolute_url(), url("report-review", report)],
    )


# --- Accounts -------------------------------------------------------------------------------------


@FUZZ
@given(drawn=form(username=value(), password=value()))
def test_sign_in(person, drawn):
    submit(
        None,
        reverse("accounts:login"),
        resolve(drawn, {"username": person.email, "password": PASSWORD}),
    )


@FUZZ
@given(drawn=form(email=value()))
def test_password_reset(person, drawn):
    submit(None, reverse("accounts:password-reset"), resolve(drawn, {"email": person.email}))


@FUZZ
@given(drawn=form(old_password=value(), new_password1=value(), new_password2=value()))
def test_password_change(person, drawn):
    new = "a much longer new passphrase"
    valid = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    submit(
        person,
        reverse("accounts:password-change"),
        resolve(drawn, valid),
        shows=[reverse("accounts:account")],
    )


NEW_PASSWORDS = form(new_password1=value(), new_password2=value())
GOOD_PASSWORDS = {"new_password1": "a much longer new passphrase"} | {
    "new_password2": "a much longer new passphrase"
}


@FUZZ
@given(drawn=NEW_PASSWORDS)
def test_password_reset_link(person, drawn):
    link = reverse(
        "accounts:password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    with rolled_back():
        client = Client()
        form_url = client.get(link)["Location"]  # the same page, the token now in the session
        response = client.post(form_url, resolve(drawn, GOOD_PASSWORDS))
        assert_not_a_server_error(response, f"POST {form_url}")
        assert_escaped(response, resolve(drawn, GOOD_PASSWORDS), f"POST {form_url}")
        if response.status_code in (200, 400):
            assert_says_what_is_wrong(response, f"POST {form_url}")


@pytest.fixture
def invitation_token(draft):
    invitation = account_services.invite_user(
        invited_by=draft.admin,
        email="newcomer@example.org",
        full_name="New Comer",
        role=Role.DELIVERY_PARTNER,
    )
    # The token is only in the e-mail, sent after the commit: give it a known one.
    known = "a-known-invitation-token"
    invitation.token_hash = invitation.hash_token(known)
    invitation.save(update_fields=["token_hash"])
    return known


@FUZZ
@given(drawn=NEW_PASSWORDS, token=st.one_of(st.just(VALID), st.text(max_size=60)))
def test_invitation(invitation_token, drawn, token):
    known = invitation_token
    target = "/accounts/invitation/" + (known if token is VALID else quote(token, safe="")) + "/"
    if token is not VALID and not token:
        target = "/accounts/invitation/%20/"
    submit(None, target, resolve(drawn, GOOD_PASSWORDS))


@FUZZ
@given(
    drawn=form(
        email=value(),
        full_name=value(),
        job_title=value(),
        role=value(st.sampled_from(Role.values)),
        partnership=value(NUMBERS),
        bsps=values(NUMBERS),
    )
)
@example(  # a 500: OverflowError, "Python int too large to convert to SQLite INTEGER"
    drawn={
        **dict.fromkeys(["email", "full_name", "job_title", "role", "partnership"], VALID),
        "bsps": ["9223372036854775808"],
    }
)
def test_invite(draft, drawn):
    valid = {
        "email": "invitee@example.org",
        "full_name": "Ivy Invitee",
        "job_title": "Chair",
        "role": Role.LOCAL_LEAD,
        "partnership": str(draft.report.bsp.partnership_id),
        "bsps": str(draft.report.bsp_id),
    }
    submit(
        draft.admin,
        reverse("accounts:invite"),
        resolve(drawn, valid),
        shows=[reverse("accounts:invite")],
    )


# --- The public microsite -------------------------------------------------------------------------

SEARCH = {
    "q": value(rich=True),
    "region": values(),
    "focus": values(),
    "type": values(st.sampled_from(BSPType.values)),
    "methodology": values(),
    "delivery": values(st.sampled_from(DeliveryMode.values)),
    "year": values(st.integers(2015, 2030).map(str)),
    "sort": value(st.sampled_from(["relevance", "newest", "title"])),
    "page": value(NUMBERS, st.sampled_from(["last", "0", "-1", "2"])),
}


def search_values(report):
    return {
        "q": "exploitation",
        "region": Region.objects.order_by("pk").first().slug,
        "focus": Theme.objects.order_by("pk").first().slug,
        "type": BSPType.STANDARD,
        "methodology": Methodology.objects.order_by("pk").first().slug,
        "delivery": DeliveryMode.DIGITAL,
        "year": str(report.bsp.programme_year),
        "sort": "newest",
        "page": "1",
        "section": "significant_learning",
    }


@FUZZ
@given(drawn=form(**SEARCH))
@example(drawn={**dict.fromkeys(SEARCH, OMIT), "q": "-"})  # a 500: VariableDoesNotExist
def test_search_reports(published, drawn):
    data = resolve(drawn, search_values(published.report))
    submit(None, reverse("reports:report-list"), data, method="get")


@FUZZ
@given(drawn=form(section=value(st.sampled_from(SECTION_KEYS)), **SEARCH))
def test_learning_by_section(published, drawn):
    data = resolve(drawn, search_values(published.report))
    submit(None, reverse("reports:learning"), data, method="get")


@FUZZ
@given(
    drawn=form(
        year=value(st.integers(2015, 2030).map(str), NUMBERS),
        reports=values(st.just("fuzzshire,fuzzshire"), st.just(",".join(["x"] * 500))),
        section=value(st.sampled_from(SECTION_KEYS)),
    ),
    method=st.sampled_from(["get", "post"]),
)
def test_compendium(published, drawn, method):
    report = published.report
    valid = {
        "year": str(report.bsp.programme_year),
        "reports": report.slug,
        "section": "significant_learning",
    }
    # The page lists reports to choose: without a selection it is not a form given back.
    submit(None, reverse("reports:compendium"), resolve(drawn, valid), method=method)


@pytest.mark.parametrize(
    "text",
    [
        "<p>ok</p>",
        '<p><a href="https://example.org/" rel="noopener noreferrer">x</a></p>',
        '<table><tr><td colspan="2">c</td></tr></table><span class="footnote">n</span>',
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; onclick=x style=y javascript:z</p>",
    ],
)
def test_the_stored_html_check_accepts_what_the_sanitiser_keeps(text):
    assert stored_script_problems(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "<script>x</script>",
        '<p onclick="x">a</p>',
        '<p style="x">a</p>',
        '<a href="javascript:x">a</a>',
        '<a href=" &#106;avascript:x">a</a>',
        "<img src=x>",
    ],
)
def test_the_stored_html_check_finds_script(text):
    assert stored_script_problems(text)
