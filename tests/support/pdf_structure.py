"""What a PDF's tags and bookmarks say about its structure, read with pikepdf: the checks that
a tagged PDF is usable with a screen reader (PDF/UA's structure, as far as it can be asserted
without a person)."""

import io
from dataclasses import dataclass, field
from itertools import pairwise

import pikepdf


@dataclass
class Structure:
    lang: str
    display_doc_title: bool
    marked: bool
    tags: list[str] = field(default_factory=list)  # structure elements, depth first
    figures_without_alt: int = 0
    tables_without_header_cells: int = 0
    outline: list[tuple[int, str]] = field(default_factory=list)  # (level, title), depth first

    @property
    def heading_levels(self) -> list[int]:
        return [int(tag[2]) for tag in self.tags if len(tag) == 3 and tag[:2] == "/H"]


def read_structure(content: bytes) -> Structure:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        root = pdf.Root
        preferences = root.get("/ViewerPreferences") or {}
        structure = Structure(
            lang=str(root.get("/Lang", "")),
            display_doc_title=bool(preferences.get("/DisplayDocTitle", False)),
            marked=bool((root.get("/MarkInfo") or {}).get("/Marked", False)),
        )
        if "/StructTreeRoot" in root:
            _walk(root.StructTreeRoot.get("/K"), structure)
        with pdf.open_outline() as outline:
            _walk_outline(outline.root, 0, structure.outline)
    return structure


def _walk(node, structure: Structure) -> None:
    if isinstance(node, pikepdf.Array):
        for child in node:
            _walk(child, structure)
        return
    if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
        return
    tag = str(node.S)
    structure.tags.append(tag)
    if tag == "/Figure" and not str(node.get("/Alt", "")).strip():
        structure.figures_without_alt += 1
    if tag == "/Table":
        inner = Structure(lang="", display_doc_title=False, marked=False)
        _walk(node.get("/K"), inner)
        if "/TH" not in inner.tags:
            structure.tables_without_header_cells += 1
    _walk(node.get("/K"), structure)


def _walk_outline(items, level: int, found: list) -> None:
    for item in items:
        found.append((level, item.title))
        _walk_outline(item.children, level + 1, found)


def assert_accessible_structure(content: bytes, *, headings: list[str] = ()) -> Structure:
    """The checks of the PDF issue: a structure tree, the language en-GB, the title shown, every
    figure with alt text, every table with header cells, headings that never skip a level, and
    bookmarks that never skip a level and include each of ``headings``."""
    structure = read_structure(content)
    assert structure.marked, "not a tagged PDF (/MarkInfo /Marked)"
    assert "/Document" in structure.tags or structure.tags, "no structure tree"
    assert structure.lang == "en-GB", f"language {structure.lang!r}"
    assert structure.display_doc_title, "the title is not shown (DisplayDocTitle)"
    assert structure.figures_without_alt == 0, "a figure has no alt text"
    assert structure.tables_without_header_cells == 0, "a table has no header cell"
    levels = structure.heading_levels
    assert levels and levels[0] == 1, levels
    for before, after in pairwise(levels):
        assert after <= before + 1, f"a heading skips from H{before} to H{after}: {levels}"
    outline_levels = [level for level, _ in structure.outline]
    for before, after in pairwise(outline_levels):
        assert after <= before + 1, f"a bookmark skips a level: {structure.outline}"
    titles = [title for _, title in structure.outline]
    for heading in headings:
        assert heading in titles, f"no bookmark for {heading!r}: {titles}"
    return structure
