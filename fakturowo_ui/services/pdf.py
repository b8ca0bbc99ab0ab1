"""An invoice as a PDF: a small direct writer embedding a subset of DejaVu Sans (Polish letters).

Why not fpdf2: it parses and subsets the TrueType font again for every file (~0.2-0.4 s a
document here), which makes an export of 10,000 invoices take an hour; fontTools' subsetter alone
takes ~9 ms a document. This writer takes the font apart once per process (outline bytes,
metrics and the components of composite glyphs, by glyph ID) and, for each file, assembles a
TrueType program of only the glyphs the file shows: .notdef, the shown glyphs as CIDs 1..n in the
order of their glyph IDs, then the glyphs composite ones are built of (ą = a + ogonek), with
their references renumbered. Every PDF carries its own font and opens on its own; a file that
shows the same characters as a recent one reuses that one's serialised font objects (an LRU).

Text is written with Identity-H codes (CID = glyph ID in the subset), two bytes each inside
literal strings, through a str.translate table made per distinct character of the file, never a
Python loop per character; widths are summed by C-level lookups (map over a dict). A ToUnicode
map keeps the text searchable, copyable and extractable. The small objects sit in one compressed
object stream with a cross-reference stream (PDF 1.5).
"""

from __future__ import annotations

import dataclasses
import functools
import struct
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from threading import Lock

from fakturowo_ui.i18n import formats, t
from fakturowo_ui.models import Document, DocumentItem
from fakturowo_ui.services import documents
from fakturowo_ui.services.nip import format_nip

FONT_PATH = Path(__file__).resolve().parent.parent / "fonts" / "DejaVuSans-PL.ttf"
FONT_NAME = "DejaVuSans"
PAGE_W, PAGE_H = 595.28, 841.89  # A4 in points
MARGIN = 40
_FIXED_OBJECTS = 7  # catalog, pages, type0 font, CID font, ToUnicode, descriptor, font file
_COMPRESSION = 6  # zlib level of the streams (9 takes longer for no smaller files here)
_SUBSETS_KEPT = 256  # font objects (~5 KiB each) kept by character set, least recently used out

# Composite glyph flags (OpenType 'glyf' table)
_ARG_1_AND_2_ARE_WORDS = 0x0001
_WE_HAVE_A_SCALE = 0x0008
_MORE_COMPONENTS = 0x0020
_WE_HAVE_AN_X_AND_Y_SCALE = 0x0040
_WE_HAVE_A_TWO_BY_TWO = 0x0080


class _Widths(dict):
    """Advance width in 1/1000 em by character; a character the font lacks is drawn as "?"."""

    fallback = 0

    def __missing__(self, char: str) -> int:
        return self.fallback


@dataclasses.dataclass(frozen=True)
class _Font:
    gid_of: dict[str, int]  # character -> glyph ID in the full font
    widths: _Widths  # character -> advance width in 1/1000 em
    question: int  # glyph ID of "?", drawn for characters the font lacks
    glyphs: tuple[bytes, ...]  # 'glyf' data by glyph ID, of even length (short 'loca')
    components: tuple[tuple[int, ...], ...]  # glyph IDs a composite glyph refers to, by glyph ID
    component_at: tuple[tuple[int, ...], ...]  # where in its data each of those IDs is written
    hmtx: tuple[bytes, ...]  # 'hmtx' entry (advance, left side bearing) by glyph ID
    width1000: tuple[int, ...]  # advance in 1/1000 em by glyph ID
    tables: dict[bytes, bytes]  # head, hhea, maxp, OS/2, post of the full font; an empty name
    descriptor: str  # the FontDescriptor dictionary but for the font's name


def _components(data: bytes) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The glyph IDs a composite glyph's data refers to, and the offset of each within it."""
    if len(data) < 10 or struct.unpack_from(">h", data)[0] >= 0:
        return (), ()
    gids, offsets, pos = [], [], 10
    while True:
        flags, gid = struct.unpack_from(">HH", data, pos)
        gids.append(gid)
        offsets.append(pos + 2)
        pos += 4 + (4 if flags & _ARG_1_AND_2_ARE_WORDS else 2)
        if flags & _WE_HAVE_A_SCALE:
            pos += 2
        elif flags & _WE_HAVE_AN_X_AND_Y_SCALE:
            pos += 4
        elif flags & _WE_HAVE_A_TWO_BY_TWO:
            pos += 8
        if not flags & _MORE_COMPONENTS:
            return tuple(gids), tuple(offsets)


@functools.cache
def _font() -> _Font:
    """The shipped font taken apart, once per process."""
    from fontTools.ttLib import TTFont

    tt = TTFont(FONT_PATH, lazy=True)
    order = tt.getGlyphOrder()
    gid_of_name = {name: gid for gid, name in enumerate(order)}
    upem = tt["head"].unitsPerEm  # pyright: ignore[reportAttributeAccessIssue] - fontTools tables are dynamic
    metrics = [tuple(tt["hmtx"][name]) for name in order]
    width1000 = tuple(round(advance * 1000 / upem) for advance, _lsb in metrics)
    cmap = tt.getBestCmap()
    assert cmap is not None, "the shipped font has a Unicode cmap"
    gid_of = {chr(cp): gid_of_name[name] for cp, name in cmap.items()}
    question = gid_of["?"]
    widths = _Widths({ch: width1000[gid] for ch, gid in gid_of.items()})
    widths.fallback = width1000[question]

    reader = tt.reader
    assert reader is not None, "the font was opened lazily, from its file"
    raw_glyf, locations = reader["glyf"], tt["loca"]
    glyphs = []
    for gid in range(len(order)):
        piece = raw_glyf[locations[gid] : locations[gid + 1]]
        glyphs.append(piece + b"\0" * (len(piece) % 2))
    parsed = [_components(piece) for piece in glyphs]

    # What a font program inside a PDF needs (ISO 32000-1, 9.9): no cmap (the CIDs are glyph IDs),
    # and none of the optional OS/2, post and name tables either (the descriptor says the rest).
    tables = {tag.encode(): reader[tag] for tag in ("head", "hhea", "maxp")}

    head, hhea, os2 = tt["head"], tt["hhea"], tt["OS/2"]

    def scale(value: int) -> int:
        return round(value * 1000 / upem)

    bbox = " ".join(str(scale(v)) for v in (head.xMin, head.yMin, head.xMax, head.yMax))
    cap_height = scale(getattr(os2, "sCapHeight", 0) or hhea.ascent)
    descriptor = (
        f"/Flags 32 /FontBBox [{bbox}] /ItalicAngle 0 /Ascent {scale(hhea.ascent)} "
        f"/Descent {scale(hhea.descent)} /CapHeight {cap_height} /StemV 80 /FontFile2 7 0 R >>"
    )
    return _Font(
        gid_of,
        widths,
        question,
        tuple(glyphs),
        tuple(p[0] for p in parsed),
        tuple(p[1] for p in parsed),
        tuple(struct.pack(">Hh", *m) for m in metrics),
        width1000,
        tables,
        descriptor,
    )


def text_width(text: str, size: float) -> float:
    """The width of `text` in points at `size`."""
    return sum(map(_font().widths.__getitem__, text)) * size / 1000


def _pdf_text_string(text: str) -> str:
    """A text string of the document's information: plain ASCII as a literal string (it reads
    the same in PDFDocEncoding), anything else in UTF-16."""
    if text.isascii() and text.isprintable():
        return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _sfnt(tables: dict[bytes, bytes]) -> bytes:
    """A TrueType file of these tables, with head's checkSumAdjustment filled in."""
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    directory = [
        struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, (count - power) * 16)
    ]
    body: list[bytes] = []
    offset = 12 + 16 * count
    head_at = 0
    for tag in tags:
        data = tables[tag]
        if tag == b"head":
            head_at = offset
        directory.append(struct.pack(">4sIII", tag, _checksum(data), offset, len(data)))
        padded = data + b"\0" * (-len(data) % 4)
        body.append(padded)
        offset += len(padded)
    font = bytearray(b"".join(directory) + b"".join(body))
    struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


def _to_unicode(pairs: list[tuple[int, int]]) -> bytes:
    """A ToUnicode CMap of (CID, code point) pairs sorted by CID: runs as bfrange, the rest bfchar."""
    ranges: list[str] = []
    chars: list[str] = []
    index, last = 0, len(pairs) - 1
    while index <= last:
        cid, cp = pairs[index]
        end = index
        # A range changes only the last byte of its source and destination codes.
        while end < last:
            next_cid, next_cp = pairs[end + 1]
            if (
                next_cid != cid + end + 1 - index
                or next_cp != cp + end + 1 - index
                or not (next_cid & 0xFF and next_cp & 0xFF)
            ):
                break
            end += 1
        code = chr(cp).encode("utf-16-be").hex().upper()
        if end > index:
            ranges.append(f"<{cid:04X}> <{pairs[end][0]:04X}> <{code}>")
        else:
            chars.append(f"<{cid:04X}> <{code}>")
        index = end + 1
    blocks = [
        f"{len(ranges[i : i + 100])} beginbfrange\n" + "\n".join(ranges[i : i + 100]) + "\nendbfrange"
        for i in range(0, len(ranges), 100)
    ]
    blocks += [
        f"{len(chars[i : i + 100])} beginbfchar\n" + "\n".join(chars[i : i + 100]) + "\nendbfchar"
        for i in range(0, len(chars), 100)
    ]
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    ).encode()


# Bytes a literal string must escape: its delimiters, the escape itself, and the line ends a
# reader would normalise (ISO 32000-1, 7.3.4.2).
_ESCAPED = {0x28: "\\(", 0x29: "\\)", 0x5C: "\\\\", 0x0A: "\\n", 0x0D: "\\r"}


def _code(cid: int) -> str:
    """A CID as the two bytes of an Identity-H code inside a literal string (as latin-1 text):
    half the size of four hex digits (once compressed, a few per cent of the page's stream)."""
    return "".join(_ESCAPED.get(byte, chr(byte)) for byte in (cid >> 8, cid & 0xFF))


def _stream(obj_id: int, data: bytes, extra: str = "") -> bytes:
    compressed = zlib.compress(data, _COMPRESSION)
    return (
        f"{obj_id} 0 obj\n<< /Length {len(compressed)} /Filter /FlateDecode {extra}>>\nstream\n".encode()
        + compressed
        + b"\nendstream\nendobj\n"
    )


@dataclasses.dataclass(frozen=True)
class _Subset:
    """The font objects of a file showing a set of characters."""

    cid_of: dict[int, str]  # ord(character) -> its code in a literal string: a str.translate table
    streams: bytes  # objects 5 (ToUnicode) and 7 (the font program), serialised
    stream_offsets: tuple[int, int]  # where each of the two starts within `streams`
    dictionaries: tuple[str, str, str]  # objects 3 (Type0 font), 4 (CIDFont), 6 (descriptor)


def _make_subset(chars: frozenset[str]) -> _Subset:
    font = _font()
    gid_of, question = font.gid_of, font.question
    char_gid = {ch: gid_of.get(ch, question) for ch in chars}
    shown = sorted(set(char_gid.values()))
    new_gid = {0: 0}
    for gid in shown:
        new_gid[gid] = len(new_gid)
    pending = [c for gid in shown for c in font.components[gid]]
    while pending:  # composite glyphs need the glyphs they are made of (maybe composite too)
        gid = pending.pop()
        if gid not in new_gid:
            new_gid[gid] = len(new_gid)
            pending.extend(font.components[gid])
    order = list(new_gid)  # dicts keep insertion order: order[new] = old
    count = len(order)

    pieces, loca, position = [], [], 0
    for gid in order:
        data = font.glyphs[gid]
        if font.components[gid]:
            patched = bytearray(data)
            for component, at in zip(font.components[gid], font.component_at[gid], strict=True):
                struct.pack_into(">H", patched, at, new_gid[component])
            data = bytes(patched)
        loca.append(position >> 1)
        pieces.append(data)
        position += len(data)
    loca.append(position >> 1)
    head = bytearray(font.tables[b"head"])
    struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment, filled in by _sfnt
    struct.pack_into(">h", head, 50, 0)  # indexToLocFormat: short offsets
    hhea = bytearray(font.tables[b"hhea"])
    struct.pack_into(">H", hhea, 34, count)  # numberOfHMetrics
    maxp = bytearray(font.tables[b"maxp"])
    struct.pack_into(">H", maxp, 4, count)  # numGlyphs
    program = _sfnt(
        {
            b"head": bytes(head),
            b"hhea": bytes(hhea),
            b"maxp": bytes(maxp),
            b"hmtx": b"".join([font.hmtx[gid] for gid in order]),
            b"loca": struct.pack(f">{count + 1}H", *loca),
            b"glyf": b"".join(pieces),
        }
    )

    unicode_of: dict[int, int] = {}
    for ch in sorted(chars):  # a character the font lacks is drawn, and read back, as "?"
        gid = char_gid[ch]
        unicode_of.setdefault(new_gid[gid], 0x3F if gid == question else ord(ch))
    to_unicode = _stream(5, _to_unicode(sorted(unicode_of.items())))
    font_file = _stream(7, program, f"/Length1 {len(program)} ")

    # A subset's name starts with a tag of six capitals (ISO 32000-1, 9.6.4), here from its glyphs.
    tag_number = zlib.crc32(struct.pack(f">{count}H", *order))
    name = "".join(chr(65 + (tag_number >> (5 * i)) % 26) for i in range(6)) + "+" + FONT_NAME
    widths = f"1 [{' '.join([str(font.width1000[gid]) for gid in shown])}]" if shown else ""
    dictionaries = (
        f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H "
        "/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        f"/FontDescriptor 6 0 R /CIDToGIDMap /Identity /DW {font.width1000[0]} /W [{widths}] >>",
        f"<< /Type /FontDescriptor /FontName /{name} " + font.descriptor,
    )
    cid_of = {ord(ch): _code(new_gid[gid]) for ch, gid in char_gid.items()}
    return _Subset(cid_of, to_unicode + font_file, (0, len(to_unicode)), dictionaries)


_subsets: OrderedDict[frozenset[str], _Subset] = OrderedDict()
_subsets_lock = Lock()


def _subset(chars: frozenset[str]) -> _Subset:
    """The font objects for these characters: made, or the same as a recent file's."""
    with _subsets_lock:
        found = _subsets.get(chars)
        if found is not None:
            _subsets.move_to_end(chars)
            return found
    made = _make_subset(chars)
    with _subsets_lock:
        _subsets[chars] = made
        while len(_subsets) > _SUBSETS_KEPT:
            _subsets.popitem(last=False)
    return made


class Canvas:
    """Pages of text and lines, top-down coordinates in points."""

    def __init__(self) -> None:
        # Each page's operators: a str, or (the operators up to the text, the text) for text whose
        # codes are known once the whole file's characters are.
        self.pages: list[list[str | tuple[str, str]]] = [[]]
        self._gray: float | None = None  # the page's fill colour and font size so far
        self._size: float | None = None

    def new_page(self) -> None:
        self.pages.append([])
        self._gray = self._size = None

    def text(self, x: float, y: float, text: str, size: float = 10, gray: float = 0) -> None:
        """Text whose baseline is at `y` points from the top."""
        if not text:
            return
        # The fill colour and the font stay set from one text to the next (they are graphics
        # state, ISO 32000-1 8.4 and 9.3): written only when they change.
        # %-formatting: twice as fast as an f-string with format specs here, the same text.
        state = "BT "
        if gray != self._gray:
            state += "%.2f g " % gray  # noqa: UP031
            self._gray = gray
        if size != self._size:
            state += "/F1 %.1f Tf " % size  # noqa: UP031
            self._size = size
        self.pages[-1].append((state + "%.2f %.2f Td (" % (x, PAGE_H - y), text))  # noqa: UP031

    def text_right(self, right: float, y: float, text: str, size: float = 10) -> None:
        self.text(right - text_width(text, size), y, text, size)

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.5) -> None:
        self.pages[-1].append(
            "%.2f w %.2f %.2f m %.2f %.2f l S" % (width, x1, PAGE_H - y1, x2, PAGE_H - y2)  # noqa: UP031
        )

    def render(self, title: str) -> bytes:
        """The whole PDF file (1.5: the dictionaries in an object stream, a cross-reference stream)."""
        shown = "".join([op[1] for ops in self.pages for op in ops if isinstance(op, tuple)])
        font = _subset(frozenset(shown))
        cid_of = font.cid_of
        count = len(self.pages)
        page_ids = [_FIXED_OBJECTS + 1 + 2 * i for i in range(count)]
        info_id = _FIXED_OBJECTS + 2 * count + 1
        objstm_id, xref_id = info_id + 1, info_id + 2
        out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
        offsets: dict[int, int] = {}  # objects written as they are
        for obj_id, at in zip((5, 7), font.stream_offsets, strict=True):
            offsets[obj_id] = len(out) + at
        out += font.streams
        for page_id, page in zip(page_ids, self.pages, strict=True):
            ops = [op if isinstance(op, str) else op[0] + op[1].translate(cid_of) + ") Tj ET" for op in page]
            offsets[page_id + 1] = len(out)
            out += _stream(page_id + 1, "\n".join(ops).encode("latin-1"))

        kids = " ".join(f"{pid} 0 R" for pid in page_ids)
        packed = [  # the dictionaries, in one compressed object stream
            (1, "<< /Type /Catalog /Pages 2 0 R >>"),
            (2, f"<< /Type /Pages /Kids [{kids}] /Count {count} >>"),
            (3, font.dictionaries[0]),
            (4, font.dictionaries[1]),
            (6, font.dictionaries[2]),
            *(
                (
                    pid,
                    f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
                    f"/Resources << /Font << /F1 3 0 R >> >> /Contents {pid + 1} 0 R >>",
                )
                for pid in page_ids
            ),
            (info_id, f"<< /Title {_pdf_text_string(title)} /Producer (Fakturowo) >>"),
        ]
        bodies = [body.encode() + b"\n" for _obj_id, body in packed]
        index, at = [], 0
        for (obj_id, _body), body in zip(packed, bodies, strict=True):
            index.append(f"{obj_id} {at}")
            at += len(body)
        header = (" ".join(index) + "\n").encode()
        offsets[objstm_id] = len(out)
        out += _stream(
            objstm_id, header + b"".join(bodies), f"/Type /ObjStm /N {len(packed)} /First {len(header)} "
        )

        # Cross-reference stream (uncompressed: it is some 60 bytes), a row per object: type 0 free,
        # 1 at an offset, 2 the n-th object of an object stream.
        in_stream = {obj_id: n for n, (obj_id, _body) in enumerate(packed)}
        offsets[xref_id] = len(out)
        row = ">BHH" if offsets[xref_id] < 0x10000 else ">BIH"
        rows = [struct.pack(row, 0, 0, 0xFFFF)]
        for obj_id in range(1, xref_id + 1):
            if obj_id in in_stream:
                rows.append(struct.pack(row, 2, objstm_id, in_stream[obj_id]))
            else:
                rows.append(struct.pack(row, 1, offsets[obj_id], 0))
        table = b"".join(rows)
        out += (
            f"{xref_id} 0 obj\n<< /Type /XRef /Size {xref_id + 1} /W [1 {struct.calcsize(row) - 3} 2] "
            f"/Root 1 0 R /Info {info_id} 0 R /Length {len(table)} >>\nstream\n"
        ).encode()
        out += table + b"\nendstream\nendobj\n"
        out += f"startxref\n{offsets[xref_id]}\n%%EOF\n".encode()
        return bytes(out)


def wrap(text: str, width: float, size: float) -> list[str]:
    """Greedy word wrap to `width` points; a word longer than a line is cut."""
    lines: list[str] = []
    for paragraph in (text or "").split("\n"):
        whole = " ".join(paragraph.split())
        if text_width(whole, size) <= width:  # most often: no word moves (widths only add up)
            if whole:
                lines.append(whole)
            continue
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}".strip()
            if text_width(candidate, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while text_width(word, size) > width:
                cut = len(word)
                while cut > 1 and text_width(word[:cut], size) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        if current:
            lines.append(current)
    return lines or [""]


# A Polish VAT invoice: its words are the catalogue's in Polish, whatever the account's language.
INVOICE_LANGUAGE = "pl"


def _columns() -> tuple[tuple[str, float, str], ...]:
    """The table's columns: (title, x or right edge, align)."""
    return (
        (t("invoice.position", INVOICE_LANGUAGE), MARGIN, "left"),
        (t("invoice.name", INVOICE_LANGUAGE), MARGIN + 22, "left"),
        (t("invoice.quantity", INVOICE_LANGUAGE), 318, "right"),
        (t("invoice.unit", INVOICE_LANGUAGE), 324, "left"),
        (t("invoice.net_price", INVOICE_LANGUAGE), 412, "right"),
        (t("invoice.net_value", INVOICE_LANGUAGE), 490, "right"),
        (t("invoice.vat", INVOICE_LANGUAGE), PAGE_W - MARGIN, "right"),
    )


_NAME_WIDTH = 318 - 45 - (MARGIN + 22)
_BOTTOM = PAGE_H - 60


def _party(canvas: Canvas, x: float, y: float, heading: str, name: str, address: str, nip: str) -> float:
    canvas.text(x, y, heading, 9, gray=0.35)
    y += 15
    for line in wrap(name, 250, 11):
        canvas.text(x, y, line, 11)
        y += 14
    for line in wrap(address, 250, 10):
        canvas.text(x, y, line, 10)
        y += 13
    if nip:
        canvas.text(x, y, t("invoice.nip", INVOICE_LANGUAGE, nip=format_nip(nip)), 10)
        y += 13
    return y


def _table_header(canvas: Canvas, y: float, columns: tuple[tuple[str, float, str], ...]) -> float:
    for title, x, align in columns:
        if align == "right":
            canvas.text_right(x, y, title, 9)
        else:
            canvas.text(x, y, title, 9)
    canvas.line(MARGIN, y + 5, PAGE_W - MARGIN, y + 5)
    return y + 18


def render_invoice(document: Document, items: Sequence[DocumentItem]) -> bytes:
    """The invoice as a PDF file."""
    lines = documents.lines_of(items)
    totals = documents.compute_totals(lines)
    canvas = Canvas()
    columns = _columns()
    y = MARGIN + 20
    canvas.text(MARGIN, y, t("invoice.title", INVOICE_LANGUAGE, number=document.number), 18)
    y += 24
    canvas.text(
        MARGIN,
        y,
        t("invoice.issue_date", INVOICE_LANGUAGE, date=formats.date(document.issue_date, INVOICE_LANGUAGE)),
        10,
    )
    canvas.text(
        300,
        y,
        t("invoice.sale_date", INVOICE_LANGUAGE, date=formats.date(document.sale_date, INVOICE_LANGUAGE)),
        10,
    )
    if document.place_of_issue:
        y += 14
        canvas.text(
            MARGIN, y, t("invoice.place_of_issue", INVOICE_LANGUAGE, place=document.place_of_issue), 10
        )
    y += 30
    left = _party(
        canvas,
        MARGIN,
        y,
        t("invoice.seller", INVOICE_LANGUAGE),
        document.seller_name,
        document.seller_address,
        document.seller_nip,
    )
    right = _party(
        canvas,
        300,
        y,
        t("invoice.buyer", INVOICE_LANGUAGE),
        document.buyer_name,
        document.buyer_address,
        document.buyer_nip,
    )
    y = max(left, right) + 20
    y = _table_header(canvas, y, columns)
    for position, line in enumerate(lines, start=1):
        name_lines = wrap(line.name, _NAME_WIDTH, 10)
        if y + 13 * len(name_lines) > _BOTTOM:
            canvas.new_page()
            y = _table_header(canvas, MARGIN + 20, columns)
        values = (
            str(position),
            None,
            formats.quantity(line.quantity, INVOICE_LANGUAGE),
            line.unit,
            formats.amount(line.net_price, INVOICE_LANGUAGE),
            formats.amount(line.net_value, INVOICE_LANGUAGE),
            documents.rate_label(line.vat_rate),
        )
        for (_title, x, align), value in zip(columns, values, strict=True):
            if value is None:
                for offset, part in enumerate(name_lines):
                    canvas.text(x, y + 13 * offset, part, 10)
            elif align == "right":
                canvas.text_right(x, y, value, 10)
            else:
                canvas.text(x, y, value, 10)
        y += 13 * len(name_lines) + 4
    canvas.line(MARGIN, y - 6, PAGE_W - MARGIN, y - 6)
    if y + 30 + 14 * (len(totals.by_rate) + 7) > _BOTTOM:
        canvas.new_page()
        y = MARGIN + 20
    y += 14
    summary = (
        (t("invoice.vat_rate", INVOICE_LANGUAGE), 300),
        (t("invoice.net_value", INVOICE_LANGUAGE), 390),
        (t("invoice.vat_amount", INVOICE_LANGUAGE), 470),
        (t("invoice.gross_value", INVOICE_LANGUAGE), PAGE_W - MARGIN),
    )
    canvas.text(250, y, summary[0][0], 9)
    for title, right in summary[1:]:
        canvas.text_right(right, y, title, 9)
    y += 14
    rows = [(documents.rate_label(r.vat_rate), r.net, r.vat, r.gross) for r in totals.by_rate]
    rows.append((t("invoice.total", INVOICE_LANGUAGE), totals.net, totals.vat, totals.gross))
    for label, net, vat, gross in rows:
        canvas.text(250, y, label, 10)
        for (_title, right), amount in zip(summary[1:], (net, vat, gross), strict=True):
            canvas.text_right(right, y, formats.amount(Decimal(amount), INVOICE_LANGUAGE), 10)
        y += 14
    y += 12
    # The same currency word as on the screen: "1 230,00 zł".
    canvas.text(
        MARGIN,
        y,
        t("invoice.to_pay", INVOICE_LANGUAGE, amount=formats.money(totals.gross, INVOICE_LANGUAGE)),
        14,
    )
    y += 20
    words = t("invoice.in_words", INVOICE_LANGUAGE, words=documents.amount_in_words(totals.gross))
    for part in wrap(words, PAGE_W - 2 * MARGIN, 10):
        canvas.text(MARGIN, y, part, 10)
        y += 14
    method = t(documents.PAYMENT_LABELS.get(document.payment_method, "payment.transfer"), INVOICE_LANGUAGE)
    canvas.text(MARGIN, y, t("invoice.payment_method", INVOICE_LANGUAGE, method=method), 10)
    if document.due_date:
        canvas.text(
            300,
            y,
            t("invoice.due_date", INVOICE_LANGUAGE, date=formats.date(document.due_date, INVOICE_LANGUAGE)),
            10,
        )
    y += 14
    if document.seller_bank_account:
        canvas.text(
            MARGIN, y, t("invoice.bank_account", INVOICE_LANGUAGE, account=document.seller_bank_account), 10
        )
        y += 14
    canvas.text(MARGIN, _BOTTOM + 30, t("invoice.footer", INVOICE_LANGUAGE), 8, gray=0.45)
    return canvas.render(t("invoice.document_title", INVOICE_LANGUAGE, number=document.number))
