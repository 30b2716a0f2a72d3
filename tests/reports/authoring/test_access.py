"""Every authoring URL, for every role, GET and POST: the exact outcome.

Roles: a programme admin, the BSP's TCE lead, another TCE lead, the assigned delivery partner, an
unassigned delivery partner, the partnership's local lead, another partnership's local lead, and
an anonymous visitor. Another partnership's report is a 404, never a 403 that confirms it exists.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from reports.authoring import services as authoring_services
from reports.models import LearningReport, ReportSection, Status
from tests.factories import ROLES as PEOPLE
from tests.factories import BespokeSupportProjectFactory, make_cast

ROLES = [*PEOPLE, "anonymous"]
AUTHORS = {"admin", "tce_lead", "partner"}
READERS = AUTHORS | {"local_lead"}
SIGNED_IN = set(ROLES) - {"anonymous"}


@dataclass(frozen=True)
class Redirect:
    """A redirect to a named page of the report (not to the sign-in page)."""

    name: str
    key: str = ""

    def url(self, report):
        kwargs = {"slug": report.slug}
        if self.key:
            kwargs["key"] = self.key
        return reverse(self.name, kwargs=kwargs)


OVERVIEW = Redirect("reports:report-overview")
LOGIN = "login"


def expect(ok, *, ok_for, readers_get=None, others=404):
    """The outcome for each role: ``ok`` for ``ok_for``; the partnership's local lead gets
    ``readers_get`` if given (they may read but not change); everyone else signed in gets
    ``others``; anonymous visitors are sent to sign in (a POST gets its words back instead)."""
    outcome = {}
    for role in ROLES:
        if role == "anonymous":
            outcome[role] = LOGIN
        elif role in ok_for:
            outcome[role] = ok
        elif role == "local_lead" and readers_get is not None:
            outcome[role] = readers_get
        else:
            outcome[role] = others
    return outcome


def report_url(name, **kwargs):
    def build(world):
        return reverse(name, kwargs={"slug": world.report.slug, **kwargs})

    return build


def fixed(name):
    return lambda world: reverse(name)


def restore_url(world):
    revision = ReportSection.history.get(report_id=world.report.pk, key="reasons", version=2)
    return reverse(
        "reports:section-restore",
        kwargs={"slug": world.report.slug, "revision_id": revision.history_id},
    )


def section_post(world):
    return {"body": "<p>New words.</p>", "based_on_version": 3}


NEW_TITLE = "A title from the details page"


def details_post(world):
    return {
        "title": NEW_TITLE,
        "based_on_version": 1,
        "number_of_local_authorities": 1,
        "delivery_mode": "digital",
    }


def create_post(world):
    return {"bsp": world.spare_bsp.pk}


def invite_post(world):
    return {"email": "new.person@example.org", "full_name": "New Person", "role": "tce_lead"}


# (name, method, url builder, POST data builder, expected outcome per role)
CASES = [
    ("dashboard", "get", fixed("reports:dashboard"), None, expect(200, ok_for=SIGNED_IN)),
    (
        "start a report",
        "get",
        fixed("reports:report-create"),
        None,
        expect(200, ok_for={"admin"}, others=403),
    ),
    (
        "start a report",
        "post",
        fixed("reports:report-create"),
        create_post,
        expect("created", ok_for={"admin"}, others=403),
    ),
    ("invite", "get", fixed("accounts:invite"), None, expect(200, ok_for={"admin"}, others=403)),
    (
        "invite",
        "post",
        fixed("accounts:invite"),
        invite_post,
        expect("invited", ok_for={"admin"}, others=403),
    ),
    ("overview", "get", report_url("reports:report-overview"), None, expect(200, ok_for=READERS)),
    (
        "details",
        "get",
        report_url("reports:details-edit"),
        None,
        expect(200, ok_for=AUTHORS, readers_get=OVERVIEW),
    ),
    (
        "details",
        "post",
        report_url("reports:details-edit"),
        details_post,
        expect(OVERVIEW, ok_for=AUTHORS, readers_get=403),
    ),
    (
        "section editor",
        "get",
        report_url("reports:section-edit", key="reasons"),
        None,
        expect(200, ok_for=AUTHORS, readers_get=OVERVIEW),
    ),
    (
        "section editor",
        "post",
        report_url("reports:section-edit", key="reasons"),
        section_post,
        expect(OVERVIEW, ok_for=AUTHORS, readers_get=403),
    ),
    (
        "the local area's section",
        "get",
        report_url("reports:section-edit", key="local_reflections"),
        None,
        expect(OVERVIEW, ok_for=READERS),
    ),
    (
        "the local area's section",
        "post",
        report_url("reports:section-edit", key="local_reflections"),
        section_post,
        expect(403, ok_for=READERS),
    ),
    (
        "section history",
        "get",
        report_url("reports:section-history", key="reasons"),
        None,
        expect(200, ok_for=READERS),
    ),
    (
        "restore",
        "post",
        restore_url,
        lambda world: {"based_on_version": 3},
        expect(Redirect("reports:section-history", "reasons"), ok_for=AUTHORS, readers_get=403),
    ),
    ("history", "get", report_url("reports:report-history"), None, expect(200, ok_for=READERS)),
    ("preview", "get", report_url("reports:report-preview"), None, expect(200, ok_for=READERS)),
    (
        "check and send",
        "get",
        report_url("reports:report-send"),
        None,
        expect(200, ok_for=AUTHORS, readers_get=OVERVIEW),
    ),
    (
        "check and send",
        "post",
        report_url("reports:report-send"),
        lambda world: {"comment": ""},
        expect("incomplete", ok_for=AUTHORS, readers_get=403),
    ),
]


@pytest.fixture
def world(cast):
    for version, text in enumerate(["<p>One.</p>", "<p>Two.</p>"], start=1):
        authoring_services.save_section(
            report=cast.report,
            key="reasons",
            actor=cast.partner,
            body=text,
            based_on_version=version,
        )
    cast.spare_bsp = BespokeSupportProjectFactory(local_area="Without a report")
    return cast


def check(response, outcome, world):
    if outcome == LOGIN and response.request["REQUEST_METHOD"] == "POST":
        # Signed out: nothing is done, and what the form carried is given back, with a way to
        # sign in (accounts/keeping_text.py), never a redirect that drops it.
        assert response.status_code == 401
        page = response.content.decode()
        assert "Your changes were not saved" in page
        assert reverse("accounts:login") in page
    elif outcome == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login") + "?next=")
    elif isinstance(outcome, Redirect):
        assert response.status_code == 302
        assert response.url == outcome.url(world.report)
    elif outcome == "created":
        report = world.spare_bsp.learning_report
        assert response.status_code == 302
        assert response.url == reverse("reports:report-overview", kwargs={"slug": report.slug})
    elif outcome == "invited":
        assert response.status_code == 302
        assert response.url == reverse("accounts:invite")
    elif outcome == "incomplete":
        assert response.status_code == 200
        assert "The report cannot be sent yet" in response.content.decode()
    else:
        assert response.status_code == outcome


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("where", "method", "build_url", "build_data", "outcomes"),
    CASES,
    ids=[f"{case[1]} {case[0]}" for case in CASES],
)
def test_authoring_access(world, client, role, where, method, build_url, build_data, outcomes):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    address = build_url(world)
    data = build_data(world) if build_data else None
    response = client.post(address, data) if method == "post" else client.get(address)
    check(response, outcomes[role], world)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_authors_change_the_title_and_never_its_address(world, client, role):
    slug = world.report.slug
    if role != "anonymous":
        client.force_login(getattr(world, role))
    client.post(reverse("reports:details-edit", kwargs={"slug": slug}), details_post(world))
    report = LearningReport.objects.get(pk=world.report.pk)
    assert (report.title == NEW_TITLE) == (role in AUTHORS)
    assert report.slug == slug


@pytest.mark.parametrize("role", sorted(AUTHORS))
def test_once_sent_for_sign_off_the_authors_cannot_change_the_title(db, client, role):
    sent = make_cast(status=Status.AWAITING_SIGNOFF)
    client.force_login(sent.by_role(role))
    address = reverse("reports:details-edit", kwargs={"slug": sent.report.slug})
    assert client.post(address, details_post(sent)).status_code == 403
    assert client.get(address).url == OVERVIEW.url(sent.report)
    assert LearningReport.objects.get(pk=sent.report.pk).title != NEW_TITLE


def test_every_authoring_url_is_walked():
    """A new authoring URL must be added to CASES above."""
    from reports import urls

    authoring = {
        p.name
        for p in urls.urlpatterns
        if p.callback.__module__ == "reports.authoring.views" and p.name != "dashboard"
    }
    walked = {
        "report-create",
        "report-overview",
        "details-edit",
        "section-edit",
        "section-history",
        "section-restore",
        "report-history",
        "report-preview",
        "report-send",
    }
    assert authoring == walked
