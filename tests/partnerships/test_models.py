"""The database keeps the rules: bad rows give a clear form error, and never reach the table."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Role, User
from partnerships.models import BespokeSupportProject, programme_year_for
from tests.factories import BespokeSupportProjectFactory, PartnershipFactory


@pytest.fixture
def bsp(db):
    return BespokeSupportProjectFactory()


def test_a_bsp_covers_at_least_one_local_authority(bsp):
    bsp.number_of_local_authorities = 0
    with pytest.raises(ValidationError) as error:
        bsp.full_clean()
    assert "number_of_local_authorities" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        BespokeSupportProject.objects.filter(pk=bsp.pk).update(number_of_local_authorities=0)


def test_bsp_type_must_be_one_of_the_three(bsp):
    bsp.bsp_type = "huge"
    with pytest.raises(ValidationError, match="not a valid choice"):
        bsp.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        BespokeSupportProject.objects.filter(pk=bsp.pk).update(bsp_type="huge")


def test_delivery_mode_may_be_unknown_but_not_invented(bsp):
    BespokeSupportProject.objects.filter(pk=bsp.pk).update(delivery_mode="")
    with pytest.raises(IntegrityError), transaction.atomic():
        BespokeSupportProject.objects.filter(pk=bsp.pk).update(delivery_mode="carrier pigeon")


def test_date_commenced_has_month_precision(bsp):
    bsp.commenced = datetime.date(2020, 8, 17)
    bsp.save()
    bsp.refresh_from_db()
    assert bsp.commenced == datetime.date(2020, 8, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        BespokeSupportProject.objects.filter(pk=bsp.pk).update(commenced=datetime.date(2020, 8, 2))


def test_programme_year_is_labelled_as_the_programme_does(bsp):
    bsp.programme_year = 2020
    assert bsp.programme_year_label == "2020-21"
    bsp.programme_year = 2099
    assert bsp.programme_year_label == "2099-00"
    assert programme_year_for(datetime.date(2021, 3, 31)) == 2020
    assert programme_year_for(datetime.date(2021, 4, 1)) == 2021


def test_programme_year_before_the_programme_is_rejected(bsp):
    bsp.programme_year = 2018
    with pytest.raises(ValidationError) as error:
        bsp.full_clean()
    assert "programme_year" in error.value.message_dict


def test_one_bsp_per_local_area_and_year(bsp):
    duplicate = BespokeSupportProjectFactory.build(
        partnership=bsp.partnership,
        local_area=bsp.local_area,
        region=bsp.region,
        programme_year=bsp.programme_year,
    )
    with pytest.raises(ValidationError, match="already exists"):
        duplicate.full_clean()


def test_unknown_focus_stays_unknown(bsp):
    assert not bsp.focus_is_known
    assert bsp.themes.count() == 0


def test_a_local_lead_belongs_to_a_partnership(db):
    lead = User(email="lead@example.org", full_name="A Lead", role=Role.LOCAL_LEAD)
    with pytest.raises(ValidationError, match="must belong to a partnership"):
        lead.full_clean(exclude=["password"])
    lead.partnership = PartnershipFactory()
    lead.full_clean(exclude=["password"])


def test_email_is_the_login_and_unique_whatever_the_case(db):
    User.objects.create_user("Someone@Example.org", "pw-long-enough-1", full_name="Someone")
    user = User.objects.get_by_natural_key("someone@example.org")
    assert user.email == "someone@example.org"
    with pytest.raises(ValidationError):
        User.objects.create_user("SOMEONE@example.org", "pw", full_name="Again")
