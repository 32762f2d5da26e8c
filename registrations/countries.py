"""The country list in the reader's language and order.

English lists are in alphabetical order. Japanese lists put 日本 first, then
follow the Japanese syllabary (五十音順) by each name's reading, as the
Ministry's own lists do, rather than the order of the characters' codes,
which would put every name written in kanji after all the katakana ones. The
names themselves are the Ministry's (``symposium/country_names.py``).
"""

import functools
import unicodedata

from django.conf import settings
from django.utils import translation
from django_countries import countries

from registrations.models import japanese_is_active

# Readings of the words in kanji that country names use, longest first when
# applied; the rest of a name is read as its kana are written.
KANJI_READINGS = {
    "合衆国領有小離島": "がっしゅうこくりょうゆうしょうりとう",
    "首長国連邦": "しゅちょうこくれんぽう",
    "民主共和国": "みんしゅきょうわこく",
    "共和国": "きょうわこく",
    "北朝鮮": "きたちょうせん",
    "日本": "にほん",
    "中国": "ちゅうごく",
    "韓国": "かんこく",
    "台湾": "たいわん",
    "香港": "ほんこん",
    "英国": "えいこく",
    "米国": "べいこく",
    "南極": "なんきょく",
    "南方": "なんぽう",
    "中央": "ちゅうおう",
    "赤道": "せきどう",
    "地域": "ちいき",
    "諸島": "しょとう",
    "及び": "および",
    "英領": "えいりょう",
    "米領": "べいりょう",
    "仏領": "ふつりょう",
    "蘭領": "らんりょう",
    "連邦": "れんぽう",
    "北": "きた",
    "南": "みなみ",
    "東": "ひがし",
    "西": "にし",
    "洋": "よう",
    "島": "とう",
    "国": "こく",
}
_LONGEST_FIRST = sorted(KANJI_READINGS, key=len, reverse=True)
SMALL_KANA = str.maketrans("ぁぃぅぇぉっゃゅょゎ", "あいうえおつやゆよわ")
VOWEL_ROWS = {
    "あ": "あかさたなはまやらわ",
    "い": "いきしちにひみり",
    "う": "うくすつぬふむゆる",
    "え": "えけせてねへめれ",
    "お": "おこそとのほもよろを",
}
VOWEL_OF = {kana: vowel for vowel, row in VOWEL_ROWS.items() for kana in row}
JAPAN = "JP"


def reading(name: str) -> str:
    """Return how a Japanese country name is read, in hiragana."""
    for word in _LONGEST_FIRST:
        name = name.replace(word, KANJI_READINGS[word])
    # Katakana to hiragana: the two blocks are 0x60 apart.
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in name)


def syllabary_key(name: str) -> tuple[str, str]:
    """Return the key that sorts Japanese names in the order of the syllabary.

    Voiced and small kana sort with their plain ones (ガ with カ), a long
    vowel mark as the vowel it lengthens; only then do they count.
    """
    spoken = reading(name)
    plain = []
    for character in unicodedata.normalize("NFD", spoken):
        if character in "\u3099\u309a":
            continue  # the marks of voiced kana
        character = character.translate(SMALL_KANA)
        if character == "ー" and plain:
            character = VOWEL_OF.get(plain[-1], "ー")
        if "ぁ" <= character <= "ゖ" or character == "ー":
            plain.append(character)
    return "".join(plain), spoken


def country_choices_in_active_language() -> list[tuple[str, str]]:
    """Return (code, name) for every country, in the active language's order."""
    named = [(country.code, str(country.name)) for country in countries]
    if not japanese_is_active():
        return named
    japan = [choice for choice in named if choice[0] == JAPAN]
    rest = [choice for choice in named if choice[0] != JAPAN]
    return japan + sorted(rest, key=lambda choice: syllabary_key(choice[1]))


@functools.lru_cache(maxsize=len(settings.LANGUAGES))
def country_choices_in(language: str) -> tuple[tuple[str, str], ...]:
    """Return ``country_choices_in_active_language()`` for ``language``.

    Worked out once a process for each language: some 250 names translated
    (and, in Japanese, put in the syllabary's order) for each form and each
    page of the reviewers' list would cost more than the rest of either.
    """
    with translation.override(language):
        return tuple(country_choices_in_active_language())


@functools.lru_cache(maxsize=len(settings.LANGUAGES))
def country_names_in(language: str) -> dict[str, str]:
    """Return each country's name in ``language``, by its code."""
    return dict(country_choices_in(language))
