"""Uploads: refused everywhere but on the views that declare they take one.

Django parses a form's files before any view runs, so the rule is kept in the
upload handler, which sees each file as it arrives:

- a view takes files only when decorated with ``accepts_upload(max_bytes=…)``;
  a file sent anywhere else is refused before a byte of it is stored, and the
  request ends in a 400 (``security.refuse_unreadable_forms``), as it did when
  the site took no file at all;
- a file larger than its view's limit is dropped as it arrives (never more
  than the limit is written to disk), and ``request.upload_too_large`` tells
  the view, which explains it to the person.

One file per request at most (``DATA_UPLOAD_MAX_NUMBER_FILES``).
"""

from collections.abc import Callable

from django.core.exceptions import TooManyFilesSent
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.urls import Resolver404, resolve


def accepts_upload(*, max_bytes: Callable[[], int]):
    """Mark a view as taking one uploaded file of at most ``max_bytes()`` bytes."""

    def decorate(view):
        view.upload_max_bytes = max_bytes
        return view

    return decorate


def upload_limit(path: str) -> int | None:
    """Return how many bytes the view at ``path`` takes in a file (None: no file)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    limit = getattr(match.func, "upload_max_bytes", None)
    return None if limit is None else limit()


class DeclaredUploadHandler(TemporaryFileUploadHandler):
    """Write a file to a temporary file if its view takes it, up to its limit."""

    def new_file(self, *args, **kwargs):
        self.limit = upload_limit(self.request.path_info)
        if self.limit is None:
            raise TooManyFilesSent("This address takes no file.")
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_too_large = True
            self.file.close()
            raise SkipFile()
        return super().receive_data_chunk(raw_data, start)
