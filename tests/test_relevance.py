"""Relevance: the concept lexicon scores written examples as the codebook reads them."""

import pandas as pd
import pytest

from discourse.analyse.relevance import (
    LexiconScorer,
    compile_patterns,
    load_lexicon,
    precision_recall_f1,
)
from discourse.errors import ConfigError


@pytest.fixture(scope="module")
def scorer():
    return LexiconScorer(load_lexicon(), context_weight=0.25)


def test_patterns_match_whole_words_hyphen_variants_and_endings():
    regex = compile_patterns(["co-production", "Volunteer*", "big society", "citizens' jur*"])
    text = (
        "Coproduction, co production and co-production; volunteers volunteered; "
        "the Big  Society; citizens’ juries; bigsociety; covolunteer"
    )
    assert [m.group(0) for m in regex.finditer(text.lower())] == [
        "coproduction",
        "co production",
        "co-production",
        "volunteers",
        "volunteered",
        "big  society",
        "citizens’ juries",
    ]


@pytest.mark.parametrize(
    ("text", "concepts", "relevant"),
    [
        (
            "Handing the running of the library to local volunteers has kept it open.",
            ["commissioning", "volunteering"],
            True,
        ),
        (
            "The Big Society is austerity dressed up as empowerment.",
            ["big_society", "community"],
            True,
        ),
        ("The Localism Act introduced a community right to bid.", ["community", "localism"], True),
        ("The committee approved the minutes of the previous meeting.", [], False),
        ("Offenders will serve community sentences.", ["community", "off_target"], False),
        ("IRA volunteers were arrested.", ["off_target", "volunteering"], False),
    ],
)
def test_written_examples(scorer, text, concepts, relevant):
    assert scorer.matches(text) == concepts
    assert bool(scorer.score([text], [""], [""])[0] >= 2.0) is relevant


def test_scores_add_concept_weights_once_each(scorer):
    weights = {c.name: c.weight for c in scorer.concepts}
    text = "Volunteers and more volunteers from the voluntary sector."
    assert (
        scorer.score([text], [""], [""])[0] == weights["volunteering"] + weights["voluntary_sector"]
    )


def test_context_adds_a_share_of_the_neighbours_positive_scores(scorer):
    before = "The Big Society needs you."  # big_society 3 + nothing else
    assert scorer.own_scores([before])[0] == 3.0
    score = scorer.score(
        ["It starts this week."], [before], ["Offenders serve community sentences."]
    )
    assert score[0] == pytest.approx(0.25 * 3.0)  # negative neighbours do not subtract


def test_sentence_tables_use_neighbours_within_the_same_document_only(scorer):
    table = pd.DataFrame(
        {
            "document_id": [1, 1, 2],
            "text": ["The Big Society needs you.", "It starts now.", "It starts now."],
        }
    )
    assert scorer.score_sentences(table).tolist() == [3.0, 0.75, 0.0]


def test_a_custom_lexicon_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[concepts.libraries]\nweight = 2\npatterns = ["library", "libraries"]\n')
    scorer = LexiconScorer(load_lexicon(path), context_weight=0)
    assert scorer.score(["Save our libraries"], [""], [""]).tolist() == [2.0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[concepts.x]\nweight = 1\n", "concept 'x' needs patterns"),
        ('[concepts.x]\npatterns = ["a"]\nweight = "high"\n', "concept 'x' needs a numeric weight"),
        ("[concepts.x\n", "invalid TOML"),
        ("title = 'none'\n", r"no \[concepts.NAME\] tables"),
    ],
)
def test_bad_lexicon_files_are_named(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message) as raised:
        load_lexicon(path)
    assert str(path) in str(raised.value)


def test_missing_lexicon_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the concept lexicon"):
        load_lexicon(tmp_path / "absent.toml")


def test_precision_recall_f1_counts():
    result = precision_recall_f1([True, True, False, False, True], [True, False, True, False, True])
    assert result == {"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3, "tp": 2, "fp": 1, "fn": 1}
