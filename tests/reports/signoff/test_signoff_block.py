"""The sign-off block in full, as the template has it: the agreement, the local area's
signatory and the TCE project lead's countersignature, each with name, role and date."""

from reports.models import LearningReport, Signature


def test_the_public_page_shows_both_signatures_with_name_role_and_date(demo, client):
    report = LearningReport.objects.get(slug="east-sussex")
    lead = report.current_signatures[Signature.Kind.TCE_LEAD]
    lead_role = lead.role or ""

    page = client.get(report.get_absolute_url()).content.decode()
    block = page.split('id="signoff-heading"', 1)[1].split("</section>", 1)[0]

    assert "Vicky Finnemore, MACE Strategic Chair" in block
    assert "Signed by TCE Project Lead" in block
    assert f"{lead.name}{', ' + lead_role if lead_role else ''}</td>" in block
    assert "Date countersigned" in block
    assert f"{lead.signed_on:%-d %B %Y}" in block
