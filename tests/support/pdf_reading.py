"""Reading the portal's PDFs in tests, with pypdf: text per page, outline, metadata, tagging."""

import io
import re
from dataclasses import dataclass

import pypdf

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Text with all runs of white space as one space: PDF line breaks fall anywhere."""
    return _SPACE.sub(" ", text).strip()


@dataclass
class ReadPdf:
    reader: pypdf.PdfReader
    pages: list[str]  # squashed text of each page

    @property
    def text(self) -> str:
        return " ".join(self.pages)

    @property
    def root(self):
        return self.reader.trailer["/Root"]

    @property
    def title(self):
        return self.reader.metadata.title

    @property
    def language(self):
        return self.root.get("/Lang")

    @property
    def is_tagged(self) -> bool:
        mark_info = self.root.get("/MarkInfo")
        return "/StructTreeRoot" in self.root and bool(mark_info and mark_info.get("/Marked"))

    def outline(self, items=None, depth=1):
        """[(depth, title), ...] of the bookmarks, in order."""
        found = []
        for item in self.reader.outline if items is None else items:
            if isinstance(item, list):
                found.extend(self.outline(item, depth + 1))
            else:
                found.append((depth, item.title))
        return found

    def page_of(self, words: str, start: int = 0) -> int:
        """The 1-based number of the first page from ``start`` (0-based) holding ``words``."""
        for index in range(start, len(self.pages)):
            if squash(words) in self.pages[index]:
                return index + 1
        raise AssertionError(f"{words!r} is on no page")

    def font_names(self) -> set[str]:
        names = set()
        for page in self.reader.pages:
            fonts = page.get("/Resources", {}).get("/Font", {})
            for font in fonts.values():
                names.add(str(font.get_object().get("/BaseFont")))
        return names

    def assert_in_order(self, texts):
        """Each of ``texts`` appears in the document, after the one before it."""
        position = 0
        for text in texts:
            found = self.text.find(squash(text), position)
            assert found >= 0, f"{text!r} is missing, or out of order, in the PDF"
            position = found + 1


def read_pdf(content: bytes) -> ReadPdf:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return ReadPdf(reader=reader, pages=[squash(page.extract_text()) for page in reader.pages])
