"""The microsite's search form and facets: django-filter over published reports.

Within a facet the options combine with "or" (South East or South West), across facets with "and".
Each facet's counts are computed with every other facet applied but not its own, so an option's
count is the number of reports its ticking would add or keep: one GROUP BY per facet, the six
sent to the database as one query. The counts of the unfiltered list (every published report)
are stored until the next change (``summary.py``); a search or choice of filters matching more
than ``FACET_COUNT_LIMIT`` reports lists the options without counts, since counting them would
read every match.
"""

import functools
from dataclasses import dataclass, field
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import CharField, Count, Value
from django.db.models.functions import Cast
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.text import slugify

from partnerships.models import (
    BespokeSupportProject,
    BSPType,
    DeliveryMode,
    Methodology,
    Region,
    Theme,
    programme_year_label,
)
from tce_portal.markup import format_html

from .. import search
from ..cards import ReportCard
from ..models import LearningReport
from ..template_sections import SECTIONS
from . import summary

# A search or choice of filters that matches more reports than this lists its filters' options
# without counting each one's reports (six GROUP BYs over every match: 30 ms at 10,000 matches).
FACET_COUNT_LIMIT = 2000
# A search or choice of filters that PostgreSQL estimates to match more reports than this is not
# counted: the page says "about" so many, the estimate rounded (``search.estimated_count``). Its
# pages are numbered from the estimate, and its last page (or one past the real end) counts the
# matches exactly. Above the two limits before it: such a list is neither ranked nor given
# facet counts, whichever way its exact count would fall.
EXACT_COUNT_LIMIT = 5000


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    TITLE = "title"
    CHOICES = [(RELEVANCE, "Relevance"), (NEWEST, "Newest first"), (TITLE, "A to Z")]


def _label(name: str) -> Value:
    return Value(name, output_field=CharField())


# The stored options' key, named for their shape: a value stored by a portal of an earlier shape
# (before a deployment) is never read as one of this.
OPTIONS_KEY = "facet-options-with-ids"
# The facets of which a BSP has one value, and the BSP's field that holds it (the region's id).
SINGLE_VALUED = {
    "region": "region",
    "type": "bsp_type",
    "delivery": "delivery_mode",
    "year": "programme_year",
}
# The facets whose options are rows of their own (a region, a theme, a methodology): a report's
# BSP holds their ids, and their options are named by slug.
NAMED_FACETS = ("region", "focus", "methodology")


def _stored_options(stored: dict) -> dict:
    """The options of the region, focus, methodology and year facets, and the slugs of the
    first three's ids, stored until the next change (``summary``)."""
    return stored.get(OPTIONS_KEY) or summary.remembered(OPTIONS_KEY, _read_option_choices)


def _option_choices(stored: dict) -> dict[str, list[tuple[str, str]]]:
    """The facets' options, as the form's choices: (value, label)."""
    options = _stored_options(stored)
    return {
        facet: [tuple(choice) for choice in options[facet]] for facet in (*NAMED_FACETS, "year")
    }


def _option_slugs(stored: dict) -> dict[str, dict[int, str]]:
    """Each named facet's options' slugs by id."""
    return {facet: dict(pairs) for facet, pairs in _stored_options(stored)["slugs"].items()}


def _read_option_choices() -> dict:
    """The options of the region, focus, methodology and year facets: the first three read in
    one query (UNION ALL), by name, with their slugs by id under "slugs"; programme years newest
    first (a query of their own, which PostgreSQL answers from an index alone, 0.8 ms at 10,000
    BSPs against 14 ms inside the union, where the years must be cast to text before they are
    made distinct)."""
    rows = (
        Region.objects.order_by()
        .values_list(_label("region"), "pk", "slug", "name")
        .union(
            Theme.objects.order_by().values_list(_label("focus"), "pk", "slug", "name"),
            Methodology.objects.order_by().values_list(_label("methodology"), "pk", "slug", "name"),
            all=True,
        )
    )
    choices = {facet: [] for facet in NAMED_FACETS}
    slugs = {facet: [] for facet in NAMED_FACETS}
    for facet, pk, value, name in rows:
        choices[facet].append((value, name))
        slugs[facet].append((pk, value))
    for options in choices.values():
        options.sort(key=lambda choice: choice[1])
    years = (
        BespokeSupportProject.objects.order_by("-programme_year")
        .values_list("programme_year", flat=True)
        .distinct()
    )
    choices["year"] = [(str(year), programme_year_label(year)) for year in years]
    return {**choices, "slugs": slugs}


class ReportFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label="Search the reports")
    region = django_filters.MultipleChoiceFilter(
        label="Region",
        choices=(),  # read in __init__
        field_name="bsp__region__slug",
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    focus = django_filters.MultipleChoiceFilter(
        label="Focus",
        choices=(),  # read in __init__
        method="filter_focus",
        widget=forms.CheckboxSelectMultiple,
    )
    type = django_filters.MultipleChoiceFilter(
        label="Type of BSP",
        choices=BSPType.choices,
        field_name="bsp__bsp_type",
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    methodology = django_filters.MultipleChoiceFilter(
        label="Methodology",
        choices=(),  # read in __init__
        method="filter_methodology",
        widget=forms.CheckboxSelectMultiple,
    )
    delivery = django_filters.MultipleChoiceFilter(
        label="Delivery",
        choices=DeliveryMode.choices,
        field_name="bsp__delivery_mode",
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    year = django_filters.MultipleChoiceFilter(
        label="Programme year",
        choices=(),  # read in __init__
        field_name="bsp__programme_year",
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sort = django_filters.ChoiceFilter(label="Sort by", choices=Sort.CHOICES, method="filter_sort")

    # How each facet's options are counted: the report field that holds the option's value.
    FACETS = {
        "region": "bsp__region__slug",
        "focus": "bsp__themes__slug",
        "type": "bsp__bsp_type",
        "methodology": "bsp__methodologies__slug",
        "delivery": "bsp__delivery_mode",
        "year": "bsp__programme_year",
    }

    class Meta:
        model = LearningReport
        fields = []

    def __init__(self, *args, figures=(), **kwargs):
        """``figures``: the keys of other stored figures the page needs, read in the same query
        (``stored_figures``)."""
        super().__init__(*args, **kwargs)
        # The stored options, and the unfiltered list's counts should this be it: one query.
        self._stored = summary.stored([OPTIONS_KEY, "facet-counts", *figures])
        for name, choices in _option_choices(self._stored).items():
            self.form.fields[name].choices = choices

    def get_form_class(self):
        """The form's class, made once a process (django-filter makes one a request): its
        fields never change, and each form's options are set on its own copies of them
        (``__init__``)."""
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    def filter_search(self, queryset, name, value):
        # The matches alone: ranked by ``ordered`` when sorted by relevance, and snippets cut
        # for the page shown (``search.with_snippets``).
        return queryset.matching(value)

    def filter_focus(self, queryset, name, value):
        return queryset.filter(bsp__in=BespokeSupportProject.objects.filter(themes__slug__in=value))

    def filter_methodology(self, queryset, name, value):
        return queryset.filter(
            bsp__in=BespokeSupportProject.objects.filter(methodologies__slug__in=value)
        )

    def filter_sort(self, queryset, name, value):
        return queryset  # ordering is applied last, in ``ordered``

    @property
    def stored_figures(self) -> dict:
        return self._stored

    @property
    def search_terms(self) -> str:
        return (self.form.cleaned_data.get("q") or "").strip() if self.form.is_valid() else ""

    @property
    def chosen_sort(self) -> str:
        """The order the visitor picked, or "" for the default."""
        chosen = self.form.cleaned_data.get("sort") if self.form.is_valid() else ""
        if chosen == Sort.RELEVANCE and not self.search_terms:
            return ""
        return chosen or ""

    @property
    def default_sort(self) -> str:
        return Sort.RELEVANCE if self.search_terms else Sort.NEWEST

    @property
    def sort_order(self) -> str:
        return self.chosen_sort or self.default_sort

    def sort_options(self) -> list[tuple[str, str]]:
        """The sort menu: the default first (value "", so that a new search is by relevance
        even when the previous page was sorted newest first), then the other orders."""
        labels = dict(Sort.CHOICES)
        default = self.default_sort
        if default == Sort.RELEVANCE and self.too_many_to_rank:
            default = Sort.NEWEST  # what the page does (and says), not what it cannot do
        return [("", labels[default])] + [
            (value, label)
            for value, label in Sort.CHOICES
            if value not in (default, self.default_sort)
            and (value != Sort.RELEVANCE or self.search_terms)
        ]

    @cached_property
    def unfiltered(self) -> bool:
        """Every published report, in any order: what the stored figures (``summary``) count."""
        return self.form.is_valid() and not any(
            value not in (None, "", [])
            for name, value in self.form.cleaned_data.items()
            if name != "sort"
        )

    @cached_property
    def count(self) -> int:
        """How many reports match (through the search index), or PostgreSQL's estimate of it
        above ``EXACT_COUNT_LIMIT`` (``count_is_estimate``).

        A list estimated to hold at most ``FACET_COUNT_LIMIT`` reports, whose facets will be
        counted, is counted in the same statement as its facets (``_facets_and_count``): one
        query, not two. (Every search is estimated, whatever the corpus's size: a page makes as
        many queries at 50 reports as at 10,000.)"""
        if self.unfiltered:
            return self._unfiltered_figures()["count"]
        estimate = search.estimated_count(self.qs)
        if estimate is not None and estimate > EXACT_COUNT_LIMIT:
            self.count_is_estimate = True
            return estimate
        if estimate is not None and estimate <= FACET_COUNT_LIMIT and self._counts_in_one:
            return self._facets_and_count[1]
        return self.qs.count()

    count_is_estimate = False

    def page(self, number, per_page: int):
        """The page ``number`` of the matching reports' cards (``ReportCard``, with a search's
        snippets: ``CardsInOrder``), in the chosen order, numbered from ``count``. A list whose
        count is an estimate is counted exactly on the estimate's last page, and on a short or
        empty one (the estimate was too high): its pages end where the list does, never on an
        empty page."""
        page = self._page(number, per_page)
        if self.count_is_estimate and (not page.has_next() or len(page.object_list) < per_page):
            self.count_is_estimate = False
            self.count = self.qs.count()
            page = self._page(number, per_page)
        return page

    def _page(self, number, per_page: int):
        paginator = Paginator(CardsInOrder(self.ordered(), self.search_terms), per_page)
        paginator.count = self.count  # counted (or estimated) once, for the order and the pages
        return paginator.get_page(number)

    @property
    def count_text(self) -> str:
        """The count as the page writes it: "1,234", or an estimate to two figures, "about
        10,000" (to two significant figures: 12,345 is "about 12,000")."""
        if not self.count_is_estimate:
            return f"{self.count:,}"
        rounded = round(self.count, 2 - len(str(self.count)))
        return f"about {rounded:,}"

    @property
    def counts_options(self) -> bool:
        """Whether the facets show how many reports each option has: always for the unfiltered
        list (stored figures), and for a search or a choice of filters that matches at most
        ``FACET_COUNT_LIMIT`` reports, whose counts are made afresh."""
        return self.unfiltered or self.count <= FACET_COUNT_LIMIT

    @property
    def facet_count_limit(self) -> int:
        return FACET_COUNT_LIMIT

    def _unfiltered_figures(self) -> dict:
        def figures():
            facets, count = self._facets_and_count
            return {"count": count, "facets": facets}

        return self._stored.get("facet-counts") or summary.remembered("facet-counts", figures)

    @property
    def too_many_to_rank(self) -> bool:
        """Relevance is the order asked for, but so many reports match (a word that is in most
        of them) that they are listed newest first instead: see ``search.RANK_LIMIT``."""
        return self.sort_order == Sort.RELEVANCE and not search.ranks_results(self.qs, self.count)

    def ordered(self):
        """The filtered reports in the chosen order."""
        queryset, sort = self.qs, self.sort_order
        if self.too_many_to_rank:
            sort = Sort.NEWEST  # not ranked (ranking reads every match's vector)
        elif sort == Sort.RELEVANCE:
            queryset = search.ranked(queryset, self.search_terms)
        order = {
            Sort.RELEVANCE: ["-search_rank", "-published_at", "title"],
            Sort.NEWEST: ["-published_at", "title"],
            Sort.TITLE: ["title"],
        }[sort]
        return queryset.order_by(*order)

    def queryset_without(self, facet: str):
        """The reports with every filter applied except ``facet``'s: for counting, so the
        search's matches are taken without their rank and snippet (``matching``)."""
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name in (facet, "sort") or value in (None, "", []):
                continue
            if name == "q":
                queryset = queryset.matching(value)
            else:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def facet_counts(self) -> dict[str, dict[str, int]] | None:
        """Each facet's count of reports by option, every facet with its own filters left out;
        ``None`` when they are not counted (``counts_options``)."""
        self.form.is_valid()
        if self.unfiltered:
            return self._unfiltered_figures()["facets"]
        if not self.counts_options:
            return None
        return self._count_facets()

    def _count_facets(self) -> dict[str, dict[str, int]]:
        """Each facet's counts. With no option chosen in any facet, every facet counts the same
        reports, in one statement with the list's count (``_count_facets_of``); otherwise each
        facet counts the reports of every other facet's choice (``_count_facets_apart``)."""
        if self._counts_in_one:
            return self._facets_and_count[0]
        return self._count_facets_apart()

    @property
    def _counts_in_one(self) -> bool:
        """No option is chosen in any facet: every facet counts the same reports, the list's
        own, and one statement counts them all and the list (``_count_facets_of``)."""
        return not any(self.form.cleaned_data.get(name) for name in self.FACETS)

    @cached_property
    def _facets_and_count(self) -> tuple[dict[str, dict[str, int]], int]:
        return _count_facets_of(self.queryset_without(None), _option_slugs(self._stored))

    def _count_facets_apart(self) -> dict[str, dict[str, int]]:
        """Each facet's GROUP BY over the reports of every other facet's choice."""
        grouped = [
            self.queryset_without(name)
            .order_by()
            .annotate(facet=Value(name, output_field=CharField()))
            .annotate(option=Cast(lookup, output_field=CharField()))
            .values("facet", "option")
            .annotate(n=Count("pk"))
            .values_list("facet", "option", "n")
            for name, lookup in self.FACETS.items()
        ]
        first, *rest = grouped
        counts = {name: {} for name in self.FACETS}
        for name, option, n in first.union(*rest, all=True):
            if option not in (None, ""):
                counts[name][option] = n
        return counts

    def facets(self) -> list["Facet"]:
        self.form.is_valid()
        facets = []
        all_counts = self.facet_counts()
        for name in self.FACETS:
            counts = None if all_counts is None else all_counts[name]
            selected = [str(v) for v in self.form.cleaned_data.get(name) or []]
            facet = Facet(name=name, label=self.filters[name].label)
            for value, label in self.form.fields[name].choices:
                value = str(value)
                if counts is None or counts.get(value) or value in selected:
                    facet.options.append(
                        Option(
                            value=value,
                            label=str(label),
                            count=None if counts is None else counts.get(value, 0),
                            selected=value in selected,
                            input_id=_input_id(name, value),
                            # Only a chosen option has a "remove this filter" link.
                            remove_query=(
                                self._query_without(name, value) if value in selected else ""
                            ),
                        )
                    )
            facets.append(facet)
        return facets

    def _query_without(self, name, value) -> str:
        """The query string of this search with one option removed (and no page number)."""
        pairs = [
            (key, item)
            for key in self.data
            if key != "page"
            for item in self.data.getlist(key)
            if not (key == name and item == value)
        ]
        return urlencode(pairs)

    def active_options(self, facets):
        return [option for facet in facets for option in facet.options if option.selected]


class CardsInOrder:
    """The cards of ``reports`` (published reports, in order), with the snippets of a search for
    ``terms``, as a ``Paginator`` slices them.

    The first page is one query: the reports in order, what their cards show (their edition,
    BSP and region, joined to each row kept) and their snippets, which PostgreSQL cuts only for
    the rows it returns: a millisecond less than finding the page's ids, then reading their
    cards. A later page skips the rows before it, and PostgreSQL would join them and cut their
    snippets too (page 30 of a common word at 10,000 reports: 220 ms), so it finds its ids
    first, then reads the cards of those reports alone."""

    def __init__(self, reports, terms: str):
        self.reports, self.terms = reports, terms

    def __getitem__(self, rows: slice) -> list[ReportCard]:
        if not rows.start:
            return search.with_snippets(self.reports, self.terms)[rows].cards()
        ids = list(self.reports.values_list("pk", flat=True)[rows])
        cards = search.with_snippets(
            LearningReport.objects.published().filter(pk__in=ids), self.terms
        ).cards()
        shown = {card.pk: card for card in cards}
        return [shown[pk] for pk in ids if pk in shown]  # (one withdrawn in between: gone)


def _count_facets_of(
    reports, slugs: dict[str, dict[int, str]]
) -> tuple[dict[str, dict[str, int]], int]:
    """The six facets' counts of ``reports`` (a queryset), and how many reports it holds, in one
    statement: the reports are found once (a common table expression: a search's matches are
    read once, not three times), then counted by their BSPs' region, type, delivery and year
    together (a row for each combination found: at most a few hundred, added up here), by theme
    and by methodology. ``slugs`` names the ids of regions, themes and methodologies (the stored
    options': an id not among them is not an option either).

    The ORM's union of six grouped querysets (``_count_facets_apart``) took 6.5 ms for a rare
    phrase at 10,000 reports, 4 of them in Python building its SQL. Grouping each facet apart,
    each joined to its named rows, took PostgreSQL 0.6 ms to plan; this 0.2. Every name in the
    SQL is the models' own table and column names, quoted (a test checks that both ways count
    the same)."""
    connection = connections[reports.db]
    quote = connection.ops.quote_name
    matched_sql, params = (
        reports.order_by().values("bsp_id").query.get_compiler(reports.db).as_sql()
    )
    bsp = BespokeSupportProject._meta
    single = [quote(bsp.get_field(name).column) for name in SINGLE_VALUED.values()]

    def tags(name) -> str:  # a BSP's themes or methodologies: their ids, from the through table
        field = bsp.get_field(name)
        through = quote(field.remote_field.through._meta.db_table)
        bsp_id, tag_id = quote(field.m2m_column_name()), quote(field.m2m_reverse_name())
        return (
            f"SELECT %s, tag.{tag_id}, NULL, NULL, NULL, COUNT(*) FROM matched "  # noqa: S608  # nosec B608
            f"JOIN {through} tag ON tag.{bsp_id} = matched.bsp_id GROUP BY tag.{tag_id}"
        )

    # No visitor's input is ever part of the statement: every value is a parameter (%s).
    combined = ", ".join(f"b.{name}" for name in single)
    statement = (
        f"WITH matched AS ({matched_sql}) "  # noqa: S608  # nosec B608
        f"SELECT NULL, {combined}, COUNT(*) FROM matched "
        f"JOIN {quote(bsp.db_table)} b ON b.{quote(bsp.pk.column)} = matched.bsp_id "
        f"GROUP BY {combined} UNION ALL {tags('themes')} UNION ALL {tags('methodologies')}"
    )
    counts = {name: {} for name in ReportFilter.FACETS}
    total = 0

    def add(facet, option, n):
        if option not in (None, ""):
            counts[facet][option] = counts[facet].get(option, 0) + n

    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, "focus", "methodology"])
        for tagged, *values, n in cursor.fetchall():
            if tagged is None:  # a combination of region, type, delivery and year
                total += n
                for facet, value in zip(SINGLE_VALUED, values, strict=True):
                    if facet in slugs:
                        add(facet, slugs[facet].get(value), n)
                    elif value is not None:
                        add(facet, str(value), n)
            else:  # a theme's or methodology's id
                add(tagged, slugs[tagged].get(values[0]), n)
    return counts, total


@functools.lru_cache(maxsize=4096)
def _input_id(facet: str, value: str) -> str:
    """An option's tick box's id: "facet-region-south-west" (made once a process: ``slugify``
    took a tenth of the filters' making)."""
    return f"facet-{facet}-{slugify(value)}"


@dataclass
class Option:
    value: str
    label: str
    count: int | None  # None: not counted (``ReportFilter.counts_options``)
    selected: bool
    input_id: str = ""  # its tick box's id
    remove_query: str = ""

    @property
    def count_text(self) -> str:
        """The count as the page writes it: "1,234"."""
        return f"{self.count:,}"

    def tick_box(self, facet: str) -> SafeString:
        """The option's tick box and label in the filters (``reports/_facets.html``), with its
        count when counted. Written here, not in the template: a list of filters has about 40,
        and the template language took 20 microseconds for each, this 3."""
        count = ""
        if self.count is not None:
            count = format_html(
                ' <span class="facet-count">({}<span class="visually-hidden"> report{}</span>)'
                "</span>",
                self.count_text,
                "" if self.count == 1 else "s",
            )
        # The format string is ours alone: " checked" is one of two constants.
        checked = " checked" if self.selected else ""
        return format_html(
            '<div class="form-check"><input class="form-check-input" type="checkbox" '
            'name="{}" value="{}" id="{}"' + checked + ">"
            '<label class="form-check-label" for="{}">{}{}</label></div>',
            facet,
            self.value,
            self.input_id,
            self.input_id,
            self.label,
            count,
        )


@dataclass
class Facet:
    name: str
    label: str
    options: list[Option] = field(default_factory=list)

    @property
    def tick_boxes(self) -> SafeString:
        """Every option's tick box (``Option.tick_box``), one after another."""
        # Each is safe (escaped as it was written), and so is their joining.
        return SafeString("\n".join(option.tick_box(self.name) for option in self.options))  # nosec B703 B308

    @property
    def has_selection(self):
        return any(option.selected for option in self.options)


SECTION_OPTIONS = [(spec.key, spec.heading) for spec in SECTIONS]


class SectionChoiceForm(forms.Form):
    """Which section of the template to read across reports, on the learning page."""

    section = forms.ChoiceField(
        label="Section of the report", choices=SECTION_OPTIONS, initial="significant_learning"
    )
