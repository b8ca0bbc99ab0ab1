"""The app's PDFs as pypdf reads them: a parser written by others, which shares none of the writer's
assumptions (services/pdf.py), so a file it cannot read, or reads differently, fails the tests.

Strict mode: pypdf raises on a malformed file (a broken cross-reference stream, a wrong /Length)
instead of repairing it silently the way a lenient reader would.
"""

from __future__ import annotations

import dataclasses
import io

from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject, StreamObject

# pypdf's own reading of a font dictionary (its /ToUnicode CMap, /W widths, descriptor): the one
# its text extraction uses. Not re-exported by pypdf, hence the private module; pypdf is pinned.
from pypdf.generic._font import Font


def reader(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-"), "not a PDF file"
    return PdfReader(io.BytesIO(data), strict=True)


def page_texts(data: bytes) -> list[str]:
    """Each page's text as pypdf extracts it (a line per baseline)."""
    return [page.extract_text() for page in reader(data).pages]


def text(data: bytes) -> str:
    """The text of all pages, a line per baseline."""
    return "\n".join(page_texts(data))


@dataclasses.dataclass(frozen=True)
class EmbeddedFont:
    reference: tuple[int, int]  # the font dictionary's object number and generation
    base_font: str  # e.g. "ABCDEF+DejaVuSans"
    subtype: str  # of the font dictionary (Type0) and of its descendant (CIDFontType2), "/"-joined
    program: bytes  # the embedded TrueType program (FontFile2), decoded
    to_unicode: dict[int, str]  # character code (CID) -> text, from the ToUnicode CMap
    widths: dict[int, float]  # CID -> advance in 1/1000 em, from the descendant's /W


def fonts(data: bytes) -> list[EmbeddedFont]:
    """The distinct font dictionaries the pages' resources refer to, in order of first use."""
    found: dict[tuple[int, int], EmbeddedFont] = {}
    for page in reader(data).pages:
        for ref in page["/Resources"]["/Font"].values():
            assert isinstance(ref, IndirectObject), "a font dictionary written inline on a page"
            key = (ref.idnum, ref.generation)
            if key in found:
                continue
            font: DictionaryObject = ref.get_object()
            assert "/ToUnicode" in font, "no ToUnicode map: the text could not be extracted"
            descendant = font["/DescendantFonts"][0].get_object()
            program = descendant["/FontDescriptor"]["/FontFile2"].get_object()
            read = Font.from_font_resource(font)
            found[key] = EmbeddedFont(
                reference=key,
                base_font=str(font["/BaseFont"]).removeprefix("/"),
                subtype=f"{font['/Subtype']}{descendant['/Subtype']}",
                program=program.get_data(),
                to_unicode={ord(code): uni for code, uni in read.character_map.items()},
                widths={ord(c): w for c, w in read.character_widths.items() if c != "default"},
            )
    return list(found.values())


def font_programs(data: bytes) -> list[bytes]:
    """Every embedded font program of the file (FontFile2 streams), whether a page uses it or not."""
    pdf = reader(data)
    size = int(pdf.trailer["/Size"])
    programs = []
    for number in range(1, size):
        obj = pdf.get_object(number)
        if isinstance(obj, StreamObject) and "/Length1" in obj:
            programs.append(obj.get_data())
    return programs


def shown_codes(data: bytes) -> set[int]:
    """The two-byte character codes (CIDs, Identity-H) the pages' text operators show."""
    pdf = reader(data)
    shown: set[int] = set()
    for page in pdf.pages:
        for operands, operator in ContentStream(page.get_contents(), pdf).operations:
            if operator == b"Tj":
                strings = [operands[0]]
            elif operator == b"TJ":
                strings = [item for item in operands[0] if not isinstance(item, (int, float))]
            else:
                continue
            for string in strings:
                raw = string.original_bytes
                assert len(raw) % 2 == 0, "an Identity-H string of an odd number of bytes"
                shown.update(int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2))
    return shown
