"""The details page (the report's title and its BSP's details), as its form gives them and as
the service saves them."""

from reports.authoring import services as authoring_services


def details(cast, **changes):
    """The details page's values for the cast's report as the form gives them, with changes."""
    bsp = cast.report.bsp
    values = {
        "title": cast.report.title,
        "size": bsp.size,
        "number_of_local_authorities": bsp.number_of_local_authorities,
        "local_authorities_as_stated": bsp.local_authorities_as_stated,
        "regional_area_as_stated": bsp.regional_area_as_stated,
        "methodologies": list(bsp.methodologies.all()),
        "methodology_as_stated": bsp.methodology_as_stated,
        "delivery_mode": bsp.delivery_mode,
        "commenced": bsp.commenced,
    }
    values.update(changes)
    return values


def save_details(cast, *, version, who=None, form=None, **changes):
    """Save the details as ``who`` (the partner); ``form``: values read before, else now."""
    return authoring_services.update_bsp_details(
        report=cast.report,
        actor=who or cast.partner,
        details=form or details(cast, **changes),
        based_on_version=version,
    )
