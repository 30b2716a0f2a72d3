"""The "Details of Bespoke Support Project (BSP)" table at the head of every report, as rows of
text: the report's own wording (the BSP's ``..._as_stated`` fields) where it has one, else the
register's. The working copy reads it from the BSP; a published edition keeps the rows it was
signed with (``Edition.details``)."""

from django.utils.dateformat import format as format_date

CAPTION = "Details of Bespoke Support Project (BSP)"
NOT_RECORDED = "Not recorded"
AGENCIES = "Core partner agencies involved"
SIZE = "BSP size"


def value(rows_, label) -> str:
    """The value of row ``label`` of a table (``rows``), empty when it is not recorded."""
    found = dict(rows_).get(label, "")
    return "" if found == NOT_RECORDED else found


def rows(bsp, agencies=None) -> list[tuple[str, str]]:
    """(label, value) for each row of the table. Reads the partnership's agencies (or
    ``agencies``, in order) and the BSP's methodologies: prefetch them (``with_agencies``,
    ``bsp__methodologies``) for many reports."""
    if agencies is None:
        agencies = bsp.partnership.agencies_in_order()
    agencies = bsp.agencies_as_stated or "; ".join(agency.name for agency in agencies)
    methodologies = bsp.methodology_as_stated or ", ".join(
        methodology.name for methodology in bsp.methodologies.all()
    )
    delivery = bsp.delivery_mode_as_stated or bsp.get_delivery_mode_display()
    commenced = bsp.commenced_as_stated or (
        format_date(bsp.commenced, "F Y") if bsp.commenced else ""
    )
    return [
        ("Partnership name", bsp.partnership.name),
        (AGENCIES, agencies or NOT_RECORDED),
        (
            "Number of local authority areas covered",
            bsp.local_authorities_as_stated or str(bsp.number_of_local_authorities),
        ),
        ("Regional area", bsp.regional_area_as_stated or bsp.region.name),
        (SIZE, bsp.size or bsp.get_bsp_type_display()),
        ("BSP methodology / methodologies", methodologies or NOT_RECORDED),
        ("Digital / face to face / mixed delivery", delivery or NOT_RECORDED),
        ("Date BSP commenced", commenced or NOT_RECORDED),
    ]
