"""The PDF foundation every document shares: fonts, fitting text, QR codes."""

import io

import pypdfium2
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.units import mm

from registrations.documents import pdf
from registrations.documents.pdf import fonts, text
from symposium.redaction import mask_secrets

NAME_STYLE = pdf.TextStyle(pdf.BOLD, 24, 12)


def test_each_character_is_drawn_in_the_font_that_has_it():
    runs = list(text.runs("Nguyễn Thị 山田・花子 Đặng", pdf.REGULAR))
    assert runs == [
        (fonts.LATIN, "Nguyễn Thị "),
        (fonts.JAPANESE, "山田・花子 "),
        (fonts.LATIN, "Đặng"),
    ]


def test_the_fonts_come_from_installed_packages_not_the_system():
    for name in fonts.FONT_FILES:
        path = fonts.font_path(name)
        assert "site-packages" in str(path) or "dist-packages" in str(path)
        assert path.read_bytes()[:4] in (b"\x00\x01\x00\x00", b"true")  # TrueType


def test_characters_no_font_has_are_found_before_printing():
    assert pdf.missing_characters("김민준 Somchai สมชาย Nguyễn 山田") == [
        "김",
        "민",
        "준",
        *"สมชาย",
    ]
    assert pdf.missing_characters("Helena Karlén, 山田花子, Ελένη, Елена") == []


def test_a_short_name_keeps_its_full_size_on_one_line():
    fitted = pdf.fit_text("Ana LIM", NAME_STYLE, width=80 * mm)
    assert (fitted.lines, fitted.size) == (("Ana LIM",), 24)


def test_a_long_name_shrinks_before_it_wraps():
    name = "Maximiliano Alejandro BARTHOLOMEW"
    fitted = pdf.fit_text(name, NAME_STYLE, width=120 * mm)
    assert fitted.lines == (name,)
    assert 12 <= fitted.size < 24


def test_a_name_too_long_even_at_the_minimum_wraps_between_words():
    name = "Bartholomew Alexander Maximiliano FEATHERSTONEHAUGH-CHOLMONDELEY"
    fitted = pdf.fit_text(name, NAME_STYLE, width=60 * mm)
    assert fitted.size == 12
    assert fitted.lines == (
        "Bartholomew Alexander",
        "Maximiliano",
        "FEATHERSTONEHAUGH-",
        "CHOLMONDELEY",
    )


def test_japanese_wraps_between_characters_but_not_before_small_kana():
    fitted = pdf.fit_text(
        "ちゃんとした日本語の長い組織名" * 3, NAME_STYLE, width=40 * mm
    )
    assert all(not line.startswith(("ゃ", "ー", "。")) for line in fitted.lines)
    assert "".join(fitted.lines) == "ちゃんとした日本語の長い組織名" * 3


words = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzÀéễịĐặ山田花子ー・ "),
    min_size=1,
    max_size=200,
)


@settings(max_examples=80, deadline=None)
@given(words, st.floats(min_value=15, max_value=120))
def test_fitting_never_loses_a_character_nor_overflows(typed, width_mm):
    width = width_mm * mm
    fitted = pdf.fit_text(typed, NAME_STYLE, width=width)
    assert "".join("".join(fitted.lines).split()) == "".join(typed.split())
    for line in fitted.lines:
        assert len(line) == 1 or (
            text.text_width(line, NAME_STYLE.typeface, fitted.size) <= width + 0.01
        )
    assert fitted.size >= NAME_STYLE.min_size


def test_the_qr_code_drawn_reads_back_as_its_data():
    output = io.BytesIO()
    canvas = pdf.new_canvas(output, pagesize=(60 * mm, 60 * mm), title="t", author="a")
    secret = "Xq3_9-" * 7 + "z"
    pdf.draw_qr(canvas, secret, x=5 * mm, y=5 * mm, size=30 * mm)
    canvas.showPage()
    canvas.save()
    picture = pypdfium2.PdfDocument(output.getvalue())[0].render(scale=3).to_pil()
    assert [code.text for code in zxingcpp.read_barcodes(picture)] == [secret]


def test_a_page_names_no_font_that_is_not_embedded():
    output = io.BytesIO()
    canvas = pdf.new_canvas(output, pagesize=(60 * mm, 60 * mm), title="t", author="a")
    canvas.showPage()
    canvas.save()
    assert b"Helvetica" not in output.getvalue()


def test_the_photo_addresses_of_a_private_link_are_masked_in_logs():
    line = "GET /ja/registration/AbC123_secret-token/photo/image/ 200"
    assert "AbC123" not in mask_secrets(line)
