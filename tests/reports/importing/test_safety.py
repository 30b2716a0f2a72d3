"""Files refused before any parser sees them: the wrong type, too large, a zip bomb, entities."""

import io
import time
import zipfile

import pytest
from django.test import override_settings

from reports.importing import readers, safety
from reports.importing.document import ImportRefused
from reports.models import LearningReport, ReportSection

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>'
)


def refused(data: bytes, filename: str = "report.docx") -> str:
    """The message ``read`` refuses ``data`` with; nothing is written to the database."""
    before = LearningReport.objects.count(), ReportSection.objects.count()
    with pytest.raises(ImportRefused) as refusal:
        readers.read(data, filename)
    assert (LearningReport.objects.count(), ReportSection.objects.count()) == before
    return str(refusal.value)


def a_zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_a_picture_named_like_a_word_file_is_refused_by_its_content(db):
    assert refused(PNG, "report.docx") == safety.NOT_SUPPORTED


def test_an_old_word_file_is_refused_with_how_to_save_it(db):
    message = refused(safety.OLE_MAGIC + bytes(512), "report.doc")
    assert "save it as a Word document (.docx) or a PDF" in message


def test_a_zip_that_is_not_a_word_file_is_refused(db):
    data = a_zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
    assert refused(data, "report.docx") == safety.NOT_SUPPORTED


def test_a_damaged_word_file_is_refused(db):
    data = a_zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document"})
    assert refused(data[: len(data) // 2]) == safety.DAMAGED_WORD
    assert refused(data) == safety.DAMAGED_WORD  # a real ZIP, but no Word document inside


def test_an_empty_file_is_refused(db):
    assert refused(b"") == safety.EMPTY


@override_settings(IMPORT_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused(db):
    assert refused(b"Some text. " * 100, "report.txt") == (
        "This file is larger than the 1000 bytes limit."
    )


def test_the_size_limit_is_20_mb_by_default():
    assert safety.max_bytes() == 20 * 1024 * 1024
    with pytest.raises(ImportRefused, match=r"^This file is larger than the 20 MB limit\.$"):
        safety.check_size(bytes(20 * 1024 * 1024 + 1))


def test_a_zip_bomb_dressed_as_a_word_file_is_refused_at_once_without_expanding(db):
    zeros = bytes(1024 * 1024)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<w:document/>")
        with archive.open("word/media/image1.png", "w", force_zip64=True) as member:
            for _ in range(400):  # 400 MB of zeros
                member.write(zeros)
    bomb = out.getvalue()
    assert len(bomb) < 1024 * 1024

    started = time.perf_counter()
    message = refused(bomb)
    assert time.perf_counter() - started < 1
    assert message == safety.DAMAGED_WORD


def test_a_word_file_of_many_parts_is_refused(db):
    members = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"}
    members |= {f"word/media/{n}.txt": b"x" for n in range(safety.MAX_MEMBERS)}
    assert refused(a_zip(members, zipfile.ZIP_STORED)) == safety.DAMAGED_WORD


@pytest.mark.parametrize("name", ["../../etc/cron.d/x", "/etc/passwd", "word\\..\\x.xml"])
def test_a_word_file_with_a_path_trick_is_refused(db, name):
    members = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"}
    assert refused(a_zip({**members, name: b"x"})) == safety.DAMAGED_WORD


def test_a_word_file_holding_another_archive_is_refused(db):
    inner = a_zip({"a.txt": b"x"})
    members = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"}
    assert refused(a_zip({**members, "word/embeddings/inner.zip": inner})) == safety.DAMAGED_WORD
