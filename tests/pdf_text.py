"""Text of a PDF without a PDF library: inflate its streams, read the ToUnicode maps (bfchar and
bfrange), decode Tj/TJ.

Enough for the app's invoices and for simple PDFs of other writers (hex glyph strings through a
ToUnicode CMap, or literal strings).
"""

from __future__ import annotations

import re
import zlib

_STREAM_RE = re.compile(rb"<<(.*?)>>\s*stream\r?\n(.*?)\r?\nendstream", re.S)
_BFCHAR_RE = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE_RE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_PAIR_RE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_RANGE_RE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(?:<([0-9A-Fa-f]+)>|\[(.*?)\])", re.S)
_SHOW_RE = re.compile(rb"<([0-9A-Fa-f]*)>\s*Tj|\((.*?)(?<!\\)\)\s*Tj|\[(.*?)\]\s*TJ", re.S)


def streams(data: bytes) -> list[bytes]:
    """Every stream's content, inflated when it is FlateDecode."""
    assert data.startswith(b"%PDF-"), "not a PDF file"
    found = []
    for header, body in _STREAM_RE.findall(data):
        if b"/FlateDecode" in header:
            body = zlib.decompress(body)
        found.append(body)
    return found


def unicode_map(data: bytes) -> dict[str, str]:
    """Code (upper-case hex) -> text, from every ToUnicode CMap of the PDF."""
    mapping: dict[str, str] = {}
    for content in streams(data):
        for block in _BFCHAR_RE.findall(content):
            for code, uni in _PAIR_RE.findall(block):
                mapping[code.decode().upper()] = bytes.fromhex(uni.decode()).decode("utf-16-be")
        for block in _BFRANGE_RE.findall(content):
            for low, high, start, listed in _RANGE_RE.findall(block):
                first, width = int(low, 16), len(low)
                codes = [f"{c:0{width}X}" for c in range(first, int(high, 16) + 1)]
                if listed:
                    targets = [bytes.fromhex(u.decode()) for u in re.findall(rb"<([0-9A-Fa-f]+)>", listed)]
                else:  # consecutive: the last byte of the destination counts up
                    base = bytes.fromhex(start.decode())
                    targets = [base[:-1] + bytes([base[-1] + n]) for n in range(len(codes))]
                for code, target in zip(codes, targets, strict=False):
                    mapping[code] = target.decode("utf-16-be")
    return mapping


def text(data: bytes) -> str:
    """All text shown on the PDF's pages, one string per show operator, joined by newlines."""
    contents = streams(data)
    mapping = unicode_map(data)
    pieces = []
    for content in contents:
        if b"begincmap" in content:
            continue
        for hex_text, literal, array in _SHOW_RE.findall(content):
            if hex_text:
                h = hex_text.decode().upper()
                pieces.append("".join(mapping.get(h[i : i + 4], "?") for i in range(0, len(h), 4)))
            elif literal:
                pieces.append(literal.decode("latin-1"))
            elif array:
                parts = re.findall(rb"<([0-9A-Fa-f]*)>|\((.*?)(?<!\\)\)", array)
                pieces.append(
                    "".join(
                        "".join(mapping.get(h.decode().upper()[i : i + 4], "?") for i in range(0, len(h), 4))
                        if h
                        else lit.decode("latin-1")
                        for h, lit in parts
                    )
                )
    return "\n".join(pieces)
