"""Reference data the portal cannot work without, loaded by data migrations.

Kept apart from the migrations so tests and `seed_demo` read the same definitions.
"""

import csv
from pathlib import Path

from django.utils.text import slugify

DATA_DIR = Path(__file__).resolve().parent / "data"
LOCAL_AUTHORITIES_CSV = DATA_DIR / "local_authorities_england.csv"

# ONS region code -> the name the programme uses in its reports and register.
PROGRAMME_REGION_NAMES = {
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "Eastern",
    "E12000007": "Greater London",
    "E12000008": "South East",
    "E12000009": "South West",
}

# England's 39 territorial police forces (without "Police" or "Constabulary") -> the ONS region
# of the area they police: reports name a BSP's regional area by its force ("Sussex Police").
# A force whose area reaches over a regional boundary is given the region of most of it.
POLICE_FORCE_REGIONS = {
    "Cleveland": "E12000001",
    "Durham": "E12000001",
    "Northumbria": "E12000001",
    "Cheshire": "E12000002",
    "Cumbria": "E12000002",
    "Greater Manchester": "E12000002",
    "Lancashire": "E12000002",
    "Merseyside": "E12000002",
    "Humberside": "E12000003",
    "North Yorkshire": "E12000003",
    "South Yorkshire": "E12000003",
    "West Yorkshire": "E12000003",
    "Derbyshire": "E12000004",
    "Leicestershire": "E12000004",
    "Lincolnshire": "E12000004",
    "Northamptonshire": "E12000004",
    "Nottinghamshire": "E12000004",
    "Staffordshire": "E12000005",
    "Warwickshire": "E12000005",
    "West Mercia": "E12000005",
    "West Midlands": "E12000005",
    "Bedfordshire": "E12000006",
    "Cambridgeshire": "E12000006",
    "Essex": "E12000006",
    "Hertfordshire": "E12000006",
    "Norfolk": "E12000006",
    "Suffolk": "E12000006",
    "City of London": "E12000007",
    "Metropolitan": "E12000007",
    "Hampshire": "E12000008",
    "Kent": "E12000008",
    "Surrey": "E12000008",
    "Sussex": "E12000008",
    "Thames Valley": "E12000008",
    "Avon and Somerset": "E12000009",
    "Devon and Cornwall": "E12000009",
    "Dorset": "E12000009",
    "Gloucestershire": "E12000009",
    "Wiltshire": "E12000009",
}

THEMES = [
    "Partnership",
    "Data",
    "Strategy",
    "Culture",
    "Disruption",
    "Quality assurance",
    "Transitional safeguarding",
    "Early intervention",
    "Community response",
    "Mixed",
]

# The methodologies the report template lists for Standard projects, plus "Cultural change",
# which the Torbay report names.
METHODOLOGIES = [
    "Partnership",
    "Theory of Change",
    "Strategy",
    "Data",
    "Action research",
    "Bespoke",
    "Cultural change",
]


def local_authority_rows():
    with LOCAL_AUTHORITIES_CSV.open(newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def load_reference_data(apps):
    """Create or update regions, local authorities, themes and methodologies (idempotent)."""
    Region = apps.get_model("partnerships", "Region")
    LocalAuthority = apps.get_model("partnerships", "LocalAuthority")
    Theme = apps.get_model("partnerships", "Theme")
    Methodology = apps.get_model("partnerships", "Methodology")

    rows = list(local_authority_rows())
    regions = {}
    for row in rows:
        code = row["region_code"]
        if code not in regions:
            name = PROGRAMME_REGION_NAMES[code]
            regions[code], _ = Region.objects.update_or_create(
                ons_code=code,
                defaults={"name": name, "ons_name": row["region_name"], "slug": slugify(name)},
            )
    for row in rows:
        LocalAuthority.objects.update_or_create(
            ons_code=row["ons_code"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "region": regions[row["region_code"]],
            },
        )
    for name in THEMES:
        Theme.objects.get_or_create(name=name, defaults={"slug": slugify(name)})
    for name in METHODOLOGIES:
        Methodology.objects.get_or_create(name=name, defaults={"slug": slugify(name)})
