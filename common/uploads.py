"""Uploaded files, before anything trusts them: how large a file may grow while it streams in, and
how an image is opened and decoded without handing its bytes to anything but the four decoders
we accept.

Images: `open_image` lets only the JPEG, PNG, GIF and WebP plugins look at the bytes, so a
PostScript file named photo.jpg is never given to Pillow's EPS plugin (and so to Ghostscript),
and it checks the declared size against MAX_IMAGE_PIXELS before a pixel is decoded.
`decode_image` decodes the first frame once, at a reduced scale where the format allows it
(JPEG's draft mode decodes at 1/2–1/8 scale), and returns a small upright copy: it is the only
function that decodes an upload, for evidence checks, thumbnails and anything else.

Sizes: `SizeLimitedUploadHandler` (first in FILE_UPLOAD_HANDLERS) counts each file's bytes as
they arrive and skips the file as soon as it passes the limit of the view it is posted to
(`upload_limit`), so an oversized file is never written to memory or disk in full; the view
asks `oversized_uploads(request)` for the names it skipped."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from PIL import ExifTags, Image, UnidentifiedImageError

ACCEPTED_IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
# A 48-megapixel phone sensor bins to 12 MP photos; 40 MP leaves room for any real photo and
# caps a decoded RGBA frame at 160 MB.
MAX_IMAGE_PIXELS = 40_000_000

_DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    Image.DecompressionBombError,
)


class ImageRefused(ValueError):
    """Not an accepted image (`too_large` False) or more pixels than MAX_IMAGE_PIXELS."""

    def __init__(self, *, too_large: bool = False):
        super().__init__("image too large" if too_large else "not an accepted image")
        self.too_large = too_large


@contextmanager
def open_image(file: IO[bytes], *, max_pixels: int = MAX_IMAGE_PIXELS) -> Iterator[Image.Image]:
    """The image in `file`, opened by an accepted format's plugin and not yet decoded; raises
    ImageRefused for anything else or for more than `max_pixels` pixels."""
    file.seek(0)
    try:
        image = Image.open(file, formats=ACCEPTED_IMAGE_FORMATS)
    except _DECODE_ERRORS:
        file.seek(0)
        raise ImageRefused() from None
    # `with image`, not close(): close() would also close `file`, which is the caller's.
    with image:
        try:
            if image.format not in ACCEPTED_IMAGE_FORMATS:
                raise ImageRefused()
            if image.width < 1 or image.height < 1:
                raise ImageRefused()
            if image.width * image.height > max_pixels:
                raise ImageRefused(too_large=True)
            yield image
        finally:
            file.seek(0)


def decode_image(
    file: IO[bytes], *, fit: tuple[int, int], max_pixels: int = MAX_IMAGE_PIXELS
) -> tuple[str, Image.Image]:
    """(format, image): the first frame of an accepted image, decoded whole — which is what
    proves the file is not truncated or corrupt — but at the smallest scale the format offers
    that is still at least twice `fit`, then reduced to fit within `fit`, turned upright from its
    EXIF orientation, in RGB or L. Raises ImageRefused."""
    with open_image(file, max_pixels=max_pixels) as image:
        found = image.format or ""
        try:
            # draft() (JPEG) and reduce() run before resampling: the full-size frame is never
            # held for a JPEG, and for the other formats only once, without a transposed copy.
            image.thumbnail(fit, reducing_gap=2.0)
            small = image.convert("RGB") if image.mode not in ("RGB", "L") else image.copy()
            orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        except _DECODE_ERRORS:
            raise ImageRefused() from None
    method = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }.get(orientation)
    if method is not None:
        small = small.transpose(method)
    return found, small


# --- sizes while a request streams in -------------------------------------------------------


def upload_limit(setting: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a view: each file posted to it may hold at most `settings.<setting>` bytes. Read on
    every request, so a changed setting applies at once."""

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        view.upload_limit_setting = setting  # type: ignore[attr-defined]
        return view

    return mark


def upload_limit_for(request: HttpRequest) -> int:
    """Bytes a file posted in `request` may hold: its view's limit, else the largest limit."""
    match = getattr(request, "resolver_match", None)
    setting = getattr(getattr(match, "func", None), "upload_limit_setting", None)
    if setting:
        return int(getattr(settings, setting))
    return max(settings.EVIDENCE_MAX_BYTES, settings.IMPORT_MAX_BYTES)


def oversized_uploads(request: HttpRequest) -> list[str]:
    """Names of the files skipped in this request for passing the limit (in the order sent)."""
    return list(getattr(request, "_oversized_uploads", []))


class SizeLimitedUploadHandler(FileUploadHandler):
    """Skips a file the moment it passes the limit: the handlers after this one (memory or
    temporary file) stop receiving it, the part already written is closed and deleted, and the
    rest of the file is read off the wire and discarded."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.limit = upload_limit_for(self.request) if self.request is not None else 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if self.limit and start + len(raw_data) > self.limit:
            if self.request is not None:
                names = self.request.__dict__.setdefault("_oversized_uploads", [])
                names.append(self.file_name or "")
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
