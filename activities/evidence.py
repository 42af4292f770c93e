"""What an evidence file is, decided from its bytes and never from its name.

Accepted: JPEG, PNG, GIF and WebP images (opened by those four decoders only and decoded once, at
most MAX_IMAGE_PIXELS, see common.uploads); PDF that pypdf parses, every object of which is
free of JavaScript, launch, form-submitting and remote go-to actions and attached files, checked
within PDF_MAX_OBJECTS objects and PDF_CHECK_SECONDS (a file beyond either is refused as one that
could not be checked, before a web worker spends long on it); Office Open XML (.docx/.xlsx/.pptx,
a zip with the parts Office writes, without macros, ActiveX controls or embedded OLE objects
(.bin parts under embeddings/)). The older OLE2 Office formats (.doc/.xls/.ppt) are
refused with a request to save them in the new format: they may carry macros that cannot be
seen without parsing the whole compound file. Anything else, such as an executable renamed to
.jpg, is refused."""

import time
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from activities.exceptions import EvidenceRejected
from common.uploads import MAX_IMAGE_PIXELS, ImageRefused, decode_image

# An upload is proved to decode at this size; its thumbnails come later (activities.photos).
CHECK_DECODE_SIZE = (160, 160)

_IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "GIF": ("image/gif", ".gif"),
    "WEBP": ("image/webp", ".webp"),
}
_OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
}
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Names that make a PDF run something or carry another file. pypdf decodes escaped names
# (/J#61vaScript is /JavaScript), so a byte search could miss what this cannot.
_PDF_ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/EmbeddedFiles",
        "/EmbeddedFile",
        "/FileAttachment",
        "/RichMedia",
        "/XFA",
    }
)
# A real evidence PDF (a scan, an exported sheet) holds hundreds to a few thousand objects; a
# crafted one of 150,000 tiny objects kept a web worker busy ~10 s. Beyond either bound the file
# is refused as one that could not be checked.
PDF_MAX_OBJECTS = 20_000
PDF_CHECK_SECONDS = 2.0


class PdfUncheckable(Exception):
    """The PDF has more objects than PDF_MAX_OBJECTS, or its check ran out of time."""


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def _refuse(name: str) -> EvidenceRejected:
    return EvidenceRejected(
        _(
            "“%(name)s” is not an accepted file: attach photos (JPEG, PNG, GIF, WebP), PDF or "
            "Office documents."
        )
        % {"name": name}
    )


def size_refusal(name: str) -> str:
    """Why a file over EVIDENCE_MAX_BYTES is refused (on upload, or while it streamed in)."""
    return _("“%(name)s” is larger than %(limit)s MB.") % {
        "name": name,
        "limit": settings.EVIDENCE_MAX_BYTES // (1024 * 1024) or 1,
    }


def sniff(upload: UploadedFile) -> Sniffed:
    """The file's real type, or EvidenceRejected."""
    name = upload.name or ""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        _check_pdf(upload, name)
        return Sniffed("application/pdf", ".pdf")
    if head.startswith(_OLE2_MAGIC):
        raise EvidenceRejected(
            _(
                "“%(name)s” is in an old Office format (.doc, .xls or .ppt), which may hold "
                "macros: open it in Office or WPS and save it as .docx, .xlsx or .pptx."
            )
            % {"name": name}
        )
    if head.startswith(b"PK\x03\x04"):
        return _sniff_ooxml(upload, name)
    return _sniff_image(upload, name)


def _check_pdf(upload: UploadedFile, name: str) -> None:
    """Refuse a PDF that pypdf cannot parse, or one with scripts, launch actions or attached
    files anywhere among the objects reachable from its trailer."""
    try:
        if _pdf_objects_written(upload) > PDF_MAX_OBJECTS:
            raise PdfUncheckable("too many objects")  # refused before pypdf parses anything
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _refuse(name)  # a password-protected file cannot be checked
        if _pdf_object_count(reader) > PDF_MAX_OBJECTS:
            raise PdfUncheckable("too many objects")  # refused before the walk starts
        active = _pdf_active_names(
            reader.trailer, PDF_MAX_OBJECTS, time.monotonic() + PDF_CHECK_SECONDS
        )
    except EvidenceRejected:
        raise
    except PdfUncheckable:
        raise EvidenceRejected(
            _(
                "“%(name)s” is a PDF that could not be checked (too many objects, or too slow "
                "to read): print it to a new PDF, or attach it in parts."
            )
            % {"name": name}
        ) from None
    except Exception:
        # Not a PDF pypdf can read, whatever its first bytes say; on hostile input its parser
        # raises more than its own errors (ValueError, KeyError, RecursionError…).
        raise _refuse(name) from None
    finally:
        upload.seek(0)
    if active:
        raise EvidenceRejected(
            _(
                "“%(name)s” is a PDF with scripts or attached files: print it to a new PDF "
                "(or save it as PDF/A) and attach that."
            )
            % {"name": name}
        )


def _pdf_objects_written(upload: UploadedFile) -> int:
    """How many `endobj` the file holds: a byte scan (milliseconds for 10 MB), so that a file of
    very many plain objects is refused before pypdf reads its cross-reference table (a second
    for 150,000 entries). Objects packed in object streams are counted by _pdf_object_count."""
    upload.seek(0)
    count, tail = 0, b""
    while chunk := upload.read(1024 * 1024):
        window = tail + chunk
        count += window.count(b"endobj")
        tail = window[-5:]  # an "endobj" split across two reads is counted once
    upload.seek(0)
    return count


def _pdf_object_count(reader: PdfReader) -> int:
    """How many objects the file says it has (the trailer's /Size), or how many its
    cross-reference table lists, whichever is more."""
    size = reader.trailer.get("/Size", 0)
    declared = int(size) if isinstance(size, int) else 0
    listed = sum(len(entries) for entries in reader.xref.values()) + len(reader.xref_objStm)
    return max(declared, listed)


def _pdf_active_names(root: object, max_objects: int, deadline: float) -> bool:
    """True when a dictionary key or a name value anywhere under `root` is active content.
    PdfUncheckable after `max_objects` objects (indirect ones, resolved) or past `deadline`
    (time.monotonic())."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    steps = 0
    while stack:
        item = stack.pop()
        steps += 1
        if steps % 256 == 1 and time.monotonic() > deadline:
            raise PdfUncheckable("out of time")
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > max_objects:
                raise PdfUncheckable("too many objects")
            item = item.get_object()
        if isinstance(item, NameObject):
            if str(item) in _PDF_ACTIVE_NAMES:
                return True
        elif isinstance(item, DictionaryObject):  # streams too: their dictionary, not data
            for key, value in item.items():
                if str(key) in _PDF_ACTIVE_NAMES:
                    return True
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


def _sniff_ooxml(upload: UploadedFile, name: str) -> Sniffed:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        raise _refuse(name) from None
    finally:
        upload.seek(0)
    if any(_ooxml_active_part(part) for part in names):
        raise _refuse(name)  # macros, ActiveX controls and OLE objects run code when opened
    if "[Content_Types].xml" in names:
        for folder, found in _OOXML.items():
            if any(part.startswith(folder) for part in names):
                return Sniffed(*found)
    raise _refuse(name)


def _ooxml_active_part(part: str) -> bool:
    """A part that runs code: the macros (vbaProject.bin), an ActiveX control (word/activeX/…,
    xl/activeX/…, ppt/activeX/…) or an embedded OLE object (…/embeddings/oleObject1.bin; the
    embedded .xlsx of a chart, also under embeddings/, is kept)."""
    lowered = part.lower().replace("\\", "/")
    folders = lowered.split("/")[:-1]
    return (
        lowered.endswith("vbaproject.bin")
        or "activex" in folders
        or ("embeddings" in folders and lowered.endswith(".bin"))
    )


def _sniff_image(upload: UploadedFile, name: str) -> Sniffed:
    """Decoded once, through common.uploads (accepted formats only, pixels capped, JPEG
    decoded at reduced scale): a file that does not decode is refused before it is stored. The
    thumbnails are made after the upload commits (activities.integrity)."""
    try:
        found, _small = decode_image(upload, fit=CHECK_DECODE_SIZE)
    except ImageRefused as refused:
        if refused.too_large:
            raise EvidenceRejected(
                _("“%(name)s” has more than %(megapixels)s million pixels: attach a smaller photo.")
                % {"name": name, "megapixels": MAX_IMAGE_PIXELS // 1_000_000}
            ) from None
        raise _refuse(name) from None
    return Sniffed(*_IMAGE_FORMATS[found])
