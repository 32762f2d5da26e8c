"""URL converters: refuse malformed values before they reach a view."""


class TokenConverter:
    """A private-link token: URL-safe base64, as ``secrets.token_urlsafe`` makes.

    Anything else (a NUL byte, a slash, a stray character) is not a link to
    any registration, so it ends in the ordinary 404 without a database query.
    """

    regex = "[A-Za-z0-9_-]{20,86}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
