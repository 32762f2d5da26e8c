"""The country list: the Ministry's names, and on Japanese pages 日本 first and
the Japanese syllabary's order, so that a keyboard reaches Japan at once."""

import re

import pytest
from django.utils import translation

from registrations.countries import (
    country_choices_in_active_language,
    reading,
    syllabary_key,
)
from registrations.forms import RegistrationForm

pytestmark = pytest.mark.django_db
KANJI = re.compile(r"[\u4e00-\u9fff]")


def form_countries(event, language):
    with translation.override(language):
        return [
            (code, str(name))
            for code, name in RegistrationForm(event=event).fields["country"].choices
        ][1:]


def test_the_japanese_list_starts_with_japan_and_follows_the_syllabary(event):
    names = [name for _, name in form_countries(event, "ja")]
    assert names[0] == "日本"
    assert names[1:4] == ["アイスランド", "アイルランド", "アゼルバイジャン"]
    rest = names[1:]
    assert rest == sorted(rest, key=syllabary_key)
    # Names in kanji take their place by reading, not after all the katakana.
    assert names.index("英国") < names.index("エクアドル")
    assert names.index("韓国") < names.index("ガンビア") < names.index("北朝鮮")
    assert names.index("中国") < names.index("チュニジア")
    assert names[-1] == "ロシア"


def test_voiced_and_long_kana_sort_with_their_plain_ones():
    words = ["カナダ", "ガーナ", "ガボン", "カタール"]
    assert sorted(words, key=syllabary_key) == [
        "ガーナ",
        "カタール",
        "カナダ",
        "ガボン",
    ]


def test_every_japanese_name_has_a_reading():
    with translation.override("ja"):
        names = [name for _, name in country_choices_in_active_language()]
    assert len(names) > 240
    assert [name for name in names if KANJI.search(reading(name))] == []


@pytest.mark.parametrize(
    ("code", "japanese"),
    [
        ("GB", "英国"),
        ("US", "米国"),
        ("PS", "パレスチナ"),
        ("GE", "ジョージア"),
        ("CD", "コンゴ民主共和国"),
        ("FM", "ミクロネシア"),
        ("NR", "ナウル"),
        ("KR", "韓国"),
    ],
)
def test_japanese_pages_use_the_ministrys_names(event, code, japanese):
    assert dict(form_countries(event, "ja"))[code] == japanese


def test_the_english_list_is_alphabetical_and_says_nauru(event):
    countries = form_countries(event, "en")
    names = dict(countries)
    assert names["NR"] == "Nauru"
    assert names["GB"] == "United Kingdom"
    assert names["JP"] == "Japan"
    assert "Naoero" not in names.values()
    assert countries[0] == ("AF", "Afghanistan")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_form_takes_each_country_it_lists_and_no_other(event, language):
    listed = [code for code, _name in form_countries(event, language)]
    assert len(listed) > 240
    with translation.override(language):
        for code in [*listed, "XX", "jp", "JPN"]:
            form = RegistrationForm({"country": code}, event=event)
            form.is_valid()
            assert ("country" in form.errors) is (code not in listed), code
