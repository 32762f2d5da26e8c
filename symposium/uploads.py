"""Uploads: refused by every page, except the views that declare one file.

The settings let a request carry one file at most
(``DATA_UPLOAD_MAX_NUMBER_FILES``); ``UploadGuard``, the first upload
handler, lets it through only to a view decorated with ``accepts_upload``,
in the field that view names. A file anywhere else makes the request a bad
one (400, ``security.refuse_unreadable_forms``), before anything is saved.
A file larger than the view's limit is dropped as it arrives, never stored
whole; the view learns of it from ``refused_upload(request, field)`` and
tells the user in the form.

The request body is read by middleware before the URL is resolved, so the
guard resolves the path itself.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.urls import Resolver404, resolve
from django.utils import translation

ALLOWANCE = "accepts_upload"
REFUSED = "refused_uploads"


@dataclass(frozen=True)
class Allowance:
    """The one file a view takes: its form field, and its largest size in bytes.

    The size is a number, or a function that reads it (from the settings) when
    a file arrives.
    """

    field: str
    max_bytes: int | Callable[[], int]

    def limit(self) -> int:
        return self.max_bytes() if callable(self.max_bytes) else self.max_bytes


def accepts_upload(*, field: str, max_bytes: int | Callable[[], int]):
    """Let the decorated view receive one file, in ``field``, of ``max_bytes`` at most.

    Decorators applied over it keep the mark (``functools.wraps`` copies it).
    """

    def mark(view):
        setattr(view, ALLOWANCE, Allowance(field=field, max_bytes=max_bytes))
        return view

    return mark


def allowance_for(path: str) -> Allowance | None:
    """Return what the view at ``path`` accepts, or None."""
    language = translation.get_language_from_path(path)
    try:
        with translation.override(language):
            match = resolve(path)
    except Resolver404:
        return None
    return getattr(match.func, ALLOWANCE, None)


def refused_upload(request, field: str) -> int | None:
    """Return the size limit a file in ``field`` exceeded and was dropped for."""
    return getattr(request, REFUSED, {}).get(field)


class UploadGuard(FileUploadHandler):
    """Refuse every file but the one a view accepts; drop it if it is too large."""

    def handle_raw_input(self, *args, **kwargs):
        self.allowance = allowance_for(self.request.path_info)
        self.files_seen = 0
        return None

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.files_seen += 1
        allowance = self.allowance
        if allowance is None or field_name != allowance.field or self.files_seen > 1:
            raise TooManyFilesSent("This page accepts no file here.")
        self.received = 0
        self.max_bytes = allowance.limit()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            refused = getattr(self.request, REFUSED, {})
            refused[self.field_name] = self.max_bytes
            setattr(self.request, REFUSED, refused)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None
