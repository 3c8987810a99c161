"""Property-based tests (hypothesis) of passage splitting: whatever the text, every unit is
exactly `text[char_start:char_end]`, units come in order without overlapping, sentences lie
inside their paragraphs, and no character of the text (but whitespace) is left out."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse.analyse.passages import Segmenter, paragraph_spans

SEGMENTER = Segmenter()
PIECES = st.sampled_from(
    [
        "The council agreed.",
        "Mr. Speaker",
        "the hon. Member",
        "Cllr. Smith said",
        "3.",
        "(a)",
        "4.2",
        "•",
        "- item",
        "?",
        "!",
        "...",
        "\u201cquoted.\u201d",
        "co-production",
        "\n",
        "\n\n",
        " \n \n",
        "  ",
        "\t",
        "\u00a0",
        "\u2028",
        "caf\u00e9",
        "\U0001f600",
        "para. 12",
        "e.g.",
    ]
)
TEXTS = st.one_of(
    st.lists(PIECES | st.text(max_size=8), max_size=40).map(" ".join),
    st.lists(PIECES, max_size=40).map("".join),
    st.text(max_size=300),
)


def _ink(text: str) -> str:
    """The text without its whitespace: what a split must neither lose nor repeat."""
    return "".join(text.split())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.sampled_from(["blog", "debate", "council"]))
def test_units_are_exact_ordered_nested_and_lose_no_words(text, source_kind):
    spans = SEGMENTER.split(text, source_kind)
    by_unit: dict[str, list] = {"speech": [], "paragraph": [], "sentence": []}
    for span in spans:
        unit = text[span.char_start : span.char_end]
        assert unit and unit == unit.strip(), (span, unit)
        by_unit[span.unit].append(span)
    for unit, group in by_unit.items():
        assert [s.seq for s in group] == list(range(len(group))), unit
        for before, after in zip(group, group[1:], strict=False):
            assert before.char_end <= after.char_start, (unit, before, after)
    paragraphs = by_unit["paragraph"]
    for sentence in by_unit["sentence"]:
        parent = paragraphs[sentence.parent_seq]
        assert parent.char_start <= sentence.char_start < sentence.char_end <= parent.char_end
    # nothing lost: the paragraphs hold every character of the text but whitespace, the
    # sentences every such character of their paragraph
    assert "".join(_ink(text[p.char_start : p.char_end]) for p in paragraphs) == _ink(text)
    for paragraph in paragraphs:
        inside = [s for s in by_unit["sentence"] if s.parent_seq == paragraph.seq]
        held = "".join(_ink(text[s.char_start : s.char_end]) for s in inside)
        assert held == _ink(text[paragraph.char_start : paragraph.char_end])
    if source_kind == "debate" and text.strip():
        (speech,) = by_unit["speech"]
        assert text[speech.char_start : speech.char_end] == text.strip()
        assert all(p.parent_seq == 0 for p in paragraphs)
    else:
        assert by_unit["speech"] == []


@given(st.text(max_size=200))
def test_paragraph_offsets_are_trimmed_in_order_and_lose_nothing(text):
    spans = paragraph_spans(text)
    assert all(start < end for start, end in spans)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False))
    assert "".join(_ink(text[a:b]) for a, b in spans) == _ink(text)
