"""Lexicoder-format dictionaries: the file formats, glob matching, neg_ categories, negation."""

import hashlib

import pytest

from discourse.analyse.sentiment.dictionary import load_dictionary, tokenize
from discourse.errors import UsageError

LSD_STYLE = """category,pattern
positive,good
positive,hope*
negative,hopeless*
negative,bad
negative,a lie
negative,half hearted*
positive,big societ?
neg_positive,not good
neg_negative,not bad
"""


@pytest.fixture
def lsd_style(tmp_path):
    path = tmp_path / "tiny.csv"
    path.write_bytes(LSD_STYLE.replace("\n", "\r\n").encode("utf-8"))  # LSD2015.csv uses CRLF
    return load_dictionary(path)


def counts(dictionary, text, window=3):
    found = dictionary.count(text, negation_window=window)
    return found.positive, found.negative, [m[:2] for m in found.matches]


def test_lsd_csv_is_read_with_categories_and_file_hash(lsd_style, tmp_path):
    assert len(lsd_style) == 9
    assert lsd_style.name == "tiny.csv"
    raw = (tmp_path / "tiny.csv").read_bytes()
    assert lsd_style.sha256 == hashlib.sha256(raw).hexdigest()


def test_glob_matches_any_ending_and_the_most_specific_pattern_wins(lsd_style):
    assert counts(lsd_style, "Hopeful, hopes and hoped, but hoping.") == (
        3.0,
        0.0,
        [("hope*", "positive")] * 3,
    )
    # "hopeless" matches both hope* and hopeless*: the longer literal stem decides
    assert counts(lsd_style, "Hopeless.") == (0.0, 1.0, [("hopeless*", "negative")])


def test_question_mark_matches_exactly_one_character(lsd_style):
    assert counts(lsd_style, "the Big Society")[:2] == (1.0, 0.0)
    assert counts(lsd_style, "big societies")[:2] == (0.0, 0.0)


def test_multiword_patterns_match_across_hyphens_and_spaces(lsd_style):
    assert counts(lsd_style, "A half-hearted effort, a lie.") == (
        0.0,
        2.0,
        [("half hearted*", "negative"), ("a lie", "negative")],
    )


def test_neg_categories_swallow_the_words_they_span(lsd_style):
    # "not good" is one negated-positive match, never also a "good"
    assert counts(lsd_style, "This is not good") == (0.0, 1.0, [("not good", "neg_positive")])
    assert counts(lsd_style, "It is not bad, it is good.") == (
        2.0,
        0.0,
        [("not bad", "neg_negative"), ("good", "positive")],
    )


def test_negation_window_flips_matches_a_few_words_after_a_negator(lsd_style):
    found = lsd_style.count("This isn't a very good plan", negation_window=3)
    assert (found.positive, found.negative) == (0.0, 1.0)
    assert found.matches == (("good", "positive", True),)
    # outside the window the negator does not reach
    assert counts(lsd_style, "This isn't a very good plan", window=2)[:2] == (1.0, 0.0)
    # with window 0 negation comes only from the dictionary's neg_ patterns
    assert counts(lsd_style, "never good", window=0)[:2] == (1.0, 0.0)


def test_clause_punctuation_ends_a_negation(lsd_style):
    assert counts(lsd_style, "No, this is good.")[:2] == (1.0, 0.0)
    assert counts(lsd_style, "No this is good.")[:2] == (0.0, 1.0)


def test_tone_is_the_bounded_log_ratio(lsd_style):
    assert lsd_style.count("good").tone == 0.5
    assert lsd_style.count("good, good and bad").tone == pytest.approx(1 / 4)
    assert lsd_style.count("nothing to say").tone == 0.0


def test_lexicoder_lc3_format(tmp_path):
    path = tmp_path / "tiny.lc3"
    path.write_text(
        "+positive\ngood\nhope*\n\n+negative\nbad\n+neg_positive\nnot good\n", encoding="utf-8"
    )
    dictionary = load_dictionary(path)
    assert sorted((e.category, e.pattern) for e in dictionary.entries) == [
        ("neg_positive", "not good"),
        ("negative", "bad"),
        ("positive", "good"),
        ("positive", "hope*"),
    ]
    assert counts(dictionary, "hopeful but not good") == (
        1.0,
        1.0,
        [("hope*", "positive"), ("not good", "neg_positive")],
    )


def test_wordstat_cat_format_uses_the_innermost_category(tmp_path):
    path = tmp_path / "tiny.cat"
    path.write_text(
        "SENTIMENT\n\tPOSITIVE\n\t\tGOOD (1)\n\t\tHOPE* (1)\n\tNEGATIVE\n\t\tBAD (1)\n",
        encoding="utf-8",
    )
    dictionary = load_dictionary(path)
    assert sorted((e.category, e.pattern) for e in dictionary.entries) == [
        ("negative", "bad"),
        ("positive", "good"),
        ("positive", "hope*"),
    ]


def test_weighted_csv_sums_weights(tmp_path):
    path = tmp_path / "weights.csv"
    path.write_text("lemma,pos1,polarity\ngood,a,0.8\nbad,a,-0.4\n", encoding="utf-8")
    found = load_dictionary(path).count("good and bad")
    assert (found.positive, found.negative) == (0.8, 0.4)
    assert found.tone == pytest.approx(0.4 / 2.2)


def test_unknown_category_names_file_and_line(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("category,pattern\npositive,good\nanger,furious\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"odd\.csv:3: unknown category 'anger'"):
        load_dictionary(path)


def test_non_utf8_dictionary_names_the_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("category,pattern\npositive,good\nnegative,m\xe9chant\n".encode("latin-1"))
    with pytest.raises(UsageError, match=r"latin1\.csv:3: dictionary is not UTF-8"):
        load_dictionary(path)


def test_missing_file_and_unknown_format_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="dictionary file not found"):
        load_dictionary(tmp_path / "absent.csv")
    (tmp_path / "dict.json").write_text("{}", encoding="utf-8")
    with pytest.raises(UsageError, match=r"unknown dictionary format '\.json'"):
        load_dictionary(tmp_path / "dict.json")


def test_unrecognised_csv_header(tmp_path):
    path = tmp_path / "words.csv"
    path.write_text("word,colour\ngood,green\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"words\.csv:1: cannot tell the dictionary's columns"):
        load_dictionary(path)


def test_tokenize_keeps_apostrophes_and_marks_clause_ends():
    assert tokenize("Don’t say it’s half-hearted; it's not.") == [
        "don't",
        "say",
        "it's",
        "half",
        "hearted",
        ".",
        "it's",
        "not",
        ".",
    ]
