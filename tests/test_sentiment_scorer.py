"""Sentence and text scores: VADER's rules, the political adaptation, the combined score."""

import math

import pytest

from discourse.analyse.sentiment.dictionary import parse_dictionary
from discourse.analyse.sentiment.scorer import (
    PoliticalVader,
    SentimentScorer,
    british_variants,
    builtin_dictionary,
    clean,
    split_sentences,
)
from discourse.config import SentimentConfig


def vader_compound(valence_sum: float) -> float:
    """VADER's normalisation of summed valences (alpha 15), rounded as VADER rounds it."""
    return round(valence_sum / math.sqrt(valence_sum**2 + 15), 4)


@pytest.fixture(scope="module")
def political():
    return PoliticalVader(political=True)


@pytest.fixture(scope="module")
def plain():
    return PoliticalVader(political=False)


@pytest.fixture(scope="module")
def scorer():
    return SentimentScorer()


def test_vader_negation_flips_and_intensifiers_raise(plain):
    good = 1.9  # VADER lexicon valence of "good"
    assert plain.compound("good") == vader_compound(good)
    assert plain.compound("not good") == vader_compound(good * -0.74)
    assert plain.compound("very good") == vader_compound(good + 0.293)


def test_parliamentary_courtesies_carry_no_tone(political, plain):
    # VADER scores "honourable" 2.1 and "friend" 2.2: a courtesy read as praise
    assert plain.compound("my honourable friend") == vader_compound(2.1 + 2.2)
    assert political.compound("my honourable friend") == 0.0
    assert political.compound("My right hon. Friend the Member for Leeds") == 0.0
    assert political.compound("the noble Lord") == 0.0


def test_programme_names_are_not_praise(political, plain):
    assert plain.compound("Universal Credit") > 0
    assert political.compound("Universal Credit") == 0.0
    assert political.compound("Free school meals") == 0.0


def test_political_terms_and_british_spellings_are_added(political, plain):
    assert plain.compound("a shambles") == 0.0
    assert political.compound("a shambles") == vader_compound(-2.5)
    assert political.compound("not a shambles") == vader_compound(-2.5 * -0.74)
    # "favourite" is scored as VADER scores "favorite"
    assert plain.compound("favourite") == 0.0
    assert political.compound("favourite") == plain.compound("favorite") != 0.0
    assert political.compound("a U-turn") == vader_compound(-1.2)


def test_british_variants():
    assert british_variants("honor") == ["honour"]
    assert british_variants("favorite") == ["favourite"]
    assert british_variants("apologized") == ["apologised"]
    assert british_variants("canceled") == ["cancelled"]
    assert british_variants("defense") == ["defence"]
    assert british_variants("good") == []


def test_combined_is_the_weighted_mean_where_the_dictionary_finds_evidence(scorer):
    result = scorer.score_sentence("This is good.")
    assert result.vader == vader_compound(1.9)
    assert result.dictionary == 0.5  # "good" is one positive hit in the built-in dictionary
    assert result.sentiment == round(0.5 * vader_compound(1.9) + 0.5 * 0.5, 6)
    assert result.label == "positive"


def test_combined_is_neutral_without_dictionary_evidence(scorer):
    # VADER reads "please" and "like" as positive; nothing here evaluates
    result = scorer.score_sentence("Please like and share this.")
    assert result.vader > 0.05
    assert result.dictionary == 0.0
    assert (result.sentiment, result.label) == (0.0, "neutral")


def test_negation_flips_the_combined_score(scorer):
    result = scorer.score_sentence("This is not good.")
    assert result.vader == vader_compound(1.9 * -0.74)
    assert result.dictionary == -0.5  # negation window flips the "good" hit
    assert result.sentiment == round(0.5 * vader_compound(1.9 * -0.74) - 0.25, 6)
    assert result.label == "negative"


def test_methods_and_weights():
    vader_only = SentimentScorer(method="vader").score_sentence("This is good.")
    assert (vader_only.sentiment, vader_only.dictionary) == (vader_compound(1.9), None)
    dictionary_only = SentimentScorer(method="dictionary").score_sentence("This is good.")
    assert (dictionary_only.sentiment, dictionary_only.vader) == (0.5, None)
    weighted = SentimentScorer(vader_weight=0.25).score_sentence("This is good.")
    assert weighted.sentiment == round(0.25 * vader_compound(1.9) + 0.75 * 0.5, 6)


def test_neutral_band_sets_the_labels():
    scorer = SentimentScorer(method="dictionary", neutral_band=0.5)
    assert scorer.score_sentence("good").label == "neutral"  # 0.5 is not above the band
    assert scorer.score_sentence("good and great").label == "positive"  # 2/3
    assert scorer.label(-0.51) == "negative"


def test_a_user_dictionary_replaces_the_builtin_one():
    mine = parse_dictionary("category,pattern\nnegative,good\n", "mine.csv")
    result = SentimentScorer(method="dictionary", dictionary=mine).score_sentence("good")
    assert result.sentiment == -0.5
    assert "good" in [e.pattern for e in builtin_dictionary().entries]


def test_text_score_is_the_mean_of_its_evaluative_sentences(scorer):
    good = scorer.score_sentence("This is good.").sentiment
    bad = scorer.score_sentence("That was a disaster.").sentiment
    text = "This is good. The meeting is on Tuesday. That was a disaster."
    result = scorer.score_text(text)
    assert (result.sentences, result.evaluative) == (3, 2)
    assert result.sentiment == round((good + bad) / 2, 6)


def test_empty_text_is_neutral_zero(scorer):
    result = scorer.score_text("  \n ")
    assert (result.sentiment, result.label, result.sentences, result.evaluative) == (
        0.0,
        "neutral",
        0,
        0,
    )


def test_sentences_split_at_ends_and_line_breaks_but_not_after_hon():
    text = "I thank my right hon. Friend. Is he right? Yes!\nA new line e.g. this one"
    assert split_sentences(text) == [
        "I thank my right hon. Friend.",
        "Is he right?",
        "Yes!",
        "A new line e.g. this one",
    ]


def test_clean_drops_urls_and_handles_and_keeps_hashtag_words():
    assert clean("Proud of @TeamX #Proud https://t.co/abc").split() == ["Proud", "of", "Proud"]


def test_from_config_loads_the_configured_dictionary(tmp_path):
    path = tmp_path / "d.lc3"
    path.write_text("+negative\ngood\n", encoding="utf-8")
    config = SentimentConfig(method="dictionary", dictionary=str(path), neutral_band=0.1)
    scorer = SentimentScorer.from_config(config)
    assert scorer.dictionary.name == "d.lc3"
    assert scorer.score_sentence("good").sentiment == -0.5
    assert scorer.neutral_band == 0.1
