"""What a decoded evidence photo tells and what is shown of it: its EXIF capture date and its
thumbnails (upright, with none of the photo's metadata)."""

import io
from datetime import datetime, timedelta, timezone

from django.utils import timezone as django_timezone
from PIL import Image

# name → the largest width and height; `medium` is what Evidence.thumbnail holds.
THUMBNAIL_SIZES = {"small": (160, 160), "medium": (480, 480)}

_EXIF_IFD = 0x8769
_DATE_TIME_ORIGINAL = 36867
_DATE_TIME_DIGITIZED = 36868
_OFFSET_TIME_ORIGINAL = 36881
_OFFSET_TIME_DIGITIZED = 36882


def _offset(text) -> timezone | None:
    """An EXIF offset such as "+08:00", or None."""
    if not isinstance(text, str) or len(text.strip()) != 6:
        return None
    text = text.strip()
    try:
        sign = {"+": 1, "-": -1}[text[0]]
        hours, minutes = int(text[1:3]), int(text[4:6])
    except (KeyError, ValueError):
        return None
    if text[3] != ":" or hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def capture_time(image: Image.Image) -> datetime | None:
    """When the photo was taken, from its EXIF DateTimeOriginal (or DateTimeDigitized): aware, in
    the photo's own offset when it records one, else read as the site's local time. None when the
    photo carries no such date or an unreadable one (a camera with its clock unset writes zeros).
    The plain EXIF DateTime is when the file was last changed, not when it was taken: not used."""
    try:
        exif = image.getexif()
        tags = exif.get_ifd(_EXIF_IFD)
    except (OSError, ValueError, SyntaxError, KeyError, TypeError):
        return None
    for date_tag, offset_tag in (
        (_DATE_TIME_ORIGINAL, _OFFSET_TIME_ORIGINAL),
        (_DATE_TIME_DIGITIZED, _OFFSET_TIME_DIGITIZED),
    ):
        text = tags.get(date_tag)
        if isinstance(text, bytes):
            text = text.decode("ascii", "replace")
        if not isinstance(text, str):
            continue
        try:
            moment = datetime.strptime(text.strip().rstrip("\x00")[:19], "%Y:%m:%d %H:%M:%S")
        except ValueError:
            continue
        if not 1990 <= moment.year <= 2100:
            continue
        zone = _offset(tags.get(offset_tag))
        if zone is not None:
            return moment.replace(tzinfo=zone)
        return django_timezone.make_aware(moment)
    return None


def thumbnails(upright: Image.Image) -> dict[str, bytes]:
    """A JPEG per THUMBNAIL_SIZES of a photo already turned upright (common.uploads.decode_image
    does that from its EXIF orientation). Made from the pixels alone: none of the photo's metadata
    (EXIF with its GPS position and camera, ICC profile, comments) reaches the thumbnails."""
    if upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    made = {}
    for name, size in THUMBNAIL_SIZES.items():
        copy = upright.copy()
        copy.thumbnail(size)
        # Only the pixels go on: a new image has no `info` or EXIF for the encoder to carry over.
        bare = Image.frombytes(copy.mode, copy.size, copy.tobytes())
        buffer = io.BytesIO()
        bare.save(buffer, format="JPEG", quality=82, optimize=True)
        made[name] = buffer.getvalue()
    return made
