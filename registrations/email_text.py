"""The body of an email, as text and as HTML, in which only our links are links.

Delegates type their organisation, position and needs into the form, and the
emails repeat them, sent under the ministry's name to whatever address was
given. So what they typed must stay text: the HTML part is escaped and holds
no link but ours (the private link, the secretariat's address), and in both
parts anything that a mail program would turn into a link by itself (a web
address, a domain name, an email address) is interrupted by an invisible
WORD JOINER around its dots, "@" and ":", which a reader does not see.
"""

import re
from collections.abc import Mapping

from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import SafeString, mark_safe

WORD_JOINER = "\u2060"
# The places where link detection takes hold: the dots of a domain (and of
# "www."), the "@" of an address, the ":" of "https://".
LINK_JOINTS = re.compile(r"(?<=\w)[.@](?=\w)|:(?=//)")


def defuse_links(text: str) -> str:
    """Return ``text`` looking the same, with nothing a mail program would link."""
    return LINK_JOINTS.sub(
        lambda match: WORD_JOINER + match.group(0) + WORD_JOINER, text
    )


def _pieces(text: str, links: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """Split ``text`` into (piece, href): our links get their href, the rest None."""
    if not links:
        return [(text, None)]
    ours = re.compile(
        "|".join(re.escape(link) for link in sorted(links, key=len)[::-1])
    )
    pieces = []
    position = 0
    for match in ours.finditer(text):
        pieces.append((text[position : match.start()], None))
        pieces.append((match.group(0), links[match.group(0)]))
        position = match.end()
    pieces.append((text[position:], None))
    return [(piece, href) for piece, href in pieces if piece]


def plain_text(text: str, *, links: Mapping[str, str]) -> str:
    """Return the text part: as written, with only ``links`` left linkable."""
    return "".join(
        piece if href else defuse_links(piece) for piece, href in _pieces(text, links)
    )


def html_paragraphs(text: str, *, links: Mapping[str, str]) -> SafeString:
    """Return the text as HTML paragraphs whose only links are ``links``.

    ``links`` maps each of our texts (an address as it appears in the email)
    to where it leads.
    """
    html = "".join(
        format_html('<a href="{}">{}</a>', href, piece)
        if href
        else escape(defuse_links(piece))
        for piece, href in _pieces(text, links)
    )
    return mark_safe(linebreaks(html, autoescape=False))
