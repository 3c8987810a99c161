"""Sentiment of sentences and texts, and its aggregates per period and actor (a pipeline stage).

- dictionary.py: Lexicoder-format dictionaries (CSV, .lc3, WordStat .cat, weighted CSV),
  glob matching and negation-aware counting;
- scorer.py: VADER adapted to political text, the dictionary tone, the combined score;
- stage.py: the "sentiment" stage of `discourse analyse` and its result tables.
"""

from discourse.analyse.sentiment.dictionary import Dictionary, load_dictionary
from discourse.analyse.sentiment.scorer import SentimentScorer
from discourse.analyse.sentiment.stage import SentimentStage

__all__ = ["Dictionary", "SentimentScorer", "SentimentStage", "load_dictionary"]
