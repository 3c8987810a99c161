"""Preprocessing: lemmas, boilerplate and stop words out, phrases joined, cache reused."""

import pytest

from discourse.analyse.preprocess import (
    Tokenizer,
    Tokens,
    Vocabulary,
    cached_tokens,
    preprocess,
)
from discourse.config import PreprocessSection


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer(PreprocessSection())


def test_tokens_are_lower_cased_lemmas_without_punctuation_or_numbers(tokenizer):
    [tokens] = tokenizer.tokenize(["Volunteers were running 12 Libraries, and co-production grew!"])
    assert tokens == ["volunteer", "be", "run", "library", "and", "co-production", "grow"]


def test_boilerplate_phrases_and_stop_words_are_removed(store, tokenizer):
    texts = [
        "I thank my right hon. Friend for the libraries.",
        "Cabinet is asked to note the volunteering strategy.",
        "The minutes of the meeting were agreed; agenda item 4 is the library.",
    ]
    terms, _ = preprocess(store, texts, PreprocessSection(phrases=False))
    assert list(terms) == [["thank", "library"], ["volunteer", "strategy"], ["agree", "library"]]


def test_configured_stop_and_keep_words(store):
    # both lists are compared with lemmas: "minute" keeps "minutes"
    config = PreprocessSection(phrases=False, stop_words=["library"], keep_words=["minute"])
    terms, _ = preprocess(store, ["The library minutes."], config)
    assert list(terms) == [["minute"]]


def test_phrases_join_frequent_multi_word_terms(store):
    texts = [
        "Ministers praised the big society in March.",
        "Critics doubt the big society will last.",
        "Councils asked the voluntary sector for help.",
        "The big society needs the voluntary sector to grow.",
        "Funding for the voluntary sector fell again.",
        "Is the big society a cover for cuts?",
        "The voluntary sector has lost staff.",
        "Our big society plans were published.",
        "A big garden and a society of friends.",
        "The voluntary work of the sector.",
    ]
    terms, counts = preprocess(store, texts, PreprocessSection(phrases_min_count=4))
    assert list(terms)[3] == ["big_society", "voluntary_sector", "grow"]
    assert list(terms)[-2:] == [
        ["big", "garden", "society", "friend"],
        ["voluntary", "work", "sector"],
    ]
    assert counts["phrases"] == 2


def test_boilerplate_removal_works_on_whole_sequences_only(tokenizer):
    vocabulary = Vocabulary(PreprocessSection(), tokenizer)
    texts = [
        "My right hon. friend said the agenda item on the agenda.",
        "It ends with my right hon.",  # the phrase would need the next text's first word
        "Friend, agenda item.",
    ]
    raw = Tokens.from_lists(tokenizer.tokenize(texts))
    assert list(vocabulary.strip_boilerplate(raw)) == [
        ["my", "say", "the", "on", "the", "agendum"],
        ["it", "end", "with", "my", "right", "hon"],
        ["friend"],
    ]


def test_cache_tokenises_only_documents_it_has_not_seen(store, tokenizer):
    # groups: (cache key, number of sentences), as the pipeline passes each document's text hash
    texts = ["Old library.", "It is shut.", "Young volunteers.", "Old library.", "It is shut."]
    first, counts = cached_tokens(store, texts, tokenizer, groups=[("a", 2), ("b", 1), ("a", 2)])
    assert counts == {"texts": 5, "cached": 2, "tokenised": 3}  # the repeat is tokenised once
    texts = ["Old library.", "It is shut.", "Young volunteers.", "Busy councils."]
    again, counts = cached_tokens(store, texts, tokenizer, groups=[("a", 2), ("b", 1), ("c", 1)])
    assert counts == {"texts": 4, "cached": 3, "tokenised": 1}
    assert list(again) == [
        ["old", "library"],
        ["it", "be", "shut"],
        ["young", "volunteer"],
        ["busy", "council"],
    ]
    assert store.read("SELECT count(*) FROM document_tokens")[0][0] == 3
    # a cached entry with another number of sentences is not trusted: tokenised again
    _, counts = cached_tokens(store, ["Old library. It is shut."], tokenizer, groups=[("a", 1)])
    assert counts["tokenised"] == 1


def test_cache_is_keyed_by_tokenizer_settings(store):
    cached_tokens(store, ["Volunteers ran."], Tokenizer(PreprocessSection()))
    words, counts = cached_tokens(
        store, ["Volunteers ran."], Tokenizer(PreprocessSection(lemmatize=False))
    )
    assert counts["tokenised"] == 1
    assert list(words) == [["volunteers", "ran"]]


def test_phrases_with_a_stop_word_at_an_edge_fall_back_to_their_content_words(tokenizer):
    vocabulary = Vocabulary(PreprocessSection(), tokenizer)
    assert vocabulary._phrase_terms("right_to_bid") == ["right_to_bid"]
    assert vocabulary._phrase_terms("people_who") == ["people"]
    assert vocabulary._phrase_terms("we_will") == []
