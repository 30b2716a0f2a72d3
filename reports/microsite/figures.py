"""The programme in figures, computed from the register of BSPs (never typed in).

``programme_figures()`` counts with grouped queries (by region, type, year and theme) and never
reads the register's rows; the counts are stored until the next change (``summary.py``), so the
page costs the same at 20 BSPs or 10,000. The annual report's
appendix table has a page per programme year (``appendix_year``), a page of rows at a time.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Sum, Value, When

from partnerships.models import BespokeSupportProject, BSPType, Region, programme_year_label

from ..models import LearningReport
from . import summary

TYPE_ORDER = [BSPType.STANDARD, BSPType.COMPLEX, BSPType.REGIONAL]
UNKNOWN_FOCUS = "Not known"

# England's 9 regions as a tile grid (column, row), north at the top: a schematic, not a map of
# boundaries. Keys are ONS region codes.
REGION_TILES = {
    "E12000001": (2, 0),  # North East
    "E12000002": (1, 1),  # North West
    "E12000003": (2, 1),  # Yorkshire and The Humber
    "E12000005": (1, 2),  # West Midlands
    "E12000004": (2, 2),  # East Midlands
    "E12000006": (3, 2),  # East of England
    "E12000009": (1, 3),  # South West
    "E12000007": (2, 3),  # London
    "E12000008": (3, 3),  # South East
}


@dataclass
class Bar:
    label: str
    value: int
    url: str = ""


@dataclass
class Chart:
    """A horizontal bar chart drawn as SVG, with the same numbers as a table."""

    slug: str
    title: str
    label_heading: str
    bars: list[Bar]
    note: str = ""

    LABEL_WIDTH = 230
    BAR_AREA = 300
    ROW_HEIGHT = 32
    BAR_HEIGHT = 22

    @property
    def maximum(self):
        return max((bar.value for bar in self.bars), default=0) or 1

    @property
    def height(self):
        return self.ROW_HEIGHT * len(self.bars) + 8

    @property
    def width(self):
        return self.LABEL_WIDTH + self.BAR_AREA + 50

    @property
    def rows(self):
        """Geometry of each bar, in the SVG's own units."""
        for index, bar in enumerate(self.bars):
            y = 4 + index * self.ROW_HEIGHT
            length = round(self.BAR_AREA * bar.value / self.maximum, 1)
            yield {
                "bar": bar,
                "y": y,
                "text_y": y + self.BAR_HEIGHT - 6,
                "bar_x": self.LABEL_WIDTH,
                "length": length,
                "value_x": self.LABEL_WIDTH + length + 6,
            }

    @property
    def total(self):
        return sum(bar.value for bar in self.bars)


@dataclass
class RegionTile:
    region: Region
    count: int
    x: int
    y: int
    shade: int

    SIZE = 110

    @property
    def centre_x(self):
        return self.x + self.SIZE // 2

    @property
    def labels(self):
        """The region's name on one or two lines: [(text, y)]."""
        words = self.region.name.split(" ")
        lines = words if len(words) <= 2 else [" ".join(words[:2]), " ".join(words[2:])]
        return [(line, self.y + 30 + 18 * index) for index, line in enumerate(lines)]

    @property
    def count_y(self):
        return self.y + 84


@dataclass
class YearSummary:
    """One programme year in figures: a row of the programme page's table of years."""

    year: int
    bsp_count: int
    region_count: int
    local_authority_count: int

    @property
    def label(self):
        return programme_year_label(self.year)


def register_counts() -> dict:
    """The register's totals and its counts by region, type, focus and programme year (grouped
    queries, never its rows), stored until the next change (``summary``)."""
    return summary.remembered("programme", _register_counts)


def _register_counts() -> dict:
    register = BespokeSupportProject.objects.all()
    years = (
        register.values_list("programme_year")
        .annotate(
            bsps=Count("pk"),
            regions=Count("region", distinct=True),
            authorities=Sum("number_of_local_authorities"),
        )
        .order_by("-programme_year")
    )
    by_theme = dict(
        BespokeSupportProject.themes.through.objects.values_list("theme__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    totals = register.aggregate(
        bsps=Count("pk"),
        regions=Count("region", distinct=True),
        authorities=Sum("number_of_local_authorities"),
    )
    return {
        # JSON: the region ids are the keys' strings.
        "by_region": {
            str(pk): n
            for pk, n in register.values_list("region").annotate(n=Count("pk")).order_by()
        },
        "by_type": dict(register.values_list("bsp_type").annotate(n=Count("pk")).order_by()),
        "by_theme": by_theme,
        "unknown_focus": register.filter(themes__isnull=True).count(),
        "years": [
            [year, bsps, regions, authorities or 0] for year, bsps, regions, authorities in years
        ],
        "bsp_count": totals["bsps"],
        "region_count": totals["regions"],
        "local_authority_count": totals["authorities"] or 0,
        "published_count": LearningReport.objects.published().count(),
    }


def year_summaries() -> list[YearSummary]:
    """Every programme year, newest first, with its totals."""
    return [YearSummary(*row) for row in register_counts()["years"]]


def appendix_rows(year: int):
    """The BSPs of one programme year in the appendix's order: by type (Standard, Complex,
    Regional), then the order they were registered."""
    type_order = Case(
        *(When(bsp_type=kind, then=Value(index)) for index, kind in enumerate(TYPE_ORDER)),
        default=Value(len(TYPE_ORDER)),
        output_field=IntegerField(),
    )
    return (
        BespokeSupportProject.objects.filter(programme_year=year)
        .select_related("region", "partnership")
        .annotate(type_order=type_order)
        .order_by("type_order", "pk")
    )


def programme_figures() -> dict:
    counts = register_counts()
    regions = list(Region.objects.order_by("name"))
    by_region = {int(pk): n for pk, n in counts["by_region"].items()}
    by_type = counts["by_type"]
    by_theme = Counter(counts["by_theme"])
    if counts["unknown_focus"]:
        by_theme[UNKNOWN_FOCUS] = counts["unknown_focus"]
    years = [YearSummary(*row) for row in counts["years"]]

    most = max(by_region.values(), default=0)
    tiles = []
    for region in regions:
        if region.ons_code not in REGION_TILES:
            continue
        column, row = REGION_TILES[region.ons_code]
        count = by_region.get(region.pk, 0)
        shade = 0 if not count else 1 + min(3, (count * 4 - 1) // max(most, 1))
        tiles.append(
            RegionTile(
                region=region,
                count=count,
                x=column * RegionTile.SIZE,
                y=row * RegionTile.SIZE,
                shade=shade,
            )
        )

    themes = sorted(
        (name for name in by_theme if name != UNKNOWN_FOCUS), key=lambda n: (-by_theme[n], n)
    )
    if UNKNOWN_FOCUS in by_theme:
        themes.append(UNKNOWN_FOCUS)
    charts = [
        Chart(
            slug="region",
            title="BSPs by region",
            label_heading="Region",
            bars=[
                Bar(region.name, by_region.get(region.pk, 0), region.get_absolute_url())
                for region in regions
            ],
        ),
        Chart(
            slug="type",
            title="BSPs by type",
            label_heading="Type of BSP",
            bars=[Bar(BSPType(kind).label, by_type.get(kind, 0)) for kind in TYPE_ORDER],
        ),
        Chart(
            slug="focus",
            title="BSPs by focus",
            label_heading="Focus",
            bars=[Bar(name, by_theme[name]) for name in themes],
            note="A BSP with more than one focus counts under each; "
            f"“{UNKNOWN_FOCUS}” is a BSP whose focus the register does not state.",
        ),
        Chart(
            slug="year",
            title="BSPs by programme year",
            label_heading="Programme year",
            bars=[Bar(year.label, year.bsp_count) for year in reversed(years)],
        ),
    ]
    return {
        "bsp_count": counts["bsp_count"],
        "region_count": counts["region_count"],
        "local_authority_count": counts["local_authority_count"],
        "published_count": counts["published_count"],
        "charts": charts,
        "tiles": tiles,
        "tile_size": RegionTile.SIZE,
        "map_size": RegionTile.SIZE * 4,
        "years": years,
    }
