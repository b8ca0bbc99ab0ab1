"""The invoice PDF as pypdf reads it: each file embeds one TrueType subset of DejaVu Sans holding only
the glyphs it shows, whose outlines are the shipped font's, with a ToUnicode map through which its
text (every Polish letter) extracts back; a long invoice runs over several pages."""

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
from tests import pdf_reader

POLISH = "ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ"


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
        seller_bank_account="61 1090 1014 0000 0712 1981 2874",
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
    """The one embedded TrueType program: the file holds one, the one its pages' font refers to."""
    [font] = pdf_reader.fonts(data)
    assert pdf_reader.font_programs(data) == [font.program]
    return font.program


def outline(font: TTFont, glyph_name: str) -> list:
    pen = DecomposingRecordingPen(font.getGlyphSet())
    font.getGlyphSet()[glyph_name].draw(pen)
    return pen.value


def many_lines(count: int) -> tuple[Document, list[DocumentItem]]:
    """An invoice of `count` lines, each named with its number and Polish letters."""
    document, _items = invoice()
    items = [
        DocumentItem(
            document_id=7,
            position=n,
            name=f"Pozycja {n} źdźbło żółci",
            quantity=Decimal("1.000"),
            unit="szt.",
            net_price=Decimal("1.00"),
            vat_rate="23",
        )
        for n in range(1, count + 1)
    ]
    return document, items


def test_a_pdf_embeds_only_the_glyphs_it_shows_with_the_fonts_own_outlines():
    document, items = invoice()
    data = pdf.render_invoice(document, items)
    program = font_program(data)
    full = TTFont(pdf.FONT_PATH)
    subset = TTFont(io.BytesIO(program))

    assert len(program) < pdf.FONT_PATH.stat().st_size / 4
    assert len(data) < len(zlib.compress(pdf.FONT_PATH.read_bytes())) / 2  # the whole PDF vs the font alone

    # Glyphs: .notdef, one per distinct character shown, and the components of composite ones.
    text = pdf_reader.text(data).replace("\n", "")
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

    # Each CID the page shows draws exactly the full font's outline of its character, with its
    # advance both in the program and in the PDF's /W widths.
    cids = pdf_reader.shown_codes(data)
    assert len(cids) == len(shown_names)
    order = subset.getGlyphOrder()
    [font] = pdf_reader.fonts(data)
    upem = full["head"].unitsPerEm
    for cid in cids:
        ch = font.to_unicode[cid]
        assert outline(subset, order[cid]) == outline(full, cmap[ord(ch)]), ch
        assert subset["hmtx"][order[cid]] == full["hmtx"][cmap[ord(ch)]]
        assert font.widths[cid] == round(full["hmtx"][cmap[ord(ch)]][0] * 1000 / upem), ch


def test_the_font_is_a_dejavu_subset_embedded_once_with_a_tounicode_map():
    """Three pages: one font dictionary for all of them, one font program in the file, named as a
    subset of DejaVu Sans (a tag of six capitals, ISO 32000-1 9.6.4), mapping every code shown."""
    data = pdf.render_invoice(*many_lines(100))
    pages = pdf_reader.reader(data).pages
    assert len(pages) == 3
    assert all(page["/Resources"]["/Font"] for page in pages)
    [font] = pdf_reader.fonts(data)  # the distinct font dictionaries the three pages use
    assert re.fullmatch(r"[A-Z]{6}\+DejaVuSans", font.base_font), font.base_font
    assert font.subtype == "/Type0/CIDFontType2"
    assert pdf_reader.font_programs(data) == [font.program]
    subset, full = TTFont(io.BytesIO(font.program)), TTFont(pdf.FONT_PATH)
    assert subset["maxp"].numGlyphs < full["maxp"].numGlyphs / 4
    assert set(font.to_unicode) >= pdf_reader.shown_codes(data)
    assert set("źżółŁ") <= set(font.to_unicode.values())  # "żółci", "Łódź"


def test_a_long_invoice_runs_over_pages_each_with_the_table_header_and_every_line_once():
    data = pdf.render_invoice(*many_lines(100))
    pages = pdf_reader.page_texts(data)
    assert len(pages) == 3  # 100 lines of 17 points do not fit two A4 pages of 842
    header = "Lp. Nazwa Ilość J.m. Cena netto Wartość netto VAT"
    assert all(page.count(header) == 1 for page in pages)
    shown = [
        line.split(" Pozycja ")[0] for page in pages for line in page.split("\n") if "źdźbło żółci" in line
    ]
    assert shown == [str(n) for n in range(1, 101)]  # each line once, in order, across the pages
    whole = "\n".join(pages)
    for n in (1, 34, 100):
        assert f"{n} Pozycja {n} źdźbło żółci 1 szt. 1,00 1,00 23%" in whole
    assert [page.count("Do zapłaty: 123,00\xa0zł") for page in pages] == [0, 0, 1]
    assert "Faktura VAT nr FV 12/11/2026" in pages[0] and "Nabywca" in pages[0]
    assert "Nabywca" not in pages[1] + pages[2]


def test_every_polish_letter_extracts_back():
    data = one_page(POLISH, "Zażółć gęślą jaźń", "ZAŻÓŁĆ GĘŚLĄ JAŹŃ")
    assert pdf_reader.text(data).split("\n") == [POLISH, "Zażółć gęślą jaźń", "ZAŻÓŁĆ GĘŚLĄ JAŹŃ"]
    document, items = invoice(buyer=POLISH, item=f"Pozycja {POLISH}")
    text = pdf_reader.text(pdf.render_invoice(document, items))
    assert POLISH in text.split("\n") and f"Pozycja {POLISH}" in text
    assert "Faktura VAT nr FV 12/11/2026" in text and "Do zapłaty: 369,00\xa0zł" in text
    for letter in "łżąŁŻĄ":
        assert letter in text, letter


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_a_reader_extracts_the_polish_letters_through_the_subsets_tounicode():
    data = one_page(POLISH)
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
    assert out.decode().strip() == POLISH


def test_a_character_the_font_lacks_is_drawn_and_read_as_a_question_mark():
    data = one_page("a☃b?")
    assert pdf_reader.text(data) == "a?b?"
    assert TTFont(io.BytesIO(font_program(data)))["maxp"].numGlyphs == 4  # .notdef, a, b, ?


def test_files_with_other_characters_get_other_subsets_and_the_same_file_twice_is_identical():
    first, again, other = one_page("abc"), one_page("abc"), one_page("abcłą")
    assert first == again
    assert len(font_program(other)) > len(font_program(first))
    assert pdf_reader.text(other) == "abcłą"


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


def test_the_invoice_is_polish_whatever_the_language_of_the_page_that_asks_for_it():
    """A Polish VAT invoice: its labels are the catalogue's in Polish, also for an English account."""
    from fakturowo_ui.i18n import use_language

    polish = pdf.render_invoice(*invoice())
    with use_language("en"):
        english_page = pdf.render_invoice(*invoice())
    assert english_page == polish
    text = pdf_reader.page_texts(polish)[0]
    for label in (
        "Faktura VAT nr FV 12/11/2026",
        "Data wystawienia: 23-11-2026",
        "Data sprzedaży: 22-11-2026",
    ):
        assert label in text
    for label in (
        "Sprzedawca",
        "Nabywca",
        "NIP: 526-025-02-74",
        "Wartość brutto",
        "Razem",
        "Wystawiono w Fakturowo",
    ):
        assert label in text
    assert "Do zapłaty: 369,00\xa0zł" in text and "Numer konta: 61 1090 1014 0000 0712 1981 2874" in text


def test_the_invoice_says_where_it_was_issued_how_and_by_when_to_pay_and_the_amount_in_words():
    """Issue 13: what an accountant looks for, and "zł" as on the screen (it said "PLN")."""
    document, items = invoice()
    document.place_of_issue = "Kraków"
    document.payment_method = "cash"
    document.due_date = dt.date(2026, 12, 7)
    text = pdf_reader.text(pdf.render_invoice(document, items))
    for needle in (
        "Miejsce wystawienia: Kraków",
        "Do zapłaty: 369,00\xa0zł",
        "Słownie: trzysta sześćdziesiąt dziewięć złotych, zero groszy",
        "Sposób płatności: Gotówka",
        "Termin płatności: 07-12-2026",
    ):
        assert needle in text, needle
    assert "PLN" not in text


def test_an_invoice_issued_before_the_payment_fields_prints_none_of_them_but_the_transfer():
    document, items = invoice()  # as migration 0009 leaves older rows: no place, no due date
    text = pdf_reader.text(pdf.render_invoice(document, items))
    assert "Miejsce wystawienia" not in text and "Termin płatności" not in text
    assert "Sposób płatności: Przelew" in text


def test_codes_a_literal_string_must_escape_and_a_title_with_brackets_read_back():
    """Text is written as two-byte codes inside literal strings: with over 100 glyphs, codes
    0x0A, 0x0D, 0x28, 0x29 and 0x5C (a line end, the string's brackets, its escape) occur and
    must be escaped; the document title, plain ASCII, is a literal string too."""
    shown = "".join(chr(c) for c in range(0x21, 0x7F)) + POLISH.replace(" ", "")
    data = one_page(*(shown[i : i + 40] for i in range(0, len(shown), 40)))  # lines inside the page
    assert len(set(shown)) > 0x5C  # so the codes above are all in use
    assert pdf_reader.text(data).replace("\n", "") == shown
    if shutil.which("pdftotext"):  # poppler reads it the same (make test installs it)
        read = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
        assert read.decode().replace("\n", "").strip() == shown
    canvas = pdf.Canvas()
    canvas.text(40, 40, "x")
    titled = canvas.render("Faktura (korekta) \\ FV 1/2026")
    assert pdf._pdf_text_string("Faktura (korekta) \\ FV 1/2026") == "(Faktura \\(korekta\\) \\\\ FV 1/2026)"
    assert pdf._pdf_text_string("Próba").startswith("<FEFF")
    import pypdf

    assert pypdf.PdfReader(io.BytesIO(titled)).metadata.title == "Faktura (korekta) \\ FV 1/2026"
