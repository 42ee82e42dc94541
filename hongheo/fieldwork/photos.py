"""Checking a photo before it is stored, and its perceptual hash (dHash).

The size and the pixel count are checked before the image is decoded (a small file can claim a
huge canvas); only JPEG, PNG and WebP are accepted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from hongheo.core.errors import ValidationError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CheckedPhoto:
    content: bytes
    content_type: str
    width: int
    height: int
    sha256: str
    dhash: str
    taken_at: dt.datetime | None


def dhash(image: Image.Image, size: int = 8) -> str:
    """Difference hash: 9×8 grey thumbnail, one bit per horizontally adjacent pair (64 bits, hex)."""
    small = image.convert("L").resize((size + 1, size), Image.Resampling.LANCZOS)
    pixels = small.tobytes()
    bits = 0
    for row in range(size):
        for col in range(size):
            left = pixels[row * (size + 1) + col]
            right = pixels[row * (size + 1) + col + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return f"{bits:016x}"


def hamming(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def _exif_time(image: Image.Image) -> dt.datetime | None:
    try:
        exif = image.getexif()
        raw = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)  # DateTimeOriginal, DateTime
        if not raw:
            return None
        return dt.datetime.strptime(str(raw), "%Y:%m:%d %H:%M:%S")
    except Exception:
        return None


def photo_check(content: bytes) -> CheckedPhoto:
    if not content:
        raise ValidationError(_("Ảnh rỗng."), code="photo_empty")
    if len(content) > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("Ảnh quá lớn (%(value)s KB); tối đa %(value2)s MB.")
            % {"value": len(content) // 1024, "value2": MAX_PHOTO_BYTES // (1024 * 1024)},
            code="photo_too_big",
        )
    try:
        with Image.open(io.BytesIO(content)) as probe:
            fmt = probe.format or ""
            width, height = probe.size
        if fmt not in FORMATS:
            raise ValidationError(_("Tệp không phải ảnh JPEG, PNG hoặc WebP."), code="photo_not_image")
        if width * height > MAX_PIXELS:
            raise ValidationError(_("Ảnh có quá nhiều điểm ảnh."), code="photo_too_big")
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            hashed = dhash(image)
            taken = _exif_time(image)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError(_("Tệp không phải ảnh JPEG, PNG hoặc WebP."), code="photo_not_image")
    return CheckedPhoto(
        content=content,
        content_type=FORMATS[fmt],
        width=width,
        height=height,
        sha256=hashlib.sha256(content).hexdigest(),
        dhash=hashed,
        taken_at=taken,
    )
