"""Properties of the PDF writer's line wrapping (services/pdf.py, wrap) over generated text: no line
is wider than the width (but a single character wider than it), the words come out in their order
with nothing lost, a word is cut only when it is wider than a line, a line is never shorter than
the greedy rule makes it, and paragraphs are wrapped each on its own."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fakturowo_ui.services import pdf
from tests.unit.properties import FAST

# Letters of several widths (Polish ones, "W" and "i"), digits, punctuation, a character the font
# lacks (drawn as "?"), and blanks: spaces, a tab, a non-breaking space.
LETTERS = "aąbcćeęilłnńoóśWwzźżĄĘŁŚŻ0123456789.,-/()☃"
words = st.text(alphabet=LETTERS, min_size=1, max_size=30)
blanks = st.sampled_from([" ", "  ", "\t", "\u00a0", " \u00a0 "])


@st.composite
def paragraphs(draw) -> str:
    parts = draw(st.lists(words, min_size=0, max_size=25))
    text = draw(st.sampled_from(["", " "]))
    for word in parts:
        text += word + draw(blanks)
    return text if draw(st.booleans()) else text.rstrip()


widths = st.floats(min_value=4, max_value=420, allow_nan=False)
sizes = st.sampled_from([6, 8, 9, 10, 11, 14, 18])


def pieces_of(lines: list[str], text: str) -> list[tuple[int, int, int]]:
    """Each line's tokens matched to the text's words: (line, word index, offset in the word) of
    every token, checking that the tokens spell the words in order, each piece of a cut word but
    the last alone on its line, and nothing else on the lines."""
    expected = text.split()
    found = []
    word, offset = 0, 0
    for n, line in enumerate(lines):
        tokens = line.split(" ")
        assert "" not in tokens, f"a blank at an end of, or doubled in, {line!r}"
        for t, token in enumerate(tokens):
            assert word < len(expected), f"{token!r} is not in the text"
            target = expected[word]
            assert target[offset : offset + len(token)] == token, (token, target, offset)
            found.append((n, word, offset))
            if offset:
                assert t == 0, f"the rest of a cut word {target!r} does not start its line"
            if offset + len(token) < len(target):
                assert tokens == [token], f"a cut piece of {target!r} shares its line {line!r}"
                offset += len(token)
            else:
                word, offset = word + 1, 0
    assert (word, offset) == (len(expected), 0), "words lost at the end"
    return found


@FAST
@given(paragraphs(), widths, sizes)
def test_a_paragraph_wraps_within_the_width_keeping_every_word_in_order(text, width, size):
    lines = pdf.wrap(text, width, size)
    assert lines, "wrap always gives at least one line"
    if not text.split():
        assert lines == [""]
        return
    for line in lines:
        assert pdf.text_width(line, size) <= width or len(line) == 1, (line, width)
    found = pieces_of(lines, text)

    # A word that fits on a line is never cut.
    words_ = text.split()
    cut = {word for _n, word, offset in found if offset}
    for word in cut:
        assert pdf.text_width(words_[word], size) > width

    # Greedy: a line followed by a new word (not by the rest of a cut one) could not have taken
    # that whole word as well.
    starts = {n: (word, offset) for n, word, offset in reversed(found)}
    for n in range(len(lines) - 1):
        next_word, next_offset = starts[n + 1]
        if next_offset == 0:
            assert pdf.text_width(f"{lines[n]} {words_[next_word]}", size) > width, (lines[n], lines[n + 1])


@FAST
@given(st.lists(paragraphs(), min_size=1, max_size=5), widths, sizes)
def test_paragraphs_are_wrapped_each_on_its_own_and_blank_ones_dropped(parts, width, size):
    joined = pdf.wrap("\n".join(parts), width, size)
    each = [line for part in parts for line in pdf.wrap(part, width, size) if line]
    assert joined == (each or [""])


@FAST
@given(words, words, sizes)
def test_widths_add_up_and_scale_with_the_size(first, second, size):
    """What wrap's shortcut relies on: the width of a text is the sum of its parts' widths."""
    together = pdf.text_width(first + second, size)
    assert abs(together - pdf.text_width(first, size) - pdf.text_width(second, size)) < 1e-9
    assert abs(pdf.text_width(first, size) * 2 - pdf.text_width(first, size * 2)) < 1e-9
    assert pdf.text_width(first, size) > 0


@FAST
@given(paragraphs(), sizes)
def test_a_text_that_fits_stays_on_one_line_with_single_spaces(text, size):
    width = pdf.text_width(" ".join(text.split()), size)
    assert pdf.wrap(text, width, size) == [" ".join(text.split())]
