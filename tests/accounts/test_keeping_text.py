"""A form refused because the session ended or changed gives back every word it carried; the
editor's script can ask whether its person is still signed in, and get the token to send."""

from django.test import Client
from django.urls import reverse

from reports.models import ReportSection, Status
from tests.factories import PASSWORD, make_cast
from tests.support.signing_in import sign_in

TYPED = "<p>Words typed after the session <strong>ended</strong>.</p>"


def section_url(report, key="reasons"):
    return reverse("reports:section-edit", kwargs={"slug": report.slug, "key": key})


def test_saving_after_being_signed_out_shows_the_text_not_the_sign_in_page(db):
    cast = make_cast("Lapsed Session")
    client = Client()
    sign_in(client, cast.partner.email, PASSWORD)
    before = ReportSection.objects.get(report=cast.report, key="reasons").body
    client.post(reverse("accounts:logout"))  # as "Sign out" in another tab does

    response = client.post(
        section_url(cast.report), {"body": TYPED, "based_on_version": 2, "save": "Save"}
    )

    assert response.status_code == 401
    page = response.content.decode()
    assert "Your changes were not saved" in page
    assert "You were signed out before you pressed the button" in page
    assert "Words typed after the session <strong>ended</strong>." in page
    assert reverse("accounts:login") in page
    assert ReportSection.objects.get(report=cast.report, key="reasons").body == before


def test_a_refused_token_gives_the_words_back_on_the_portals_own_page(db):
    cast = make_cast("Stale Token")
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.partner)

    # The page was opened before signing in again elsewhere: its token is not the session's.
    response = client.post(
        section_url(cast.report),
        {"body": TYPED, "based_on_version": 2, "csrfmiddlewaretoken": "x" * 64},
    )

    assert response.status_code == 403
    page = response.content.decode()
    assert "Your changes were not saved" in page
    assert "signed in again, or signed out, in another tab" in page
    assert "Words typed after the session <strong>ended</strong>." in page
    assert "CSRF verification failed" not in page


def test_a_comment_refused_after_sign_out_is_given_back_escaped(db):
    cast = make_cast("Comment Lapse", status=Status.AWAITING_SIGNOFF)
    url = reverse(
        "reports:report-comment", kwargs={"slug": cast.report.slug, "section_key": "reasons"}
    )

    response = Client().post(url, {"reasons-body": "Say more <script>alert(1)</script> here."})

    assert response.status_code == 401
    page = response.content.decode()
    assert "Say more &lt;script&gt;alert(1)&lt;/script&gt; here." in page
    assert "<script>alert(1)</script>" not in page


def test_the_session_status_says_who_is_signed_in_and_gives_the_token(db):
    cast = make_cast("Status Check")
    client = Client()
    url = reverse("accounts:session-status")

    signed_out = client.get(url).json()
    assert signed_out["signed_in"] is False
    assert signed_out["user"] is None

    sign_in(client, cast.partner.email, PASSWORD)
    response = client.get(url)
    status = response.json()
    assert status == {
        "signed_in": True,
        "user": cast.partner.pk,
        "csrf_token": status["csrf_token"],
    }
    assert len(status["csrf_token"]) == 64
    assert "no-cache" in response.headers["Cache-Control"]


def test_signing_in_again_from_a_page_that_kept_text_says_to_go_back_to_it(db):
    cast = make_cast("Back To It")
    client = Client()
    next_url = reverse("accounts:signed-in-again")

    response = client.post(
        f"{reverse('accounts:login')}?next={next_url}",
        {"username": cast.partner.email, "password": PASSWORD},
        follow=True,
    )

    assert response.status_code == 200
    assert "You are signed in again" in response.content.decode()
    assert "it saves what you typed by itself" in response.content.decode()


def test_signed_in_pages_tell_the_script_who_is_signed_in(db):
    cast = make_cast("Body Data")
    client = Client()
    sign_in(client, cast.partner.email, PASSWORD)

    page = client.get(reverse("reports:dashboard")).content.decode()

    assert f'data-user="{cast.partner.pk}"' in page
    assert f'data-session-url="{reverse("accounts:session-status")}"' in page
