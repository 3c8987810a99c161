"""Sentence and text sentiment: VADER adapted to political text, a dictionary, and their mean.

VADER (Hutto & Gilbert 2014) brings rules that a word count lacks (negation, intensifiers,
"but" clauses, emphasis); its lexicon was built for American social media, so in political
text it scores parliamentary courtesies ("my hon. Friend", "the noble Lord") and names of
parties and programmes ("Universal Credit", "social care") as praise and misses British
spellings and the vocabulary of political criticism. The political adaptation neutralises
those labels, adds British spellings of VADER's own entries and a small political lexicon
(discourse/data/sentiment/vader-political.csv, ours). The dictionary method counts a
Lexicoder-format dictionary with negation (see dictionary.py): the user's own (LSD2015, say)
or the bundled political-tone dictionary (discourse/data/sentiment/political-tone.csv, ours).
The combined score is their weighted mean in sentences where the dictionary finds evaluative
words, and 0 elsewhere: the dictionary decides whether a sentence evaluates, both decide how
(VADER alone calls too many plain statements positive). A text's score is the mean of its
evaluative sentences' scores, so a speech is neither pushed to ±1 by its length nor diluted
by its procedural sentences.
"""

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from discourse.analyse.sentiment.dictionary import Dictionary, load_dictionary, parse_dictionary

LABELS = ("negative", "neutral", "positive")
Method = Literal["combined", "vader", "dictionary"]
BUILTIN_DICTIONARY = "political-tone.csv"

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_HASHTAG = re.compile(r"(?<!\w)#(\w+)")
_ABBREVIATIONS = frozenset(
    [
        "hon",
        "rt",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "no",
        "nos",
        "prof",
        "cllr",
        "col",
        "gen",
        "sir",
        "rev",
        "cf",
        "vs",
        "etc",
        "approx",
        "e.g",
        "i.e",
    ]
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+|\n\s*")


def clean(text: str) -> str:
    """Drop URLs and @handles, keep hashtag words: they carry no tone of their own."""
    if "//" in text or "www." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _HANDLE.sub(" ", text)
    if "#" in text:  # most sentences have none of the three: no pattern is run on them
        text = _HASHTAG.sub(r"\1", text)
    return text


def split_sentences(text: str) -> list[str]:
    """Sentences of a text: at . ! ? followed by space, and at line breaks; not after "hon."."""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start()
        last_word = re.search(r"([\w.]+)[.]$", text[start : end + 1])
        if (
            match.group().startswith(".")
            and last_word
            and last_word.group(1).lower().rstrip(".") in _ABBREVIATIONS
        ):
            continue
        piece = text[start : match.end()].strip()
        if piece:
            sentences.append(piece)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _data_text(name: str) -> str:
    return resources.files("discourse").joinpath("data", "sentiment", name).read_text("utf-8")


@cache
def builtin_dictionary() -> Dictionary:
    """The bundled political-tone dictionary (written for this project, MIT)."""
    return parse_dictionary(_data_text(BUILTIN_DICTIONARY), f"{BUILTIN_DICTIONARY} (built in)")


def british_variants(word: str) -> list[str]:
    """British spellings of an American word form (honor → honour, apologize → apologise)."""
    variants = []
    ending = re.search(r"([^aeiou])or(s|ed|ing|able|ably|ful|fully|less|ite|ites)?$", word)
    if ending and len(word) > 4:
        variants.append(word[: ending.start() + 1] + "our" + (ending.group(2) or ""))
    ending = re.search(r"(i|y)z(e|es|ed|ing|ation|ations|er|ers)$", word)
    if ending and len(word) > 5:
        variants.append(word[: ending.start()] + ending.group(1) + "s" + ending.group(2))
    ending = re.search(r"([aeiou])l(ed|ing|er|ers)$", word)
    if ending:
        variants.append(word[: ending.start() + 1] + "ll" + ending.group(2))
    if word.endswith("fense"):
        variants.append(word[:-5] + "fence")
    return [v for v in variants if v != word]


def _read_adjustments() -> list[tuple[str, float]]:
    lines = [
        line for line in _data_text("vader-political.csv").splitlines() if not line.startswith("#")
    ]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    return [(row["term"].strip().lower(), float(row["valence"])) for row in rows]


class PoliticalVader:
    """VADER's compound score, optionally with its lexicon adapted to political text."""

    def __init__(self, political: bool = True):
        self.political = political
        self._analyzer = SentimentIntensityAnalyzer()
        self._phrases: re.Pattern | None = None
        self._phrase_words: tuple[str, ...] = ()  # one word every phrase needs, per phrase
        if political:
            self._adapt()

    def _adapt(self) -> None:
        lexicon = self._analyzer.lexicon
        for word, valence in list(lexicon.items()):
            for variant in british_variants(word):
                lexicon.setdefault(variant, valence)
        phrases = []
        for term, valence in _read_adjustments():
            words = re.split(r"[\s\-]+", term)
            key = "_".join(words) if len(words) > 1 else term
            if len(words) > 1:
                phrases.append(words)
            if valence == 0:
                lexicon.pop(key, None)
            else:
                lexicon[key] = valence
        phrases.sort(key=len, reverse=True)
        alternation = "|".join(r"[\s.\-]+".join(map(re.escape, words)) for words in phrases)
        self._phrases = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.IGNORECASE)
        self._phrase_words = tuple(sorted({max(words, key=len) for words in phrases}))

    def _join(self, match: re.Match) -> str:
        return "_".join(re.split(r"[\s.\-]+", match.group().lower()))

    def _may_hold_phrase(self, text: str) -> bool:
        """False only when no phrase can match: an ASCII text lacking the longest word of
        every phrase (a substring test is far cheaper than the phrase pattern)."""
        if not text.isascii():  # case-insensitive matching beyond ASCII: always look
            return True
        lowered = text.lower()
        return any(word in lowered for word in self._phrase_words)

    def compound(self, text: str) -> float:
        if self._phrases is not None and self._may_hold_phrase(text):
            text = self._phrases.sub(self._join, text)
        return float(self._analyzer.polarity_scores(text)["compound"])


@dataclass(frozen=True)
class SentenceScore:
    sentiment: float  # combined score in [-1, 1]
    label: str  # negative | neutral | positive
    vader: float | None  # VADER compound (None when the method does not use it)
    dictionary: float | None  # dictionary tone (None when the method does not use it)


@dataclass(frozen=True)
class TextScore:
    sentiment: float  # mean score of the evaluative sentences
    label: str
    sentences: int
    evaluative: int  # sentences with a non-zero score


class SentimentScorer:
    """Scores sentences and texts with the configured method; deterministic and stateless."""

    def __init__(
        self,
        *,
        method: Method = "combined",
        dictionary: Dictionary | None = None,
        political_vader: bool = True,
        vader_weight: float = 0.5,
        negation_window: int = 3,
        neutral_band: float = 0.05,
    ):
        self.method = method
        self.dictionary = dictionary if dictionary is not None else builtin_dictionary()
        self.vader = PoliticalVader(political_vader) if method != "dictionary" else None
        self.vader_weight = vader_weight
        self.negation_window = negation_window
        self.neutral_band = neutral_band

    @classmethod
    def from_config(cls, config, *, dictionary: str | Path | None = None) -> "SentimentScorer":
        """Build from a SentimentConfig; `dictionary` (a CLI option) overrides its path."""
        path = dictionary if dictionary is not None else config.dictionary
        return cls(
            method=config.method,
            dictionary=load_dictionary(path) if path else None,
            political_vader=config.political_vader,
            vader_weight=config.vader_weight,
            negation_window=config.negation_window,
            neutral_band=config.neutral_band,
        )

    def label(self, value: float) -> str:
        if value > self.neutral_band:
            return "positive"
        if value < -self.neutral_band:
            return "negative"
        return "neutral"

    def score_sentence(self, text: str) -> SentenceScore:
        """Score one sentence; "combined" is 0 unless the dictionary finds evaluative words."""
        text = clean(text)
        vader = self.vader.compound(text) if self.vader is not None else None
        counts = None
        if self.method != "vader":
            counts = self.dictionary.count(text, negation_window=self.negation_window)
        if self.method == "vader":
            value = vader
        elif self.method == "dictionary":
            value = counts.tone
        elif counts.positive + counts.negative > 0:
            value = self.vader_weight * vader + (1.0 - self.vader_weight) * counts.tone
        else:
            value = 0.0
        value = round(max(-1.0, min(1.0, value)), 6)
        tone = None if counts is None else round(counts.tone, 6)
        return SentenceScore(value, self.label(value), vader, tone)

    def score_text(self, text: str) -> TextScore:
        """Mean score of the text's evaluative (non-zero) sentences; 0.0 when there are none.

        Averaging over evaluative sentences only keeps a long speech's procedural sentences
        from diluting the tone of what it does evaluate; a text without words is neutral.
        """
        sentences = [s for s in split_sentences(text) if re.search(r"\w", s)]
        scores = [self.score_sentence(s).sentiment for s in sentences]
        evaluative = [v for v in scores if v != 0.0]
        value = round(sum(evaluative) / len(evaluative), 6) if evaluative else 0.0
        return TextScore(value, self.label(value), len(sentences), len(evaluative))
