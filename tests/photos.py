"""Photos for the evidence-integrity tests: a "scene" drawn from a seed (different seeds are
unrelated photos), and the ways a unit re-submits another's photo — re-encoded, resized to 50 %,
slightly cropped — with or without an EXIF capture date and orientation."""

import io
import random
from datetime import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFilter

EXIF_IFD = 0x8769
DATE_TIME_ORIGINAL = 36867
ORIENTATION = 274
GPS_IFD = 0x8825


def scene(seed: int, size=(1200, 900)) -> Image.Image:
    chance = random.Random(seed)
    image = Image.new("RGB", size, tuple(chance.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _shape in range(40):
        x, y = chance.randrange(size[0]), chance.randrange(size[1])
        box = (x, y, x + chance.randrange(50, 500), y + chance.randrange(50, 400))
        shade = tuple(chance.randrange(256) for _ in range(3))
        (draw.ellipse if chance.random() < 0.5 else draw.rectangle)(box, fill=shade)
    return image.filter(ImageFilter.GaussianBlur(2))


def reencoded(image: Image.Image) -> Image.Image:
    return image


def half_size(image: Image.Image) -> Image.Image:
    return image.resize((image.width // 2, image.height // 2))


def cropped(image: Image.Image) -> Image.Image:
    """1 % off every side. (pHash forgives a slight crop: 2 % or more off every side moves some
    photos' hashes by more than the default distance.)"""
    dx, dy = image.width // 100, image.height // 100
    return image.crop((dx, dy, image.width - dx, image.height - dy))


def jpeg(
    image: Image.Image,
    name: str = "现场照片.jpg",
    *,
    quality: int = 90,
    taken: datetime | None = None,
    orientation: int | None = None,
    gps: bool = False,
) -> SimpleUploadedFile:
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(EXIF_IFD)[DATE_TIME_ORIGINAL] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        exif.get_ifd(GPS_IFD)[2] = (44.0, 9.0, 0.0)  # GPSLatitude: where the photo was taken
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
