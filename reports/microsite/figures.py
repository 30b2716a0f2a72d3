"""The programme in figures, computed from the register of BSPs (never typed in).

``programme_figures()`` reads the register in three queries (BSPs with their region and
partnership, their themes, the regions) and counts in Python, so the page's cost does not grow
with the number of BSPs in queries, only in rows.
"""

from collections import Counter
from dataclasses import dataclass, field

from partnerships.models import BespokeSupportProject, BSPType, Region, programme_year_label

from ..models import LearningReport

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
class AppendixYear:
    """The annual report's appendix table for one programme year, with its totals."""

    year: int
    rows: list[BespokeSupportProject] = field(default_factory=list)

    @property
    def label(self):
        return programme_year_label(self.year)

    @property
    def groups(self):
        """[(type label, [rows])] in the appendix's order: Standard, Complex, Regional."""
        return [
            (BSPType(kind).label, [row for row in self.rows if row.bsp_type == kind])
            for kind in TYPE_ORDER
            if any(row.bsp_type == kind for row in self.rows)
        ]

    @property
    def bsp_count(self):
        return len(self.rows)

    @property
    def region_count(self):
        return len({row.region_id for row in self.rows})

    @property
    def local_authority_count(self):
        return sum(row.number_of_local_authorities for row in self.rows)


def focus_label(bsp) -> str:
    return bsp.focus_as_stated or UNKNOWN_FOCUS


def programme_figures() -> dict:
    # The register in the appendix's order: by year, type, then the order BSPs were registered.
    register = list(
        BespokeSupportProject.objects.select_related("region", "partnership")
        .prefetch_related("themes")
        .order_by("-programme_year", "pk")
    )
    regions = list(Region.objects.order_by("name"))
    by_region = Counter(bsp.region_id for bsp in register)
    by_type = Counter(bsp.bsp_type for bsp in register)
    by_year = Counter(bsp.programme_year for bsp in register)
    by_theme = Counter()
    for bsp in register:
        names = [theme.name for theme in bsp.themes.all()]
        by_theme.update(names or [UNKNOWN_FOCUS])

    years: dict[int, AppendixYear] = {}
    for bsp in register:
        years.setdefault(bsp.programme_year, AppendixYear(year=bsp.programme_year)).rows.append(bsp)
    for year in years.values():
        year.rows.sort(key=lambda bsp: (TYPE_ORDER.index(bsp.bsp_type), bsp.pk))

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
            bars=[Bar(programme_year_label(year), by_year[year]) for year in sorted(by_year)],
        ),
    ]
    return {
        "bsp_count": len(register),
        "region_count": len(by_region),
        "local_authority_count": sum(bsp.number_of_local_authorities for bsp in register),
        "published_count": LearningReport.objects.published().count(),
        "charts": charts,
        "tiles": tiles,
        "tile_size": RegionTile.SIZE,
        "map_size": RegionTile.SIZE * 4,
        "appendix_years": sorted(years.values(), key=lambda y: -y.year),
    }
