"""A portrait for a badge: proven an image by decoding it, then written anew.

Nothing of the uploaded file is kept as it came: its name and its declared
type are ignored, Pillow decodes the pixels (a file that does not decode as
JPEG, PNG or WebP is refused, whatever its name says), the picture is turned
upright as its EXIF orientation says, reduced to fit ``PORTRAIT_MAX_SIZE``
and written as a fresh JPEG, which carries no EXIF (camera, place, time), no
ICC profile and no comment.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

# The largest upload taken: a phone's full-size photo fits.
PHOTO_MAX_BYTES = 10 * 1024 * 1024
# The formats decoded; anything else is refused (GIF, SVG, TIFF, HEIC...).
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
# Pictures larger than this are refused before they are decoded in full: a
# small file can declare an enormous picture ("decompression bomb").
PHOTO_MAX_PIXELS = 50_000_000
# The smallest picture that still prints recognisably on a badge (about
# 25 by 32 mm at 150 dots per inch).
PHOTO_MIN_SIZE = (150, 190)
# The stored picture fits in this box: over 400 dots per inch in the badge's
# frame, and some 40 kB a photo in a PDF of a thousand badges.
PORTRAIT_MAX_SIZE = (480, 640)
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Portrait:
    """A decoded, cleaned portrait: JPEG bytes and the picture's size."""

    jpeg: bytes
    width: int
    height: int


def too_large(max_bytes: int = PHOTO_MAX_BYTES) -> ValidationError:
    return ValidationError(
        _("The photo is too large: please send one of %(limit)s at most."),
        code="photo_too_large",
        params={"limit": filesizeformat(max_bytes)},
    )


def not_an_image() -> ValidationError:
    return ValidationError(
        _(
            "This file is not a photo we can read. Please send a JPEG, PNG or "
            "WebP picture."
        ),
        code="not_an_image",
    )


def too_many_pixels() -> ValidationError:
    return ValidationError(
        _("This picture has too many pixels to be a portrait."),
        code="photo_too_many_pixels",
    )


def decode(data: bytes, prepare) -> Image.Image:
    """Decode ``data`` as a JPEG, PNG or WebP picture, then ``prepare`` it.

    Refuse a file too large, a picture of too many pixels (checked before
    its pixels are decoded) and anything that does not decode.
    """
    if len(data) > PHOTO_MAX_BYTES:
        raise too_large()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=PHOTO_FORMATS) as image:
                if image.width * image.height > PHOTO_MAX_PIXELS:
                    raise too_many_pixels()
                image.load()
                return prepare(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_many_pixels() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise not_an_image() from error


def read_portrait(data: bytes) -> Portrait:
    """Decode ``data`` as a picture and return it cleaned, or raise ValidationError."""
    picture = decode(data, ImageOps.exif_transpose)
    if picture.width < PHOTO_MIN_SIZE[0] or picture.height < PHOTO_MIN_SIZE[1]:
        raise ValidationError(
            _(
                "This picture is too small to print on a badge: please send one "
                "at least %(width)s × %(height)s pixels."
            ),
            code="photo_too_small",
            params={"width": PHOTO_MIN_SIZE[0], "height": PHOTO_MIN_SIZE[1]},
        )
    if picture.mode in ("RGBA", "LA", "P", "PA"):
        # A transparent background prints white, as the badge is.
        picture = picture.convert("RGBA")
        background = Image.new("RGB", picture.size, "white")
        background.paste(picture, mask=picture.getchannel("A"))
        picture = background
    else:
        picture = picture.convert("RGB")
    picture.thumbnail(PORTRAIT_MAX_SIZE, Image.Resampling.LANCZOS)
    output = io.BytesIO()
    # A new image with the pixels only: no EXIF, ICC profile or comment.
    clean = Image.new("RGB", picture.size)
    clean.paste(picture)
    clean.save(output, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return Portrait(jpeg=output.getvalue(), width=clean.width, height=clean.height)


# A stamp (the ministry's seal) is printed some 30 mm wide: 600 pixels is
# 500 dots per inch there.
STAMP_MAX_SIZE = (600, 600)
STAMP_MIN_SIZE = (100, 100)


def read_stamp(data: bytes) -> bytes:
    """Decode ``data`` as a picture of a seal and return it as a fresh PNG.

    Its transparency is kept, so that the seal overlaps the signature as ink
    does; nothing else of the file is.
    """
    picture = decode(data, lambda image: image.convert("RGBA"))
    if picture.width < STAMP_MIN_SIZE[0] or picture.height < STAMP_MIN_SIZE[1]:
        raise ValidationError(
            _(
                "This picture is too small for a stamp: please send one at least "
                "%(width)s × %(height)s pixels."
            ),
            code="stamp_too_small",
            params={"width": STAMP_MIN_SIZE[0], "height": STAMP_MIN_SIZE[1]},
        )
    picture.thumbnail(STAMP_MAX_SIZE, Image.Resampling.LANCZOS)
    clean = Image.new("RGBA", picture.size)
    clean.paste(picture)
    output = io.BytesIO()
    clean.save(output, "PNG", optimize=True)
    return output.getvalue()
