"""What the conditions the portal writes in SQL (``RawSQL``) are made of: every name in them is
a model's own, quoted for the database; every value is a parameter."""

from django.db import connections


def column(model, field_name: str, using: str = "default") -> str:
    """A model's field as SQL names it on its own table: ``"reports_learningreport"."bsp_id"``."""
    quote = connections[using].ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(field_name).column)}"
