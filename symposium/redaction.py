"""Keep secrets out of the logs: secret links are masked in every line written.

A delegate's private link (``/<language>/registration/<token>/``) lets whoever
holds it read and change the registration, so it must not reach a log file that
operators, a log service or a backup can read. Django's own warnings ("Not
Found: /en/registration/…") and gunicorn's access log (the request line and the
Referer) both carry request addresses; every handler this project configures
formats through ``MaskingFormatter``, which masks them, in the message and in
any traceback. ``deploy/gunicorn.conf.py`` uses it for gunicorn's logs.

This module imports nothing from Django, so that gunicorn can load it before
the application.
"""

import logging
import re

# The first path segment of every address whose next segment is a secret
# (registrations/urls.py): a delegate's private link ``registration/<token>/``,
# a focal point's portal ``delegation/<token>/``, a personal invitation
# ``invitation/<token>/``. A slash may be percent-encoded, as in ``?next=``.
SECRET_PATH_SEGMENTS = ("registration", "delegation", "invitation")
MASK = "[masked]"
SECRET_IN_PATH = re.compile(
    r"((?:/|%2f)(?:" + "|".join(SECRET_PATH_SEGMENTS) + r")(?:/|%2f))[^/\s?#&\"'%]+",
    re.IGNORECASE,
)


def mask_secrets(text: str) -> str:
    """Return ``text`` with the secret part of every private link masked."""
    return SECRET_IN_PATH.sub(lambda match: match.group(1) + MASK, text)


class MaskingFormatter(logging.Formatter):
    """A formatter whose every line, traceback included, has its secrets masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))
