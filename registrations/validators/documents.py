"""Uploaded documents: what a file is, read from its content, never from its name.

A note verbale arrives as a PDF or as a photograph or scan of the paper. The
name and the type the browser gives are the sender's say-so; here the file is
opened by a real reader of its format (pypdf for PDF, Pillow for images) and
is taken for what that reader finds, or refused.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext_lazy as _

# The formats taken, by what their content starts with.
PDF_MAGIC = b"%PDF-"
IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}
# A scan of a letter needs no more; larger images are refused before decoding.
LARGEST_IMAGE_PIXELS = 60_000_000


@dataclass(frozen=True)
class DocumentType:
    content_type: str
    extension: str


PDF = DocumentType("application/pdf", "pdf")


def refused(code: str) -> ValidationError:
    return ValidationError(
        _(
            "This file is not a PDF document or a JPEG or PNG image that can be "
            "opened. Please send the note verbale as a PDF, or a photograph or "
            "scan of it."
        ),
        code=code,
    )


def _check_pdf(file: File) -> DocumentType:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    file.seek(0)
    try:
        reader = PdfReader(file)
        if reader.is_encrypted:
            raise ValidationError(
                _(
                    "This PDF is protected by a password. Please send it without "
                    "the password."
                ),
                code="encrypted_pdf",
            )
        if len(reader.pages) < 1:
            raise refused("empty_pdf")
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise refused("broken_pdf") from None
    return PDF


def _check_image(file: File) -> DocumentType:
    from PIL import Image, UnidentifiedImageError

    file.seek(0)
    try:
        with Image.open(file) as image:
            found = image.format
            if found not in IMAGE_FORMATS:
                raise refused("unsupported_image")
            width, height = image.size
            if width * height > LARGEST_IMAGE_PIXELS:
                raise refused("image_too_large")
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        raise refused("not_an_image") from None
    content_type, extension = IMAGE_FORMATS[found]
    return DocumentType(content_type, extension)


def document_type(file: File) -> DocumentType:
    """Return what ``file`` is (a PDF, a JPEG or PNG image) or raise ValidationError."""
    file.seek(0)
    start = file.read(1024)
    file.seek(0)
    if not start:
        raise ValidationError(_("The file is empty."), code="empty_file")
    if PDF_MAGIC in start:
        return _check_pdf(file)
    return _check_image(file)
