"""The invoice PDF's font: each file embeds a TrueType subset of only the glyphs it shows, whose
outlines are the shipped font's, and its text (every Polish letter) extracts back."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zlib
from decimal import Decimal

import pytest
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont

from fakturowo_ui.models import Document, DocumentItem
from fakturowo_ui.services import pdf
from tests import pdf_text

POLISH = "ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ"
_STREAM_RE = re.compile(rb"<<([^<>]*(?:<<[^<>]*>>[^<>]*)*)>>\s*stream\r?\n(.*?)\r?\nendstream", re.S)


def invoice(buyer: str = "Klient Łódź", item: str = "Usługa księgowa") -> tuple[Document, list[DocumentItem]]:
    document = Document(
        id=7,
        user_id=1,
        number="FV 12/11/2026",
        issue_date=dt.date(2026, 11, 23),
        sale_date=dt.date(2026, 11, 22),
        created_at=dt.datetime(2026, 11, 23),
        seller_name="Zażółć Gęślą Jaźń Sp. z o.o.",
        seller_nip="5260250274",
        seller_address="ul. Świętokrzyska 1\n00-001 Warszawa",
        seller_bank_account="12 1020 1026 0000 0402 0207 0123",
        buyer_name=buyer,
        buyer_nip="7740001454",
        buyer_address="ul. Piotrkowska 1",
        total_net=Decimal("300.00"),
        total_vat=Decimal("69.00"),
        total_gross=Decimal("369.00"),
    )
    items = [
        DocumentItem(
            document_id=7,
            position=1,
            name=item,
            quantity=Decimal("2.000"),
            unit="godz.",
            net_price=Decimal("150.00"),
            vat_rate="23",
        )
    ]
    return document, items


def one_page(*texts: str) -> bytes:
    canvas = pdf.Canvas()
    for n, text in enumerate(texts):
        canvas.text(40, 60 + 20 * n, text, 12)
    return canvas.render("Próba")


def font_program(data: bytes) -> bytes:
    """The embedded TrueType program (the one stream with /Length1), inflated."""
    found = [body for header, body in _STREAM_RE.findall(data) if b"/Length1" in header]
    assert len(found) == 1
    return zlib.decompress(found[0])


def cids_of(data: bytes) -> set[int]:
    """The CIDs the page contents show."""
    shown: set[int] = set()
    for header, body in _STREAM_RE.findall(data):
        if b"/Length1" in header or b"/ObjStm" in header or b"/XRef" in header:
            continue
        content = zlib.decompress(body)
        if b"begincmap" in content:
            continue
        for hex_text in re.findall(rb"<([0-9A-F]*)>\s*Tj", content):
            shown.update(int(hex_text[i : i + 4], 16) for i in range(0, len(hex_text), 4))
    return shown


def outline(font: TTFont, glyph_name: str) -> list:
    pen = DecomposingRecordingPen(font.getGlyphSet())
    font.getGlyphSet()[glyph_name].draw(pen)
    return pen.value


def test_a_pdf_embeds_only_the_glyphs_it_shows_with_the_fonts_own_outlines():
    document, items = invoice()
    data = pdf.render_invoice(document, items)
    program = font_program(data)
    full = TTFont(pdf.FONT_PATH)
    subset = TTFont(io.BytesIO(program))

    assert len(program) < pdf.FONT_PATH.stat().st_size / 4
    assert len(data) < len(zlib.compress(pdf.FONT_PATH.read_bytes())) / 2  # the whole PDF vs the font alone

    # Glyphs: .notdef, one per distinct character shown, and the components of composite ones.
    text = pdf_text.text(data).replace("\n", "")
    cmap = full.getBestCmap()
    shown_names = {cmap[ord(ch)] for ch in set(text)}
    glyf = full["glyf"]
    needed = set(shown_names)
    pending = list(shown_names)
    while pending:
        glyph = glyf[pending.pop()]
        for component in glyph.components if glyph.isComposite() else []:
            if component.glyphName not in needed:
                needed.add(component.glyphName)
                pending.append(component.glyphName)
    assert subset["maxp"].numGlyphs == 1 + len(needed) < full["maxp"].numGlyphs / 4

    # Each CID the page shows draws exactly the full font's outline of its character.
    cids = cids_of(data)
    assert len(cids) == len(shown_names)
    order = subset.getGlyphOrder()
    to_unicode = pdf_text.unicode_map(data)
    for cid in cids:
        ch = to_unicode[f"{cid:04X}"]
        assert outline(subset, order[cid]) == outline(full, cmap[ord(ch)]), ch
        assert subset["hmtx"][order[cid]] == full["hmtx"][cmap[ord(ch)]]


def test_every_polish_letter_extracts_back():
    data = one_page(POLISH, "Zażółć gęślą jaźń", "ZAŻÓŁĆ GĘŚLĄ JAŹŃ")
    assert pdf_text.text(data).split("\n") == [POLISH, "Zażółć gęślą jaźń", "ZAŻÓŁĆ GĘŚLĄ JAŹŃ"]
    document, items = invoice(buyer=POLISH, item=f"Pozycja {POLISH}")
    text = pdf_text.text(pdf.render_invoice(document, items))
    assert POLISH in text and f"Pozycja {POLISH}" in text
    assert "Faktura VAT nr FV 12/11/2026" in text and "Do zapłaty: 369,00 PLN" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_a_reader_extracts_the_polish_letters_through_the_subsets_tounicode():
    data = one_page(POLISH)
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
    assert out.decode().strip() == POLISH


def test_a_character_the_font_lacks_is_drawn_and_read_as_a_question_mark():
    data = one_page("a☃b?")
    assert pdf_text.text(data) == "a?b?"
    assert TTFont(io.BytesIO(font_program(data)))["maxp"].numGlyphs == 4  # .notdef, a, b, ?


def test_files_with_other_characters_get_other_subsets_and_the_same_file_twice_is_identical():
    first, again, other = one_page("abc"), one_page("abc"), one_page("abcłą")
    assert first == again
    assert len(font_program(other)) > len(font_program(first))
    assert pdf_text.text(other) == "abcłą"


def test_widths_are_the_fonts_advances():
    full = TTFont(pdf.FONT_PATH)
    cmap, hmtx, upem = full.getBestCmap(), full["hmtx"], full["head"].unitsPerEm
    text = "Wartość netto: 1 234,56 zł"
    expected = sum(round(hmtx[cmap[ord(ch)]][0] * 1000 / upem) for ch in text) * 10 / 1000
    assert pdf.text_width(text, 10) == pytest.approx(expected)
    assert pdf.text_width("☃", 10) == pdf.text_width("?", 10)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_a_subset_renders_like_a_subset_of_the_whole_font(tmp_path):
    """The page showing Polish letters with a small subset rasterises to the same pixels as the same
    page in a file whose subset holds every glyph of the font (other CIDs, other glyph order)."""
    every = "".join(chr(cp) for cp in sorted(TTFont(pdf.FONT_PATH).getBestCmap()))
    small = pdf.Canvas()
    large = pdf.Canvas()
    for canvas in (small, large):
        canvas.text(40, 60, POLISH, 24)
        canvas.text(40, 100, "Wartość brutto: 1 234,56 zł", 11, gray=0.35)
    large.new_page()
    large.text(40, 60, every, 6)
    pngs = []
    for name, canvas in (("small", small), ("large", large)):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(canvas.render("Próba"))
        subprocess.run(
            ["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / name)],
            check=True,
        )
        pngs.append(next(tmp_path.glob(f"{name}-*.png")).read_bytes())
    glyphs = [
        TTFont(io.BytesIO(font_program((tmp_path / f"{name}.pdf").read_bytes())))["maxp"].numGlyphs
        for name in ("small", "large")
    ]
    assert glyphs[0] < glyphs[1] / 4
    assert pngs[0] == pngs[1]
