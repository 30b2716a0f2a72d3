"""Sealed PDFs: a published edition's PDF carries a PAdES signature by the programme (pyHanko), so
a reader's PDF software shows that the file is the programme's and unchanged since.

The key and certificate are PEM files named by ``settings.PDF_SEAL_KEY`` and
``settings.PDF_SEAL_CERT`` (``manage.py make_seal_certificate`` makes a throwaway pair for
development and tests). Without them nothing is sealed (``is_configured()``).

The signature field is invisible (no widget appearance on any page), so the tagged PDF's structure
is as WeasyPrint wrote it; the signature is appended as an incremental update.
"""

import asyncio
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.conf import settings

logger = logging.getLogger(__name__)

FIELD_NAME = "ProgrammeSeal"
SIGNER_NAME = "TCE Support Programme"
REASON = "Published by the TCE Support Programme"
LOCATION = "England"
FIELD_LABEL = "Seal of the TCE Support Programme: this file is as the programme published it"


class SealNotConfigured(Exception):
    """PDF_SEAL_KEY and PDF_SEAL_CERT are not set, or do not name a usable key and certificate."""


@dataclass(frozen=True)
class SealCheck:
    """What ``verify`` found. ``sealed``: the file has a signature made with the programme's
    certificate; ``intact``: that signature is valid and covers every byte of the file."""

    sealed: bool
    intact: bool = False
    signer: str = ""
    signed_at: datetime | None = None
    problem: str = ""


def is_configured() -> bool:
    return bool(settings.PDF_SEAL_KEY and settings.PDF_SEAL_CERT)


@cache
def _signer(key: str, cert: str, password: str):
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load(
        key, cert, key_passphrase=password.encode() if password else None
    )
    if signer is None:  # pyHanko logs why
        raise SealNotConfigured(f"Could not load the key {key} and certificate {cert}.")
    return signer


def _configured_signer():
    if not is_configured():
        raise SealNotConfigured("PDF_SEAL_KEY and PDF_SEAL_CERT are not set.")
    return _signer(
        str(settings.PDF_SEAL_KEY), str(settings.PDF_SEAL_CERT), settings.PDF_SEAL_KEY_PASSWORD
    )


def _run(coroutine_function, *args, **kwargs):
    """Run one of pyHanko's coroutines to its end. Its own sync wrappers call ``asyncio.run``,
    which refuses a thread whose event loop is running (an ASGI server's, Playwright's in the
    browser tests): there, the coroutine runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine_function(*args, **kwargs))
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine_function(*args, **kwargs))).result()


def seal(content: bytes) -> bytes:
    """``content`` (a PDF) with the programme's PAdES signature appended. Raises
    ``SealNotConfigured`` without a key and certificate."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _configured_signer()
    writer = IncrementalPdfFileWriter(io.BytesIO(_with_a_tagged_field(content)))
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=REASON,
        location=LOCATION,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    output = _run(signers.async_sign_pdf, writer, metadata, signer=signer)
    return output.getvalue()


def _with_a_tagged_field(content: bytes) -> bytes:
    """``content`` with the empty signature field that ``seal`` then signs, made as PDF/UA asks
    of every annotation: named for screen readers (``/TU``), tagged as a ``Form`` element of the
    document (an object reference from the structure tree to its widget), printable, and of no
    size, so that nothing shows on the page. A field that pyHanko made itself would be none of
    these, and the sealed file would fail the accessibility checks the unsealed one passes."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    with pikepdf.open(io.BytesIO(content)) as pdf:
        page = pdf.pages[0].obj
        tree = pdf.Root.StructTreeRoot
        numbers = tree.ParentTree.Nums
        key = max((int(numbers[i]) for i in range(0, len(numbers), 2)), default=-1) + 1
        widget = pdf.make_indirect(
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Widget,
                FT=Name.Sig,
                T=String(FIELD_NAME),
                TU=String(FIELD_LABEL),
                F=4,  # Print: shown to readers as it is, which is as nothing
                Rect=Array([0, 0, 0, 0]),
                P=page,
                StructParent=key,
            )
        )
        document = tree.K[0] if isinstance(tree.K, Array) else tree.K
        form = pdf.make_indirect(
            Dictionary(
                Type=Name.StructElem,
                S=Name.Form,
                P=document,
                Alt=String(FIELD_LABEL),
                K=Dictionary(Type=Name.OBJR, Obj=widget, Pg=page),
            )
        )
        kids = document.K if isinstance(document.K, Array) else Array([document.K])
        kids.append(form)
        document.K = kids
        numbers.append(key)
        numbers.append(form)
        tree.ParentTreeNextKey = key + 1
        annotations = page.get("/Annots", Array())
        annotations.append(widget)
        page.Annots = annotations
        page.Tabs = Name.S  # tab through annotations in the order of the structure
        form_dictionary = pdf.Root.get("/AcroForm", Dictionary(Fields=Array()))
        form_dictionary.Fields.append(widget)
        pdf.Root.AcroForm = form_dictionary
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def verify(content: bytes) -> SealCheck:
    """Whether ``content`` carries the programme's seal, and whether the file is as sealed."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    if not is_configured():
        return SealCheck(sealed=False, problem="Sealing is not configured.")
    certificate = _configured_signer().signing_cert
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        ours = [
            signature
            for signature in reader.embedded_regular_signatures
            if signature.signer_cert.dump() == certificate.dump()
        ]
    except (PdfError, ValueError, KeyError, TypeError) as error:
        return SealCheck(sealed=False, problem=f"The file could not be read as a PDF ({error}).")
    if not ours:
        return SealCheck(sealed=False, problem="No signature by the programme.")
    signature = ours[-1]
    signer = certificate.subject.native.get("common_name", SIGNER_NAME)
    try:
        # Trust only the programme's own certificate; it has no revocation information to fetch.
        status = _run(
            async_validate_pdf_signature,
            signature,
            signer_validation_context=ValidationContext(trust_roots=[certificate]),
        )
    except Exception as error:  # a damaged signature, or a file pyHanko cannot analyse
        logger.info("A sealed PDF did not validate", exc_info=True)
        return SealCheck(sealed=True, signer=signer, problem=f"It could not be checked: {error}")
    problems = []
    if not (status.intact and status.valid):
        problems.append("the signed bytes have changed")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        problems.append("something was added after it was sealed")
    if not status.trusted:
        problems.append("the certificate is not trusted")
    return SealCheck(
        sealed=True,
        intact=not problems,
        signer=signer,
        signed_at=status.signer_reported_dt,
        problem="; ".join(problems).capitalize(),
    )
