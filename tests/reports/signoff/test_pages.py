"""The local area reviews, comments, writes its reflections and signs; the programme
countersigns, publishes and withdraws. Through the real pages, forms and services."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Methodology, Theme
from reports.authoring import services as authoring_services
from reports.models import (
    LearningReport,
    ReportEvent,
    ReportSection,
    SectionComment,
    Signature,
    Status,
)
from reports.signoff import services as signoff_services
from tests.factories import walk_to
from tests.support.forms import form_values


def url(name, report, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": report.slug, **kwargs})


def awaiting(report, cast):
    return walk_to(report, cast, Status.AWAITING_SIGNOFF)


# --- The review page -----------------------------------------------------------------------------


def test_the_local_lead_reviews_the_whole_report_with_comment_forms(client, report, cast):
    awaiting(report, cast)
    client.force_login(cast.local_lead)
    page = client.get(url("report-review", report)).content.decode()
    assert "Awaiting local sign-off" in page
    for section in report.sections.exclude(body=""):
        assert section.body in page
        assert f'id="id_{section.key}-body"' in page
    assert "Immediate reflections from the local area" in page
    assert url("report-sign", report) in page
    assert "Request changes" in page


def test_another_partnerships_local_lead_gets_a_404(client, report, cast):
    awaiting(report, cast)
    client.force_login(cast.other_local_lead)
    assert client.get(url("report-review", report)).status_code == 404
    assert client.get(url("report-sign", report)).status_code == 404
    assert client.get(url("report-audit", report)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, report, cast):
    awaiting(report, cast)
    response = client.get(url("report-review", report))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_author_sees_the_report_read_only(client, report, cast):
    awaiting(report, cast)
    client.force_login(cast.partner)
    page = client.get(url("report-review", report)).content.decode()
    assert "Comment on this section" not in page
    assert url("report-sign", report) not in page
    response = client.get(url("report-sign", report))
    assert response.status_code == 302
    response = client.post(
        url("report-comment", report, section_key="reasons"), {"reasons-body": "x"}
    )
    assert not SectionComment.objects.exists()


def test_a_comment_needs_words(client, report, cast):
    awaiting(report, cast)
    client.force_login(cast.local_lead)
    response = client.post(
        url("report-comment", report, section_key="reasons"), {"reasons-body": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert '<a href="#id_reasons-body">Enter your comment</a>' in page


def test_the_local_lead_writes_the_reflections_themselves(client, report, cast):
    awaiting(report, cast)
    client.force_login(cast.local_lead)
    response = client.post(
        url("report-reflections", report),
        {
            # As the editor sends it: each list item's text in a paragraph.
            "reflections-body": "<p>We learned a lot.</p><ul><li><p>We keep going.</p></li></ul>",
            "reflections-based_on_version": 1,
        },
    )
    assert response.status_code == 302
    section = report.sections.get(key="local_reflections")
    assert section.body == "<p>We learned a lot.</p><ul><li>We keep going.</li></ul>"
    assert section.updated_by == cast.local_lead
    # The author cannot write the local area's section.
    client.force_login(cast.partner)
    client.post(
        url("report-reflections", report),
        {"reflections-body": "Not mine to write.", "reflections-based_on_version": 2},
    )
    assert "Not mine" not in report.sections.get(key="local_reflections").body


def test_requesting_changes_sends_the_comments_back_to_the_authors(client, report, cast):
    awaiting(report, cast)
    client.force_login(cast.local_lead)
    client.post(
        url("report-comment", report, section_key="overall_goal"),
        {"overall_goal-body": "Name the three aims."},
    )
    response = client.post(url("report-request-changes", report), {"comment": ""})
    assert response.status_code == 400
    assert "Say what needs to change" in response.content.decode()
    client.post(url("report-request-changes", report), {"comment": "Nearly there."})
    report.refresh_from_db()
    assert report.status == Status.CHANGES_REQUESTED
    event = report.events.get(transition="request_changes")
    assert [c.body for c in event.comments.all()] == ["Name the three aims."]

    client.force_login(cast.partner)
    page = client.get(url("report-review", report)).content.decode()
    assert "Changes requested" in page
    assert "Nearly there." in page and "Name the three aims." in page
    assert 'href="#section-overall_goal">Overall goal of BSP</a>: Name the three aims.' in page
    # Where the authors work, the request is there too, each comment a link to its editor.
    overview = client.get(reverse("reports:report-overview", args=[report.slug])).content.decode()
    assert "Nearly there." in overview
    editor = reverse("reports:section-edit", args=[report.slug, "overall_goal"])
    assert f'href="{editor}">Overall goal of BSP</a>: Name the three aims.' in overview
    # Once sent again, the overview no longer shows it.
    authoring_services.submit_for_signoff(report=report, actor=cast.partner)
    overview = client.get(reverse("reports:report-overview", args=[report.slug])).content.decode()
    assert "Nearly there." not in overview


def test_the_reviewer_sees_what_changed_since_they_last_looked(client, report, cast):
    awaiting(report, cast)
    client.force_login(cast.local_lead)
    client.get(url("report-review", report))  # the first look
    signoff_services.request_changes(
        report=report, actor=cast.local_lead, comment="Say more on goals."
    )
    goal = report.sections.get(key="overall_goal")
    goal.body = "<p>What we wrote about Overall goal of BSP, with three clear aims.</p>"
    goal.updated_by = cast.partner
    goal.save()
    authoring_services.submit_for_signoff(report=report, actor=cast.partner)

    for _ in range(2):  # still there when the page is reloaded
        page = client.get(url("report-review", report)).content.decode()
        assert "What changed since you last looked" in page
        assert "<del>BSP.</del> <ins>BSP, with three clear aims.</ins>" in page
        assert "1 section changed" in page
        assert 'href="#section-overall_goal">Overall goal of BSP</a>' in page


def test_a_first_look_shows_no_changes(client, report, cast):
    awaiting(report, cast)
    client.force_login(cast.local_lead)
    response = client.get(url("report-review", report))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Awaiting local sign-off" in page
    assert "What changed since" not in page


# --- Signing ------------------------------------------------------------------------------------


def test_the_local_lead_signs_with_typed_name_and_role_and_the_servers_date(client, report, cast):
    awaiting(report, cast)
    client.force_login(cast.local_lead)
    page = client.get(url("report-sign", report)).content.decode()
    assert report.content_hash() in page
    response = client.post(
        url("report-sign", report),
        {
            "consent": "yes",
            "checked_identifiability": "on",
            "full_name": "Lou Local",
            "role": "MACE Strategic Chair",
            "seen_hash": report.content_hash(),
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.consent_to_publish) == (Status.SIGNED_OFF, True)
    signature = report.signatures.get()
    assert (signature.kind, signature.name, signature.role, signature.signed_by) == (
        Signature.Kind.LOCAL_AREA,
        "Lou Local",
        "MACE Strategic Chair",
        cast.local_lead,
    )
    assert signature.signed_on == timezone.localdate()
    assert signature.content_hash == report.content_hash()
    assert signature.method == Signature.Method.ACCOUNT


def test_signing_needs_a_name_and_a_role(client, report, cast):
    awaiting(report, cast)
    client.force_login(cast.local_lead)
    response = client.post(
        url("report-sign", report), {"full_name": " ", "seen_hash": report.content_hash()}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter your full name" in page and "Enter your role" in page
    assert not Signature.objects.exists()


def test_nothing_is_signed_when_the_text_changed_while_reading(client, report, cast):
    awaiting(report, cast)
    seen = report.content_hash()
    section = report.sections.get(key="reasons")
    section.body = "<p>Changed behind the reviewer's back.</p>"
    section.save()
    client.force_login(cast.local_lead)
    response = client.post(
        url("report-sign", report),
        {
            "consent": "yes",
            "checked_identifiability": "on",
            "full_name": "Lou Local",
            "role": "Chair",
            "seen_hash": seen,
        },
        follow=True,
    )
    assert "The report changed while you were reading it" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.AWAITING_SIGNOFF
    assert not Signature.objects.exists()


def test_pending_comments_go_to_the_authors_with_the_sign_off(report, cast):
    awaiting(report, cast)
    signoff_services.add_section_comment(
        report=report, actor=cast.local_lead, section_key="reasons", body="Lovely."
    )
    walk_to(report, cast, Status.SIGNED_OFF)
    assert SectionComment.objects.get().sent_with == report.events.get(transition="sign_off")


def test_countersign_then_publish_puts_the_report_on_its_public_url(client, report, cast):
    walk_to(report, cast, Status.SIGNED_OFF)
    assert client.get(report.get_absolute_url()).status_code == 404
    client.force_login(cast.tce_lead)
    page = client.get(url("report-countersign", report)).content.decode()
    assert "Lou Local, Partnership manager" in page
    client.post(url("report-countersign", report), {"full_name": "Tess Lead", "role": "TCE Lead"})
    report.refresh_from_db()
    assert report.status == Status.COUNTERSIGNED
    lead = report.current_signatures[Signature.Kind.TCE_LEAD]
    assert (lead.name, lead.content_hash) == ("Tess Lead", report.content_hash())
    client.post(url("report-publish", report))
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED and report.published_at is not None
    client.logout()
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Lou Local, Partnership manager" in page and "Tess Lead" in page


def test_without_consent_the_report_is_never_published(client, report, cast):
    walk_to(report, cast, Status.NOT_FOR_PUBLICATION, consent=False)
    client.force_login(cast.tce_lead)
    page = client.get(url("report-review", report)).content.decode()
    assert "Signed off, not for publication" in page
    assert url("report-publish", report) not in page
    client.post(url("report-publish", report))
    report.refresh_from_db()
    assert report.status == Status.NOT_FOR_PUBLICATION
    client.logout()
    assert client.get(report.get_absolute_url()).status_code == 404


def test_only_a_programme_admin_withdraws_and_gives_a_public_reason(client, report, cast):
    walk_to(report, cast, Status.PUBLISHED)
    client.force_login(cast.tce_lead)
    client.post(url("report-withdraw", report), {"reason": "Mine to withdraw?"})
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    client.force_login(cast.admin)
    response = client.post(url("report-withdraw", report), {"reason": ""})
    assert "Enter the reason for withdrawing the report" in response.content.decode()
    client.post(url("report-withdraw", report), {"reason": "It named a child."})
    report.refresh_from_db()
    assert (report.status, report.withdrawal_reason) == (Status.WITHDRAWN, "It named a child.")
    assert report.withdrawn_at is not None
    assert not LearningReport.objects.published().filter(pk=report.pk).exists()


def test_a_withdrawn_report_is_reopened_revised_and_published_again(
    client, report, cast, django_capture_on_commit_callbacks
):
    walk_to(report, cast, Status.WITHDRAWN)
    old_signatures = list(report.signatures.all())
    public = report.get_absolute_url()
    # Only a programme admin re-opens, and says why.
    client.force_login(cast.tce_lead)
    refused = client.post(url("report-reopen", report), {"reason": "Mine to re-open?"})
    assert refused.url == url("report-review", report)
    report.refresh_from_db()
    assert report.status == Status.WITHDRAWN
    client.force_login(cast.admin)
    review_page = client.get(url("report-review", report)).content.decode()
    assert f'href="{url("report-reopen", report)}"' in review_page
    assert "A programme admin can re-open it for revision." in review_page
    page = client.get(url("report-reopen", report)).content.decode()
    assert "<h1>Re-open the report for revision</h1>" in page
    response = client.post(url("report-reopen", report), {"reason": ""})
    assert response.status_code == 400
    assert "Enter what needs revising" in response.content.decode()
    mail.outbox.clear()
    with_reason = {"reason": "Take out the child's name, then publish it again."}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("report-reopen", report), with_reason)
    assert response.url == url("report-review", report)

    report = LearningReport.objects.get(pk=report.pk)
    assert (report.status, report.consent_to_publish) == (Status.DRAFT, None)
    assert report.current_signatures == {}
    for signature in old_signatures:
        signature.refresh_from_db()
        assert signature.superseded_at is not None
    event = report.events.latest("created_at")
    assert (event.transition, event.actor, event.from_status, event.to_status) == (
        "reopen",
        cast.admin,
        Status.WITHDRAWN,
        Status.DRAFT,
    )
    assert event.comment == "Take out the child's name, then publish it again."
    # The authors and the local area hear of it.
    told = {address for message in mail.outbox for address in message.to}
    assert {cast.partner.email, cast.local_lead.email, cast.tce_lead.email} <= told
    assert all("re-opened for revision" in message.subject for message in mail.outbox)
    # The staff page says where it stands; the public still sees only the withdrawal notice.
    page = client.get(url("report-review", report)).content.decode()
    assert (
        f"It was re-opened for revision on {timezone.localdate():%-d %B %Y} by Ada Admin." in page
    )
    assert "Take out the child&#x27;s name, then publish it again." in page
    client.logout()
    notice = client.get(public).content.decode()
    assert "This report was withdrawn on" in notice
    assert "Names a child." in notice
    assert not LearningReport.objects.published().filter(pk=report.pk).exists()

    # The authors revise it; it goes through sign-off again and is published again.
    client.force_login(cast.partner)
    overview = client.get(reverse("reports:report-overview", args=[report.slug])).content.decode()
    assert "Re-opened for revision" in overview
    assert "Take out the child&#x27;s name, then publish it again." in overview
    assert (
        client.get(reverse("reports:section-edit", args=[report.slug, "reasons"])).status_code
        == 200
    )
    section = report.sections.get(key="reasons")
    authoring_services.save_section(
        report=report,
        key="reasons",
        actor=cast.partner,
        body="<p>The reasons, with no one named.</p>",
        based_on_version=section.version,
    )
    authoring_services.submit_for_signoff(report=report, actor=cast.partner)
    overview = client.get(reverse("reports:report-overview", args=[report.slug])).content.decode()
    assert "Re-opened for revision" not in overview  # sent: nothing left for the authors to do
    walk_to(report, cast, Status.PUBLISHED)
    report.refresh_from_db()
    assert (report.withdrawn_at, report.withdrawal_reason) == (None, "")
    client.logout()
    page = client.get(public).content.decode()
    assert "This report was withdrawn" not in page
    assert "The reasons, with no one named." in page
    assert [e.transition for e in report.events.order_by("created_at")][-6:] == [
        "withdraw",
        "reopen",
        "submit",
        "sign_off",
        "countersign",
        "publish",
    ]


# --- Void on edit -------------------------------------------------------------------------------


def after_change(status):
    """Where a change after sign-off leads: back to the local area, or, for a published report,
    to a revision (a draft) while its published edition stays up."""
    return Status.DRAFT if status == Status.PUBLISHED else Status.AWAITING_SIGNOFF


@pytest.mark.parametrize("status", [Status.SIGNED_OFF, Status.COUNTERSIGNED, Status.PUBLISHED])
def test_any_change_after_sign_off_voids_the_signatures(client, report, cast, status):
    walk_to(report, cast, status)
    old = list(report.signatures.all())
    section = report.sections.get(key="key_issues")
    section.body = "<p>A late change.</p>"
    section.save()
    report = LearningReport.objects.get(pk=report.pk)
    assert report.status == after_change(status)
    assert report.consent_to_publish is None
    assert report.current_signatures == {}
    for signature in old:
        signature.refresh_from_db()
        assert signature.superseded_at is not None
        assert signature.name in ("Lou Local", "Tess Lead")  # never edited, only superseded
    void = report.events.latest("created_at")
    assert (void.transition, void.actor, void.from_status) == ("void_signoff", None, status)
    assert "“Key issues that arose during the delivery of the BSP” was changed" in void.comment
    client.force_login(cast.local_lead)
    page = client.get(url("report-review", report)).content.decode()
    assert "Content changed since sign-off" in page
    client.logout()
    public = client.get(report.get_absolute_url())
    if status == Status.PUBLISHED:
        # A revision: the published edition stays up, unchanged, until the next is published.
        assert public.status_code == 200
        assert "A late change." not in public.content.decode()
        walk_to(report, cast, Status.AWAITING_SIGNOFF)
    else:
        assert public.status_code == 404
    client.force_login(cast.local_lead)
    # Signing again gives a new current signature over the new content.
    walk_to(report, cast, Status.SIGNED_OFF)
    report = LearningReport.objects.get(pk=report.pk)
    assert report.current_signatures[Signature.Kind.LOCAL_AREA].content_hash == (
        report.content_hash()
    )
    page = client.get(url("report-review", report)).content.decode()
    assert "Content changed since sign-off" not in page


def test_saving_the_same_text_after_sign_off_voids_nothing(report, cast):
    walk_to(report, cast, Status.SIGNED_OFF)
    report.sections.get(key="reasons").save()
    report.refresh_from_db()
    assert report.status == Status.SIGNED_OFF


def test_an_edit_in_the_admin_voids_the_sign_off_and_names_the_editor(client, report, cast):
    walk_to(report, cast, Status.PUBLISHED)
    section = report.sections.get(key="reasons")
    client.force_login(cast.admin)
    cast.admin.is_superuser = True
    cast.admin.save()
    response = client.post(
        reverse("admin:reports_reportsection_change", args=[section.pk]),
        {
            "report": report.pk,
            "key": "reasons",
            "status": "completed",
            "body": "<p>Edited.</p>",
            "based_on_version": section.version,
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DRAFT  # a revision; the published edition stays up
    assert report.is_public
    void = report.events.get(transition="void_signoff")
    assert "by Ada Admin" in void.comment
    assert "A revision is open" in void.comment


@pytest.mark.parametrize("status", [Status.SIGNED_OFF, Status.COUNTERSIGNED, Status.PUBLISHED])
def test_a_title_change_after_sign_off_voids_the_signatures(report, cast, status):
    walk_to(report, cast, status)
    old = list(report.signatures.all())
    report.title = "A late new title"
    report.save()
    # The object that was saved follows: saving it again cannot put the old status back.
    assert (report.status, report.consent_to_publish) == (after_change(status), None)
    report.save()
    report = LearningReport.objects.get(pk=report.pk)
    assert (report.status, report.consent_to_publish, report.title) == (
        after_change(status),
        None,
        "A late new title",
    )
    assert report.current_signatures == {}
    for signature in old:
        signature.refresh_from_db()
        assert signature.superseded_at is not None
    void = report.events.get(transition="void_signoff")
    assert (void.actor, void.from_status) == (None, status)
    assert void.comment.startswith("The title was changed after sign-off: the signatures are void.")
    # Signed again, the report goes on as any other.
    walk_to(report, cast, Status.PUBLISHED)


def test_saving_a_signed_report_with_the_same_title_voids_nothing(report, cast):
    walk_to(report, cast, Status.COUNTERSIGNED)
    report.save()
    report.refresh_from_db()
    assert report.status == Status.COUNTERSIGNED
    assert not report.events.filter(transition="void_signoff").exists()


def test_a_title_change_in_the_admin_voids_the_sign_off_and_keeps_the_address(client, report, cast):
    walk_to(report, cast, Status.PUBLISHED)
    slug = report.slug
    cast.admin.is_superuser = True
    cast.admin.save()
    client.force_login(cast.admin)
    change = reverse("admin:reports_learningreport_change", args=[report.pk])
    data = form_values(client.get(change).content.decode())
    assert data["title"] == report.title
    data["title"] = "A title fixed in the admin"
    response = client.post(change, data)
    assert response.status_code == 302
    report = LearningReport.objects.get(pk=report.pk)
    assert (report.title, report.slug, report.status) == (
        "A title fixed in the admin",
        slug,
        Status.DRAFT,
    )
    # The public still reads the published edition, under its published title.
    assert report.published_edition.title != "A title fixed in the admin"
    void = report.events.get(transition="void_signoff")
    assert "The title was changed by Ada Admin after sign-off" in void.comment


@pytest.mark.parametrize("status", [Status.SIGNED_OFF, Status.COUNTERSIGNED, Status.PUBLISHED])
def test_a_change_to_the_bsp_details_after_sign_off_voids_the_signatures(report, cast, status):
    walk_to(report, cast, status)
    bsp = report.bsp
    bsp.delivery_mode = "mixed"
    bsp.number_of_local_authorities = 2
    bsp.save()
    report = LearningReport.objects.get(pk=report.pk)
    assert (report.status, report.consent_to_publish) == (after_change(status), None)
    assert report.current_signatures == {}
    void = report.events.get(transition="void_signoff")
    assert (void.actor, void.from_status) == (None, status)
    assert void.comment.startswith(
        "The BSP details (number of local authorities, delivery mode) was changed after "
        "sign-off: the signatures are void."
    )
    walk_to(report, cast, Status.PUBLISHED)


def test_a_change_to_the_bsp_methodologies_after_sign_off_voids_the_signatures(report, cast):
    walk_to(report, cast, Status.PUBLISHED)
    bsp = report.bsp
    bsp.methodologies.set([])  # nothing to remove: nothing changes
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    bsp.methodologies.add(Methodology.objects.create(name="Peer review", slug="peer-review"))
    report.refresh_from_db()
    assert report.status == Status.DRAFT  # a revision of the published report
    void = report.events.get(transition="void_signoff")
    assert void.comment.startswith("The BSP details (methodologies) was changed")
    # Removing one, and clearing them, as well.
    walk_to(report, cast, Status.PUBLISHED)
    bsp.methodologies.add(Methodology.objects.create(name="Data walk", slug="data-walk"))
    walk_to(report, cast, Status.PUBLISHED)
    bsp.methodologies.remove(Methodology.objects.get(name="Peer review"))
    walk_to(report, cast, Status.PUBLISHED)
    bsp.methodologies.clear()
    walk_to(report, cast, Status.PUBLISHED)
    bsp.methodologies.clear()  # nothing left to clear: nothing changes
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    assert report.events.filter(transition="void_signoff").count() == 4


def test_bsp_changes_outside_the_details_table_void_nothing(report, cast):
    walk_to(report, cast, Status.PUBLISHED)
    bsp = report.bsp
    bsp.save()
    bsp.tce_lead = cast.admin
    bsp.focus_as_stated = "Data / culture"
    bsp.save()
    bsp.themes.add(Theme.objects.first())
    bsp.delivery_partners.remove(cast.partner)
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    assert not report.events.filter(transition="void_signoff").exists()


def test_a_bsp_change_in_the_admin_voids_the_sign_off_and_names_who_made_it(client, report, cast):
    walk_to(report, cast, Status.COUNTERSIGNED)
    cast.admin.is_superuser = True
    cast.admin.save()
    client.force_login(cast.admin)
    change = reverse("admin:partnerships_bespokesupportproject_change", args=[report.bsp.pk])
    data = form_values(client.get(change).content.decode())
    data["regional_area_as_stated"] = "Devon and Cornwall Police"
    response = client.post(change, data)
    assert response.status_code == 302
    report = LearningReport.objects.get(pk=report.pk)
    assert report.status == Status.AWAITING_SIGNOFF
    [void] = report.events.filter(transition="void_signoff")
    assert void.comment.startswith(
        "The BSP details (regional area as stated) was changed by Ada Admin after sign-off"
    )


def test_the_admin_cannot_set_the_status_by_hand(client, report, cast):
    cast.admin.is_superuser = True
    cast.admin.save()
    client.force_login(cast.admin)
    page = client.get(reverse("admin:reports_learningreport_change", args=[report.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="title"' in html
    assert 'name="status"' not in html
    assert 'name="consent_to_publish"' not in html


# --- The audit log ------------------------------------------------------------------------------


def test_every_status_change_has_an_event(report, cast):
    """The whole life of a report: the chain of events matches every status it ever had."""
    awaiting(report, cast)
    signoff_services.request_changes(report=report, actor=cast.local_lead, comment="More.")
    authoring_services.submit_for_signoff(report=report, actor=cast.partner)
    signoff_services.sign_off(
        report=report,
        actor=cast.local_lead,
        full_name="Lou",
        role="Chair",
        consent=True,
        checked_identifiability=True,
    )
    section = report.sections.get(key="reasons")
    section.body = "<p>Late edit.</p>"
    section.save()
    walk_to(report, cast, Status.WITHDRAWN)

    events = list(report.events.all())
    statuses = [Status.DRAFT] + [e.to_status for e in events]
    for before, event in zip(statuses, events, strict=False):
        assert event.from_status == before
        assert len(event.content_hash) == 64
    report.refresh_from_db()
    assert statuses[-1] == report.status == Status.WITHDRAWN
    # simple-history saw every saved status; each change of it is an event, in order.
    seen = [h.status for h in report.history.order_by("history_date", "history_id")]
    changes = [s for i, s in enumerate(seen) if i == 0 or s != seen[i - 1]]
    assert changes == statuses
    assert [e.transition for e in events] == [
        "submit",
        "request_changes",
        "submit",
        "sign_off",
        "void_signoff",
        "sign_off",
        "countersign",
        "publish",
        "withdraw",
    ]


def test_the_audit_page_lists_events_within_a_query_budget(
    client, report, cast, django_assert_max_num_queries
):
    walk_to(report, cast, Status.PUBLISHED)
    client.force_login(cast.tce_lead)
    # session, user, report (+ sections, signatures, methodologies, agencies prefetches),
    # events, their comments and authors, signatures with signers, sign-off links: 12 at most,
    # whatever the number of events.
    with django_assert_max_num_queries(12):
        page = client.get(url("report-audit", report)).content.decode()
    for event in ReportEvent.objects.filter(report=report):
        assert event.content_hash[:12] in page
    assert "Publish on the microsite" in page and "Tess Lead" in page


def test_the_review_page_has_a_query_budget(client, report, cast, django_assert_max_num_queries):
    awaiting(report, cast)
    for key in ("reasons", "overall_goal"):
        signoff_services.add_section_comment(
            report=report, actor=cast.local_lead, section_key=key, body="?"
        )
    client.force_login(cast.local_lead)
    client.get(url("report-review", report))
    signoff_services.request_changes(report=report, actor=cast.local_lead, comment="More.")
    ReportSection.objects.filter(report=report, key="reasons").first().save()
    authoring_services.submit_for_signoff(report=report, actor=cast.partner)
    # session, user, report + 4 prefetches, visit (read, lock, last submit, save), bsp's
    # delivery partners (transitions), comments, void and changes-request events, pending
    # comments, history (2), savepoints: stays flat with the number of sections and comments.
    with django_assert_max_num_queries(26):
        response = client.get(url("report-review", report))
    assert response.status_code == 200


def test_sign_off_pages_carry_no_inline_script_or_style(client, report, cast):
    walk_to(report, cast, Status.AWAITING_SIGNOFF)
    pages = [(cast.local_lead, "report-review"), (cast.local_lead, "report-sign")]
    pages += [(cast.tce_lead, name) for name in ("report-audit", "report-send-signoff-link")]
    for user, name in pages:
        client.force_login(user)
        page = client.get(url(name, report)).content.decode()
        assert " style=" not in page and "<style" not in page, name
        for script in page.split("<script")[1:]:
            assert script.split(">", 1)[0].strip().startswith("src="), name


def test_the_admin_shows_comments_links_and_events_read_only(client, report, cast):
    walk_to(report, cast, Status.AWAITING_SIGNOFF)
    signoff_services.add_section_comment(
        report=report, actor=cast.local_lead, section_key="reasons", body="Hm."
    )
    cast.admin.is_superuser = True
    cast.admin.save()
    client.force_login(cast.admin)
    for model in ("sectioncomment", "signofflink", "reportevent", "signature"):
        assert client.get(reverse(f"admin:reports_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:reports_{model}_add")).status_code == 403
    event = report.events.get()
    page = client.get(reverse("admin:reports_reportevent_change", args=[event.pk]))
    assert page.status_code == 200 and 'name="comment"' not in page.content.decode()
