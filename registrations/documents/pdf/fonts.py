"""The fonts of every PDF: where they come from, and which has which character.

Two TrueType fonts (``glyf`` outlines, which ReportLab subsets and embeds;
OpenType-CFF files it cannot load) installed by ``pip install -r
requirements.txt``, never read from the system:

- DejaVu Sans (regular and bold), shipped inside ``matplotlib``: Latin with
  every diacritic Vietnamese needs (ễ, ị, Đ, ặ), Greek, Cyrillic;
- IPAexGothic 004.01, shipped by ``matplotlib-fontja``: kanji, kana and
  Japanese punctuation, which DejaVu Sans lacks. It has no bold; ``BOLD``
  draws it with a thin outline stroke instead.

The files are located through the packages' import specs, without importing
them (importing matplotlib would cost time and memory for nothing). Each
character is drawn in the first font of its typeface that has it.
"""

import functools
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

LATIN = "DejaVuSans"
LATIN_BOLD = "DejaVuSans-Bold"
JAPANESE = "IPAexGothic"

# Each font: the package that ships it, and the file's path inside it.
FONT_FILES = {
    LATIN: ("matplotlib", "mpl-data/fonts/ttf/DejaVuSans.ttf"),
    LATIN_BOLD: ("matplotlib", "mpl-data/fonts/ttf/DejaVuSans-Bold.ttf"),
    JAPANESE: ("matplotlib_fontja", "fonts/ipaexg.ttf"),
}


@dataclass(frozen=True)
class Typeface:
    """A style of text: fonts in order of preference, for fallback per character.

    ``stroked`` names the fonts drawn with an outline stroke as well as
    filled, for a bold weight a font does not have.
    """

    name: str
    fonts: tuple[str, ...]
    stroked: frozenset[str] = field(default_factory=frozenset)


REGULAR = Typeface("regular", (LATIN, JAPANESE))
BOLD = Typeface("bold", (LATIN_BOLD, JAPANESE), stroked=frozenset({JAPANESE}))


def font_path(name: str) -> Path:
    """Return the file of font ``name`` inside the package that ships it."""
    package, relative = FONT_FILES[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise LookupError(
            f"The font {name} comes with the Python package {package}, which is "
            "not installed: run pip install -r requirements.txt"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise LookupError(f"The font {name} is not where {package} keeps it: {path}")
    return path


@functools.cache
def register_fonts() -> None:
    """Load every font into ReportLab, once per process (about 0.1 s)."""
    for name in FONT_FILES:
        pdfmetrics.registerFont(TTFont(name, str(font_path(name))))


@functools.cache
def _character_map(name: str) -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(name).face.charToGlyph)


def font_has(name: str, character: str) -> bool:
    """Return whether font ``name`` has a glyph for ``character``."""
    return ord(character) in _character_map(name)


@functools.lru_cache(maxsize=8192)
def font_for(typeface: Typeface, character: str) -> str | None:
    """Return the first font of ``typeface`` that has ``character``, or None."""
    for name in typeface.fonts:
        if font_has(name, character):
            return name
    return None


def missing_characters(text: str, typeface: Typeface = REGULAR) -> list[str]:
    """Return the characters of ``text`` that no font of ``typeface`` has, once each.

    They would print as an empty box: a document can warn staff about them
    before anything is printed (the fonts cover Latin, Greek, Cyrillic and
    Japanese, not Thai or Hangul).
    """
    seen: dict[str, None] = {}
    for character in text:
        if not character.isspace() and font_for(typeface, character) is None:
            seen[character] = None
    return list(seen)
