"""What a reader makes of a file: a flat list of blocks, in reading order, and warnings."""

from dataclasses import asdict, dataclass, field


class ImportRefused(Exception):
    """The file cannot be imported; ``str(error)`` says why, to the person who uploaded it.
    Nothing has been written when this is raised."""


class Kind:
    HEADING = "heading"  # a heading by style (level 1-6) or by looks (a short bold line)
    PARAGRAPH = "paragraph"
    LIST = "list"  # one <ul>/<ol> with its items
    TABLE = "table"  # one <table>; for the details table, see ``Block.rows``
    FOOTNOTES = "footnotes"  # the document's footnotes, as an <ol> of <li id="footnote-N">


@dataclass
class Block:
    kind: str
    # The block as HTML, already through the portal's sanitiser (reports.richtext): <p>, <ul>,
    # <table>..., with footnote calls as <sup><a href="#footnote-N">N</a></sup>.
    html: str
    # The same as plain text, white space collapsed: what headings are recognised by.
    text: str
    # A heading's level (1-6); 0 for a short line that is all bold (a heading by its looks).
    level: int = 0
    # A table's rows as plain-text cells, for the details table and the sign-off block.
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class ImportedDocument:
    source: str  # "docx", "pdf", "text"
    blocks: list[Block]
    warnings: list[str] = field(default_factory=list)
    # Word only: what the file says about who wrote and changed it (comments, tracked deletions,
    # hidden text, authors in its properties), shown as a warning before import: it can name
    # people.
    people_warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """As stored while the person checks it (``PendingImport.reading``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ImportedDocument":
        return cls(
            source=data["source"],
            blocks=[Block(**block) for block in data["blocks"]],
            warnings=list(data.get("warnings", [])),
            people_warnings=list(data.get("people_warnings", [])),
        )
