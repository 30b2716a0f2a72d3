"""The data migrations load England's regions and upper-tier local authorities."""

import csv
from collections import Counter

from partnerships.models import LocalAuthority
from partnerships.reference_data import LOCAL_AUTHORITIES_CSV


def test_nine_regions_named_as_the_programme_names_them(regions):
    assert sorted(regions) == [
        "East Midlands",
        "Eastern",
        "Greater London",
        "North East",
        "North West",
        "South East",
        "South West",
        "West Midlands",
        "Yorkshire and Humber",
    ]
    assert regions["Eastern"].ons_name == "East of England"
    assert regions["Greater London"].ons_code == "E12000007"


def test_every_local_authority_has_a_region_and_a_unique_ons_code(db):
    authorities = list(LocalAuthority.objects.select_related("region"))
    assert len(authorities) == 153
    assert all(la.region_id for la in authorities)
    assert len({la.ons_code for la in authorities}) == 153


def test_local_authorities_match_the_source_file(db):
    with LOCAL_AUTHORITIES_CSV.open(newline="", encoding="utf-8") as f:
        rows = {row["ons_code"]: row for row in csv.DictReader(f)}
    for la in LocalAuthority.objects.select_related("region"):
        row = rows[la.ons_code]
        assert (la.name, la.kind, la.region.ons_name) == (
            row["name"],
            row["kind"],
            row["region_name"],
        )


def test_counts_by_kind_and_region_are_the_ons_structure(db):
    kinds = Counter(LocalAuthority.objects.values_list("kind", flat=True))
    assert kinds == {
        "unitary": 63,
        "metropolitan district": 36,
        "london borough": 33,
        "county": 21,
    }
    by_region = Counter(LocalAuthority.objects.values_list("region__ons_name", flat=True))
    assert by_region == {
        "North East": 12,
        "North West": 24,
        "Yorkshire and The Humber": 15,
        "East Midlands": 10,
        "West Midlands": 14,
        "East of England": 11,
        "London": 33,
        "South East": 19,
        "South West": 15,
    }
