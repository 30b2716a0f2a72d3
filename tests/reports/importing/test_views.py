"""Import in the authoring screens: upload, check and correct, create the draft."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from partnerships.models import BespokeSupportProject
from reports.models import ImportedFile, LearningReport, PendingImport, Signature
from tests.factories import UserFactory
from tests.support.responses import text

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
EAST_SUSSEX = SEEDS / "000_355be5435e6701e6.txt"
TORBAY = SEEDS / "001_836f24745f3f6e9f.txt"


@pytest.fixture
def bsp(demo):
    """A BSP of the register that has no report yet."""
    return BespokeSupportProject.objects.filter(learning_report__isnull=True).first()


@pytest.fixture
def admin(client):
    user = UserFactory(role=Role.PROGRAMME_ADMIN)
    client.force_login(user)
    return user


def upload(client, bsp, path=EAST_SUSSEX, name=None):
    data = path.read_bytes() if isinstance(path, Path) else path
    return client.post(
        reverse("reports:import"),
        {"file": SimpleUploadedFile(name or "east-sussex.txt", data), "bsp": bsp.pk},
    )


def checked(client, review) -> str:
    """The check page of an upload: first the reading's progress (the file is read once that
    answer has gone: the tests' task back end is immediate), then what was found."""
    reading = client.get(review)
    assert reading.status_code == 202
    assert "Reading" in text(reading)
    return review


def test_an_upload_shows_what_was_found_before_anything_is_saved(client, admin, bsp):
    response = upload(client, bsp)
    pending = PendingImport.objects.get()
    assert response["Location"] == reverse("reports:import-review", kwargs={"pk": pending.pk})
    page = text(client.get(checked(client, response["Location"])))
    assert "Check what was found in east-sussex.txt" in page
    assert "In the document: “Overall goal of BSP" in page
    assert "Sussex Police" in page  # the details table, as worded
    assert not LearningReport.objects.filter(bsp=bsp).exists()


def test_a_bad_file_is_refused_with_its_reason_and_nothing_kept(client, admin, bsp):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    response = upload(client, bsp, path=png, name="report.docx")
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert not PendingImport.objects.exists()
    assert not LearningReport.objects.filter(bsp=bsp).exists()


def test_the_draft_is_made_with_the_sections_as_corrected(client, admin, bsp):
    review = checked(client, upload(client, bsp)["Location"])
    form = client.get(review).context["form"]
    data = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    data.update({name: "on" for name in form.fields if name.startswith("confirm_")})
    # Move the text found under "Overall goal of BSP" to "Reasons why...".
    moved = next(i for i, key in enumerate(form.pieces) if key == "overall_goal")
    data[f"piece_{moved}"] = "reasons"
    response = client.post(review, data)
    report = LearningReport.objects.get(bsp=bsp)
    assert response["Location"] == reverse("reports:report-overview", kwargs={"slug": report.slug})
    sections = report.sections_by_key
    assert "did not follow a standard TCE approach" in sections["reasons"].body
    assert "original ask was in relation to" in sections["reasons"].body
    assert "overall_goal" not in sections or not sections["overall_goal"].body
    assert ImportedFile.objects.filter(report=report).count() == 1
    assert not Signature.objects.filter(report=report).exists()
    assert not PendingImport.objects.exists()


def test_a_value_not_matched_to_the_register_must_be_checked(client, admin, bsp):
    """Torbay's details table words its agencies and authority type in ways the register does
    not have: they must be checked before the draft is made."""
    review = checked(client, upload(client, bsp, path=TORBAY, name="torbay.txt")["Location"])
    form = client.get(review).context["form"]
    assert [name for name in form.fields if name.startswith("confirm_")]
    data = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    response = client.post(review, data)
    assert response.status_code == 200
    assert "tick the box" in text(response)
    assert not LearningReport.objects.filter(bsp=bsp).exists()


@pytest.mark.parametrize("role", [Role.DELIVERY_PARTNER, Role.LOCAL_LEAD])
def test_only_admins_and_tce_leads_import(client, bsp, role):
    partnership = bsp.partnership if role == Role.LOCAL_LEAD else None
    client.force_login(UserFactory(role=role, partnership=partnership))
    assert client.get(reverse("reports:import")).status_code == 403
    assert upload(client, bsp).status_code == 403


def test_someone_elses_upload_is_not_theirs_to_see(client, admin, bsp):
    review = upload(client, bsp)["Location"]
    client.force_login(UserFactory(role=Role.PROGRAMME_ADMIN))
    assert client.get(review).status_code == 404


def test_a_tce_lead_imports_the_report_of_a_bsp_they_lead(client, bsp):
    lead = UserFactory(role=Role.TCE_LEAD)
    bsp.tce_lead = lead
    bsp.save()
    client.force_login(lead)
    form = client.get(reverse("reports:import")).context["form"]
    assert list(form.fields["bsp"].queryset) == [bsp]  # only the BSPs they lead
    review = checked(client, upload(client, bsp)["Location"])
    form = client.get(review).context["form"]
    data = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    data.update({name: "on" for name in form.fields if name.startswith("confirm_")})
    client.post(review, data)
    assert LearningReport.objects.get(bsp=bsp).imported_files.get().imported_by == lead


def test_while_the_file_is_read_the_page_polls_then_reloads_to_show_what_was_found(
    client, admin, bsp
):
    review = upload(client, bsp)["Location"]
    pending = PendingImport.objects.get()
    assert pending.state == PendingImport.State.WAITING
    first = client.get(review, headers={"HX-Request": "true"})
    assert first.status_code == 202
    assert 'hx-trigger="every 2s"' in text(first)
    pending.refresh_from_db()
    assert pending.state == PendingImport.State.READ  # read once the answer had gone
    ready = client.get(review, headers={"HX-Request": "true"})
    assert ready.status_code == 204
    assert ready["HX-Refresh"] == "true"


def test_a_file_that_cannot_be_read_says_why_and_nothing_is_kept(client, admin, bsp):
    review = upload(client, bsp, path=b"\n \n\n", name="empty.txt")["Location"]
    assert client.get(review).status_code == 202
    refused = client.get(review)
    assert refused.status_code == 422
    assert "could not be imported" in text(refused)
    assert not PendingImport.objects.exists()
    assert not LearningReport.objects.filter(bsp=bsp).exists()


def test_a_file_with_no_heading_of_the_template_is_refused_and_not_kept(client, admin, bsp):
    """Text with no recognisable structure: there is nothing to check section by section."""
    shopping = b"Milk and bread.\n\nEggs, butter and a newspaper.\n"
    review = upload(client, bsp, path=shopping, name="notes.txt")["Location"]
    assert client.get(review).status_code == 202
    refused = client.get(review)
    assert refused.status_code == 422
    assert "No heading of the Project Learning Report template was found" in text(refused)
    assert not PendingImport.objects.exists()
    assert not LearningReport.objects.filter(bsp=bsp).exists()
