"""Text in any script the fonts cover: measured, fitted to a box and drawn.

A string is drawn as runs: consecutive characters that the same font of the
typeface has (``fonts.font_for``), so that "Nguyễn Thị Ánh (グエン)" takes
DejaVu Sans for the Latin and IPAexGothic for the katakana. A space stays in
the run it is in.

``fit_text`` is the one rule for text that must fit a box, on every document:
keep the text on one line (or the few lines a document allows), shrinking it
from its size down to its legible minimum; if it still does not fit, wrap it
at that minimum into as many lines as it needs (between words, between
Japanese characters, and inside a word only when the word alone is wider
than the box). The lines it returns always hold the whole text.
"""

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from reportlab.lib.colors import Color, black
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from registrations.documents.pdf.fonts import Typeface, font_for

# How far a size is lowered at each step of the shrinking, in points.
SHRINK_STEP = 0.5
# The part of the size above the baseline, for placing the first line.
ASCENT = 0.8
# The outline's width, per point of size, of a font drawn stroked to look bold.
STROKE_PER_POINT = 0.035
# Characters that may not start a line in Japanese (kinsoku), and that may
# not end one.
NO_LINE_START = frozenset(
    "、。，．・：；？！ー―‐～…）」』】〕〉》”’ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々"
)
NO_LINE_END = frozenset("（「『【〔〈《“‘")
# Where a Latin word may break besides a space: after a hyphen.
BREAK_AFTER = frozenset("-‐/")


def runs(text: str, typeface: Typeface) -> Iterator[tuple[str, str]]:
    """Yield ``(font, characters)`` for consecutive characters in one font.

    A character no font has is drawn in the typeface's first font (it shows
    as a box there; ``fonts.missing_characters`` finds these beforehand).
    """
    current, start = None, 0
    for place, character in enumerate(text):
        if character.isspace() and current is not None:
            continue
        font = font_for(typeface, character) or typeface.fonts[0]
        if font != current:
            if current is not None:
                yield current, text[start:place]
            current, start = font, place
    if current is not None:
        yield current, text[start:]


def text_width(text: str, typeface: Typeface, size: float) -> float:
    """Return the width of ``text`` drawn at ``size`` points."""
    return sum(stringWidth(part, font, size) for font, part in runs(text, typeface))


def draw_runs(
    canvas: Canvas,
    text: str,
    *,
    x: float,
    y: float,
    typeface: Typeface,
    size: float,
    colour: Color = black,
) -> float:
    """Draw one line of ``text`` in ``colour``, its baseline starting at ``(x, y)``.

    Return the width drawn.
    """
    canvas.setFillColor(colour)
    # The outline of a font drawn stroked for bold is the text's colour too.
    canvas.setStrokeColor(colour)
    line = canvas.beginText(x, y)
    for font, part in runs(text, typeface):
        line.setFont(font, size)
        if font in typeface.stroked:
            canvas.setLineWidth(size * STROKE_PER_POINT)
            line.setTextRenderMode(2)
            line.textOut(part)
            line.setTextRenderMode(0)
        else:
            line.textOut(part)
    canvas.drawText(line)
    return text_width(text, typeface, size)


@dataclass(frozen=True)
class TextStyle:
    """How a kind of text is set: its typeface, its size and its smallest size."""

    typeface: Typeface
    size: float
    min_size: float
    # The distance between baselines, per point of size.
    leading: float = 1.2

    def __post_init__(self):
        if not 0 < self.min_size <= self.size:
            raise ValueError("A style's smallest size is between 0 and its size.")


@dataclass(frozen=True)
class FittedText:
    """A text set in a box: its lines and the size they are drawn at."""

    lines: tuple[str, ...]
    size: float
    style: TextStyle

    @property
    def line_height(self) -> float:
        return self.size * self.style.leading

    @property
    def height(self) -> float:
        """Return the height the lines take, from the top of the first."""
        return len(self.lines) * self.line_height

    def widest(self) -> float:
        return max(
            (text_width(line, self.style.typeface, self.size) for line in self.lines),
            default=0.0,
        )

    def draw(
        self,
        canvas: Canvas,
        *,
        x: float,
        top: float,
        width: float,
        align: str = "left",
        colour: Color = black,
    ) -> float:
        """Draw the lines below ``top`` in a box ``width`` wide; return the bottom.

        ``align`` is ``left``, ``centre`` or ``right``.
        """
        baseline = top - self.size * ASCENT - (self.line_height - self.size) / 2
        for line in self.lines:
            line_width = text_width(line, self.style.typeface, self.size)
            if align == "centre":
                start = x + (width - line_width) / 2
            elif align == "right":
                start = x + width - line_width
            else:
                start = x
            draw_runs(
                canvas,
                line,
                x=start,
                y=baseline,
                typeface=self.style.typeface,
                size=self.size,
                colour=colour,
            )
            baseline -= self.line_height
        return top - self.height


def fit_text(
    text: str,
    style: TextStyle,
    *,
    width: float,
    max_lines: int = 1,
) -> FittedText:
    """Set ``text`` in a box ``width`` wide, as large as it fits in ``max_lines``.

    The size goes down from the style's size in steps until the text fits in
    ``max_lines`` lines (one, unless a document allows more); at the style's
    smallest size it is wrapped into as many lines as it needs, however many.
    An empty text gives no lines.
    """
    text = " ".join(text.split())
    typeface = style.typeface
    largest, smallest = style.size, style.min_size
    if not text:
        return FittedText((), largest, style)
    size = largest
    while size > smallest:
        if max_lines == 1:
            if text_width(text, typeface, size) <= width:
                return FittedText((text,), size, style)
        else:
            lines = wrap(text, typeface, size, width)
            if len(lines) <= max_lines:
                return FittedText(tuple(lines), size, style)
        size = max(size - SHRINK_STEP, smallest)
    return FittedText(tuple(wrap(text, typeface, smallest, width)), smallest, style)


def is_ideographic(character: str) -> bool:
    """Return whether a line may break before or after ``character`` (CJK, kana)."""
    return unicodedata.east_asian_width(character) in "WF"


def break_units(text: str) -> list[str]:
    """Split ``text`` into the pieces a line may break between.

    A piece is a word with the space after it, a part of a word up to a
    hyphen, or one Japanese character (with the punctuation that must stay
    with it).
    """
    units: list[str] = []
    word = ""
    for character in text:
        if character == " " or (character in BREAK_AFTER and word.strip()):
            word += character
            units.append(word)
            word = ""
        elif is_ideographic(character):
            if word and not (character in NO_LINE_START or word[-1] in NO_LINE_END):
                units.append(word)
                word = ""
            word += character
        else:
            if word and is_ideographic(word[-1]) and word[-1] not in NO_LINE_END:
                units.append(word)
                word = ""
            word += character
    if word:
        units.append(word)
    return units


def wrap(text: str, typeface: Typeface, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` at ``size`` points."""
    lines: list[str] = []
    line = ""
    for unit in break_units(text):
        candidate = line + unit
        if text_width(candidate.rstrip(), typeface, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line.rstrip())
            line = ""
        if text_width(unit.rstrip(), typeface, size) <= width:
            line = unit
            continue
        # A piece wider than the box on its own is broken between characters.
        for character in unit:
            if line and text_width(line + character, typeface, size) > width:
                lines.append(line.rstrip())
                line = ""
            line += character
    if line.strip():
        lines.append(line.rstrip())
    return lines
