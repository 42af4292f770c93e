"""What an evidence file is, decided from its bytes and never from its name, and its thumbnail.

Accepted: JPEG, PNG, GIF and WebP images (opened by those four decoders only and decoded once, at
most MAX_IMAGE_PIXELS, see chuangxian.uploads), PDF, Office Open XML
(.docx/.xlsx/.pptx, a zip with the parts Office writes) and the older OLE2 Office formats
(.doc/.xls/.ppt). Anything else, such as an executable renamed to .jpg, is refused."""

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from activities.exceptions import EvidenceRejected
from chuangxian.uploads import MAX_IMAGE_PIXELS, ImageRefused, decode_image

THUMBNAIL_SIZE = (480, 480)

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
_OLE2_TYPES = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str
    thumbnail: bytes | None = None  # a JPEG within THUMBNAIL_SIZE, for images

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
        return Sniffed("application/pdf", ".pdf")
    if head.startswith(_OLE2_MAGIC):
        extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension in _OLE2_TYPES:
            return Sniffed(_OLE2_TYPES[extension], extension)
        raise _refuse(name)
    if head.startswith(b"PK\x03\x04"):
        return _sniff_ooxml(upload, name)
    return _sniff_image(upload, name)


def _sniff_ooxml(upload: UploadedFile, name: str) -> Sniffed:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        raise _refuse(name) from None
    finally:
        upload.seek(0)
    if any(part.lower().endswith("vbaproject.bin") for part in names):
        raise _refuse(name)  # macro-enabled Office files run code when opened
    if "[Content_Types].xml" in names:
        for folder, found in _OOXML.items():
            if any(part.startswith(folder) for part in names):
                return Sniffed(*found)
    raise _refuse(name)


def _sniff_image(upload: UploadedFile, name: str) -> Sniffed:
    """Decoded once, through chuangxian.uploads (accepted formats only, pixels capped, JPEG
    decoded at reduced scale); the thumbnail comes from that one decode."""
    try:
        found, small = decode_image(upload, fit=THUMBNAIL_SIZE)
    except ImageRefused as refused:
        if refused.too_large:
            raise EvidenceRejected(
                _("“%(name)s” has more than %(megapixels)s million pixels: attach a smaller photo.")
                % {"name": name, "megapixels": MAX_IMAGE_PIXELS // 1_000_000}
            ) from None
        raise _refuse(name) from None
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=82)
    return Sniffed(*_IMAGE_FORMATS[found], thumbnail=buffer.getvalue())


def thumbnail(upload: UploadedFile) -> ContentFile:
    """A JPEG no larger than THUMBNAIL_SIZE, turned upright from the photo's EXIF orientation."""
    preview = _sniff_image(upload, upload.name or "").thumbnail
    assert preview is not None
    return ContentFile(preview)
