"""Checks made on an uploaded file before any parser sees it: its size, its type (from its
content, never its name), and for a Word file the archive itself (a zip bomb, odd paths) and its
XML (no document type declarations, so no external or expanding entities).

Each check raises ``ImportRefused`` with a message for the person who uploaded the file.
"""

import io
import re
import zipfile

from django.conf import settings

from .document import ImportRefused

DOCX = "docx"
PDF = "pdf"
TEXT = "text"

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# A Word file's parts, uncompressed, together: real reports with pictures stay far below this.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
# How much one part may shrink in the archive: XML compresses about 10 to 1; a bomb 1000 to 1.
MAX_RATIO = 100
RATIO_FROM = 1024 * 1024  # small parts may compress well (an empty-ish XML part), and are harmless
MAX_MEMBERS = 2000

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 .doc, and password-protected .docx
RTF_MAGIC = b"{\\rtf"
PDF_MAGIC = b"%PDF-"
# Readers allow some bytes before the PDF header; so do we, but not many.
PDF_MAGIC_WITHIN = 1024
DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")
# A declaration can bring entities (external files, or ones that expand a billion times);
# Word never writes one.
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

NOT_SUPPORTED = (
    "This is not a Word, PDF or text file. Save it as a Word document (.docx) or a PDF, "
    "and upload that."
)
OLD_WORD = (
    "This looks like an older Word file (.doc) or a Word file protected with a password. "
    "Open it in Word, remove any password, save it as a Word document (.docx) or a PDF, "
    "and upload that."
)
DAMAGED_WORD = (
    "This Word file is damaged or is not a real Word file. Open it in Word, save it again as a "
    "Word document (.docx) or a PDF, and upload that."
)
EMPTY = "This file is empty."


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    if limit >= 1024:
        return f"{limit / 1024:g} KB"
    return f"{limit} bytes"


def check_size(data: bytes) -> None:
    if not data:
        raise ImportRefused(EMPTY)
    limit = max_bytes()
    if len(data) > limit:
        raise ImportRefused(f"This file is larger than the {_size(limit)} limit.")


def file_type(data: bytes) -> str:
    """``DOCX``, ``PDF`` or ``TEXT``, from what the bytes are; anything else is refused."""
    if data.startswith(ZIP_MAGIC):
        return DOCX  # whether it really is one is for ``check_docx``
    if PDF_MAGIC in data[: PDF_MAGIC_WITHIN + len(PDF_MAGIC)]:
        return PDF
    if data.startswith(OLE_MAGIC):
        raise ImportRefused(OLD_WORD)
    if data.startswith(RTF_MAGIC):
        raise ImportRefused(NOT_SUPPORTED)
    if b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return TEXT
    raise ImportRefused(NOT_SUPPORTED)


def _bad_name(name: str) -> bool:
    return (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or "\x00" in name
        or ".." in name.split("/")
        or re.match(r"^[A-Za-z]:", name) is not None
    )


def check_docx(data: bytes) -> None:
    """Refuse a ZIP that is not a Word document, or that would be dangerous to open.

    The sizes come from the archive's central directory: nothing is decompressed to judge them,
    so a bomb is refused at once. Only then are the XML parts read, to look for declarations.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ImportRefused(DAMAGED_WORD) from error
    names = {member.filename for member in members}
    if not all(part in names for part in DOCX_PARTS):
        # A ZIP of something else (a spreadsheet, an OpenDocument file, photos...).
        raise ImportRefused(NOT_SUPPORTED)
    if len(members) > MAX_MEMBERS or len(names) != len(members):
        raise ImportRefused(DAMAGED_WORD)
    total = 0
    for member in members:
        if _bad_name(member.filename) or member.flag_bits & 0x1:  # 0x1: an encrypted part
            raise ImportRefused(DAMAGED_WORD)
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ImportRefused(DAMAGED_WORD)
        if member.filename.lower().endswith(".zip"):
            raise ImportRefused(DAMAGED_WORD)  # an archive inside: Word never puts one there
        total += member.file_size
        too_packed = member.file_size > RATIO_FROM and (
            member.file_size > MAX_RATIO * max(member.compress_size, 1)
        )
        if too_packed or total > MAX_UNCOMPRESSED:
            raise ImportRefused(DAMAGED_WORD)
    for member in members:
        if member.filename.lower().endswith((".xml", ".rels")):
            _check_xml(archive, member)


def _check_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    try:
        content = archive.read(member)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as error:
        raise ImportRefused(DAMAGED_WORD) from error
    # XML may be UTF-16: without its zero bytes, a declaration reads as in UTF-8.
    if _DECLARATION.search(content.replace(b"\x00", b"")):
        raise ImportRefused(DAMAGED_WORD)


def check(data: bytes) -> str:
    """Every check for ``data``; returns its type (``DOCX``, ``PDF`` or ``TEXT``)."""
    check_size(data)
    kind = file_type(data)
    if kind == DOCX:
        check_docx(data)
    return kind
