"""Serving stored files to the browser safely: always as a download, never as a page of ours."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse


def safe_download(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """The file as an attachment named ``filename``, with headers that keep a browser from
    running or sniffing it (an uploaded HTML page must not run as one of ours)."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Shown inline (an article's picture); anything else is a download. No SVG: it can hold script.
INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def image_or_download(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """A raster image shown inline, with the same protective headers; any other file as
    ``safe_download`` serves it."""
    if content_type not in INLINE_IMAGE_TYPES:
        return safe_download(file, filename=filename, content_type=content_type)
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
