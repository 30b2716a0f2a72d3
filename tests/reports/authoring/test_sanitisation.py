"""Whatever the browser sends, what is stored (and shown) is the allowlist of reports/richtext.py.

Each case goes through the real section form, as the editor or a hand-made request would send it.
"""

import pytest
from django.urls import reverse

from reports.models import ReportSection

HOSTILE = [
    pytest.param(
        '<p>Before<script>alert("x")</script>after</p>',
        "<p>Beforeafter</p>",
        id="script tag",
    ),
    pytest.param(
        '<p onclick="alert(1)" onmouseover="steal()">Click</p><img src=x onerror="alert(2)">',
        "<p>Click</p>",
        id="event handlers",
    ),
    pytest.param(
        '<p><a href="javascript:alert(1)">link</a> <a href="JaVaScRiPt:alert(2)">two</a></p>',
        '<p><a rel="noopener noreferrer">link</a> <a rel="noopener noreferrer">two</a></p>',
        id="javascript links",
    ),
    pytest.param(
        '<p style="color:red;background:url(javascript:alert(1))">Red</p><style>p{}</style>',
        "<p>Red</p>",
        id="style attributes and elements",
    ),
    pytest.param(
        '<h1 class="MsoTitle">Title</h1><p><span lang="EN-GB" class="x">Word</span>'
        '<iframe src="https://example.org"></iframe><o:p></o:p></p>',
        # Harmless leftovers (lang, an emptied class) are allowed; the frame is not.
        'Title<p><span lang="EN-GB" class="">Word</span></p>',
        id="word and frames",
    ),
    pytest.param(
        '<p><a href="https://example.org/ok" target="_blank">fine</a> <span class="footnote">'
        "A note.</span></p>",
        '<p><a href="https://example.org/ok" rel="noopener noreferrer">fine</a> '
        '<span class="footnote">A note.</span></p>',
        id="allowed things stay",
    ),
]


@pytest.mark.parametrize(("sent", "kept"), HOSTILE)
def test_nothing_dangerous_survives_a_save_through_the_form(cast, client, sent, kept):
    client.force_login(cast.partner)
    address = reverse("reports:section-edit", kwargs={"slug": cast.report.slug, "key": "reasons"})
    response = client.post(address, {"body": sent, "based_on_version": 1, "save": "1"})
    assert response.status_code == 302
    body = ReportSection.objects.get(report=cast.report, key="reasons").body
    assert body == kept
    for fragment in ("<script", "onclick", "onerror", "onmouseover", "javascript:", "style"):
        assert fragment not in body.lower()
    # And the same on the page that shows it.
    preview = client.get(reverse("reports:report-preview", kwargs={"slug": cast.report.slug}))
    shown = preview.content.decode().split('class="section-text section-reasons">')[1]
    shown = shown.split("</div>")[0]
    for fragment in ("<script", "onclick", "onerror", "onmouseover", "javascript:", "style="):
        assert fragment not in shown.lower()


def test_an_autosave_is_sanitised_too(cast, client):
    client.force_login(cast.partner)
    address = reverse("reports:section-edit", kwargs={"slug": cast.report.slug, "key": "reasons"})
    client.post(
        address,
        {"body": '<p onclick="x()">Hi<script>bad()</script></p>', "based_on_version": 1},
        headers={"HX-Request": "true"},
    )
    assert ReportSection.objects.get(report=cast.report, key="reasons").body == "<p>Hi</p>"


def test_the_conflict_page_shows_the_unsaved_text_sanitised(cast, client):
    from reports.authoring import services as authoring_services

    authoring_services.save_section(
        report=cast.report,
        key="reasons",
        actor=cast.tce_lead,
        body="<p>Saved.</p>",
        based_on_version=1,
    )
    client.force_login(cast.partner)
    address = reverse("reports:section-edit", kwargs={"slug": cast.report.slug, "key": "reasons"})
    response = client.post(
        address, {"body": '<p onclick="x()">Mine<script>bad()</script></p>', "based_on_version": 1}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "bad()" not in page and "onclick" not in page
