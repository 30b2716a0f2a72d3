"""The accessibility statement and the request for another format."""

import pytest
from django.core import mail
from django.urls import reverse

from reports.microsite.accessibility import REQUESTS_PER_CLIENT_PER_HOUR
from tests.support.responses import text as body

pytestmark = pytest.mark.django_db

REQUEST = {
    "name": "Sam Reader",
    "email": "sam@example.org",
    "document": "East Sussex",
    "format": "large_print",
    "details": "",
}


def test_every_page_links_to_the_statement_and_the_request_form(client):
    page = body(client.get(reverse("reports:home")))
    assert f'href="{reverse("reports:accessibility")}"' in page
    assert f'href="{reverse("reports:accessibility-request")}"' in page


def test_the_statement_says_what_is_not_accessible_and_how_to_complain(client, settings):
    settings.PROGRAMME_EMAIL = "inbox@example.org"
    page = body(client.get(reverse("reports:accessibility")))
    for words in (
        "WCAG",
        "What is not accessible",
        "PDF files",
        "within 10 working days",
        "Equality Advisory and Support Service",
        "inbox@example.org",
    ):
        assert words in page


def test_a_request_is_e_mailed_to_the_programme_and_confirmed(client, settings):
    settings.PROGRAMME_EMAIL = "inbox@example.org"
    response = client.post(reverse("reports:accessibility-request"), REQUEST, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:accessibility-request-sent")
    assert "Your request has been sent" in body(response)
    assert "sam@example.org" in body(response)
    [message] = mail.outbox
    assert message.to == ["inbox@example.org"]
    assert message.reply_to == ["sam@example.org"]
    assert "East Sussex" in message.subject
    assert "Format: Large print" in message.body
    assert "Sam Reader" in message.body


def test_a_request_with_mistakes_says_what_to_correct_and_sends_nothing(client):
    response = client.post(
        reverse("reports:accessibility-request"),
        {**REQUEST, "email": "not an address", "format": "other", "details": ""},
    )
    page = body(response)
    assert response.status_code == 200
    assert "Error:" in page
    assert "Enter a valid email address." in page
    assert "Say which format you need." in page
    assert 'value="Sam Reader"' in page  # what was typed is kept
    assert mail.outbox == []


def test_one_connection_cannot_flood_the_programme_with_requests(client):
    url = reverse("reports:accessibility-request")
    for _ in range(REQUESTS_PER_CLIENT_PER_HOUR):
        assert client.post(url, REQUEST).status_code == 302
    response = client.post(url, {**REQUEST, "details": "One more"})
    assert response.status_code == 429
    assert "has not been sent" in body(response)
    assert "One more" in body(response)  # kept in the form
    assert len(mail.outbox) == REQUESTS_PER_CLIENT_PER_HOUR


def test_the_form_can_name_the_report_it_was_asked_from(client):
    page = body(client.get(reverse("reports:accessibility-request") + "?for=Torbay"))
    assert 'value="Torbay"' in page
