"""A published report as a public list shows it: its card (``ReportCard``), read as plain values
by ``LearningReportQuerySet.cards`` and written by the ``report_card`` template tag."""

import datetime
from dataclasses import dataclass

from partnerships.models import facts_line

from .addresses import report_address
from .dates import long_date

# What a card reads, in ``ReportCard``'s order (``values_list`` names).
CARD_FIELDS = (
    "pk",
    "slug",
    "published_at",
    "published_edition__title",
    "published_edition__number",
    "published_edition__published_at",
    "bsp__region__name",
    "bsp__bsp_type",
    "bsp__programme_year",
    "bsp__focus_as_stated",
)


@dataclass(slots=True)
class ReportCard:
    pk: int
    slug: str
    published_at: datetime.datetime | None
    title: str  # its published edition's
    edition_number: int | None
    edition_published_at: datetime.datetime | None
    region: str
    bsp_type: str
    programme_year: int
    focus_as_stated: str
    # From a search (``search.with_snippets``): the snippet and, on SQLite, the terms to mark.
    search_snippet: str = ""
    search_terms: str = ""

    def get_absolute_url(self) -> str:
        return report_address(self.slug)

    @property
    def card_line(self) -> str:
        """ "South West · Extra-familial BSP · 2021-22 · County lines": its BSP's region, type,
        programme year and focus as stated."""
        facts = facts_line(self.region, self.bsp_type, self.programme_year)
        return f"{facts} · {self.focus_as_stated}" if self.focus_as_stated else facts

    @property
    def card_dates(self) -> str:
        """ "Published 3 March 2024", with "; updated 5 May 2025" once it has a later edition;
        "" if never published."""
        if not self.published_at:
            return ""
        published = f"Published {long_date(self.published_at)}"
        if self.edition_number is not None and self.edition_number > 1:
            return f"{published}; updated {long_date(self.edition_published_at)}"
        return published
