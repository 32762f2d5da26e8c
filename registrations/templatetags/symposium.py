"""Template helpers for the public pages."""

from django import template
from django.urls import translate_url
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def page_in_language(context, language_code: str) -> str:
    """Return the address of the current page in another language.

    An address that names no page (the "not found" page) cannot be reversed,
    so there only its language prefix is swapped: the visitor gets the same
    page, "not found", in the other language.
    """
    path = context["request"].get_full_path()
    home = f"/{language_code}/"
    if path.startswith("//") or "\\" in path:
        # A path that a browser would read as another site's address.
        return home
    translated = translate_url(path, language_code)
    if translated != path:
        return translated
    prefix = f"/{get_language()}/"
    if path.startswith(prefix):
        return f"/{language_code}/{path.removeprefix(prefix)}"
    return home


@register.filter
def lines(text: str) -> list[str]:
    """Split a text into its non-blank lines (an event's aims, one per line)."""
    return [line.strip() for line in text.splitlines() if line.strip()]
