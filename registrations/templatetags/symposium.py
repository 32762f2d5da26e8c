"""Template helpers for the public pages."""

from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def page_in_language(context, language_code: str) -> str:
    """Return the address of the current page in another language."""
    request = context["request"]
    return translate_url(request.get_full_path(), language_code)


@register.filter
def lines(text: str) -> list[str]:
    """Split a text into its non-blank lines (an event's aims, one per line)."""
    return [line.strip() for line in text.splitlines() if line.strip()]
