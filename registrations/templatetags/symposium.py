"""Template helpers for the public pages."""

import functools

import budoux
from django import template
from django.urls import translate_url
from django.utils.formats import time_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from registrations.models import japanese_is_active

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


@register.simple_tag
def page_title(page: str, event_title: str = "", *, errors=None) -> str:
    """Return a page's title: the page, the event, and "Error:" first if refused.

    The punctuation is the catalogue's, so that Japanese titles get their own.
    """
    title = str(page)
    if event_title:
        title = _("%(page)s – %(event)s") % {"page": title, "event": event_title}
    if errors:
        title = _("Error: %(title)s") % {"title": title}
    return title


@register.filter
def error_count(form) -> int:
    """Return how many errors a bound form shows, its general ones included."""
    return sum(len(errors) for errors in form.errors.values())


@functools.cache
def japanese_phrases():
    """Return BudouX's parser, which knows where Japanese text may break."""
    return budoux.load_default_japanese_parser()


@register.filter
def phrases(text):
    """Let Japanese text break between phrases only, as BudouX finds them.

    On a Japanese page the text is wrapped in ``<span class="phrases">``
    (``word-break: keep-all``) with a ``<wbr>`` between phrases, so that a
    heading never breaks inside a word as 「シンポ/ジウム」; elsewhere it is
    left as it is.
    """
    if not text or not japanese_is_active():
        return text
    pieces = japanese_phrases().parse(str(text))
    return format_html(
        '<span class="phrases">{}</span>',
        mark_safe("<wbr>".join(conditional_escape(piece) for piece in pieces)),
    )


@register.simple_tag
def time_range(starts, ends) -> str:
    """Return "09:30–10:15", or the reader's language's way: 「9:30～10:15」."""
    return _("%(starts)s–%(ends)s") % {
        "starts": time_format(localtime(starts), "TIME_FORMAT"),
        "ends": time_format(localtime(ends), "TIME_FORMAT"),
    }


@register.simple_tag
def labelled(label, value) -> str:
    """Return "Label: value", with the colon of the reader's language."""
    return _("%(label)s: %(value)s") % {"label": label, "value": value}
