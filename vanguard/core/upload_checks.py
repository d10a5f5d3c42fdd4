"""The one check of uploaded files (documents, evidence, photos): the kind judged by the
bytes, not the name, and the size; for photos also the pixels. Every upload that is kept
goes through it."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

KIND_NAMES = {"pdf": "PDF", "docx": "Word (.docx)", "jpeg": "JPEG", "png": "PNG"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
EXTENSIONS = {"pdf": ".pdf", "docx": ".docx", "jpeg": ".jpg", "png": ".png"}


def sniff(upload):
    """'pdf', 'docx', 'jpeg' or 'png' judged by the bytes, not the name; None otherwise."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    return None


def check_upload(upload, kinds=("pdf", "docx"), field="file", limit=None):
    """The kind of `upload` (one of `kinds`), or ValidationError naming `field`."""
    if upload is None:
        raise ValidationError({field: _("Choose a file to upload.")})
    limit = limit or settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({field: _("“%(name)s” is %(size)s; at most %(limit)s may be uploaded.")
                               % {"name": upload.name, "size": filesizeformat(upload.size),
                                  "limit": filesizeformat(limit)}})
    kind = sniff(upload)
    if kind not in kinds:
        raise ValidationError({field: _("“%(name)s” is not a %(kinds)s file (judged by its content).")
                               % {"name": upload.name, "kinds": _(" or ").join(KIND_NAMES[k] for k in kinds)}})
    return kind


def is_new_file(value):
    """An uploaded file about to be stored (not a stored file's name or FieldFile, not "clear")."""
    return isinstance(value, File) and not isinstance(value, FieldFile)


def check_photo(upload, field="photo"):
    """A JPEG or PNG photo within settings.PHOTO_MAX_BYTES and settings.PHOTO_MAX_PIXELS, or
    ValidationError naming `field`. Photos are shown on public pages: a small file can declare
    a picture of hundreds of millions of pixels that a phone cannot draw. Only the header is read."""
    from PIL import Image

    check_upload(upload, kinds=("jpeg", "png"), field=field, limit=settings.PHOTO_MAX_BYTES)
    try:
        with Image.open(upload) as image:
            width, height = image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError({field: _("“%(name)s” is not a readable JPEG or PNG picture.")
                               % {"name": upload.name}}) from None
    finally:
        upload.seek(0)
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise ValidationError({field: _("“%(name)s” is %(width)s × %(height)s pixels; a photo may have at most "
                                        "%(max)s million pixels. Make it smaller and upload it again.")
                               % {"name": upload.name, "width": width, "height": height,
                                  "max": settings.PHOTO_MAX_PIXELS // 1_000_000}})
