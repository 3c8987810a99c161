"""Multi-word terms (`big_society`, `right_to_bid`) found and joined on token-id arrays.

The statistics and the joining are gensim's Phrases (gensim.models.phrases, 4.x) with NPMI
scoring and connector words: every two content words with only connector words between
them in a sentence ("right to bid") are a candidate; a candidate seen at least `min_count`
times whose NPMI, log(p(ab) / (p(a) p(b))) / -log(p(ab)) with every probability a count over
all tokens, exceeds `threshold` is a phrase; and a sentence is read left to right, a phrase
joined wherever its candidate is one, except that a word closing a phrase cannot open the
next. gensim does this with a dictionary of joined strings and a Python loop per token,
which was a fifth of a whole analysis run; here the candidates are integer triples (first
word, connector run, last word) counted with a sort, and the joining is a few array passes.
tests/test_phrases.py checks both give the same phrases, scores and joined sentences. Two
differences, both deliberate: counts are exact (gensim prunes rare counts beyond a
vocabulary size; here a distinct candidate costs 24 bytes), and a token that contains "_"
itself is never mistaken for a candidate with the same spelling.
"""

import math
from dataclasses import dataclass

import numpy as np

DELIMITER = "_"
_BASE = 16  # connector runs are numbers in this base, one digit per connector (digit 0 unused)
_DIGITS = 15  # runs up to this long are encoded arithmetically (16**15 fits in int64)


@dataclass(frozen=True)
class Joined:
    """Token ids after joining: ids < len(vocabulary) are the input's; phrase k is id
    len(vocabulary) + k, named `names[k]` with NPMI `scores[k]`."""

    ids: np.ndarray  # int64
    offsets: np.ndarray  # int64, sentences + 1
    names: list[str]
    scores: list[float]


def join_phrases(
    ids: np.ndarray,
    offsets: np.ndarray,
    vocabulary: list[str],
    connectors: frozenset[str],
    *,
    min_count: int,
    threshold: float,
) -> Joined:
    """Learn the phrases of a corpus (sentence i is ids[offsets[i]:offsets[i + 1]]) and join
    them in it."""
    ids = np.asarray(ids, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    size = len(vocabulary)
    numbers = _numbers(connectors)
    digit = np.array([numbers.get(word, 0) for word in vocabulary] + [0], dtype=np.int64)
    is_connector = digit[ids] > 0
    starts, ends, runs, decode = _candidates(ids, offsets, is_connector, digit)
    if len(starts) == 0:
        return Joined(ids, offsets, [], [])
    first, last = ids[starts], ids[ends]
    order = np.lexsort((last, runs, first))
    boundary = np.r_[
        True,
        (np.diff(first[order]) != 0) | (np.diff(runs[order]) != 0) | (np.diff(last[order]) != 0),
    ]
    group_of_sorted = np.cumsum(boundary) - 1
    group = np.empty(len(order), dtype=np.int64)
    group[order] = group_of_sorted  # each candidate's distinct (first, run, last)
    heads = order[boundary]
    counts = np.bincount(group_of_sorted)
    unigrams = np.bincount(ids[~is_connector], minlength=size)
    total = float(len(ids))  # gensim divides by every token, connectors included
    phrase_of_group = np.full(len(heads), -1, dtype=np.int64)
    names, scores = [], []
    connector_words = {number: word for word, number in numbers.items()}
    frequent = np.flatnonzero(counts >= min_count)
    a_of, b_of = first[heads[frequent]], last[heads[frequent]]
    for g, a, b, ca, cb, cab in zip(
        frequent.tolist(),
        a_of.tolist(),
        b_of.tolist(),
        unigrams[a_of].tolist(),
        unigrams[b_of].tolist(),
        counts[frequent].tolist(),
        strict=True,
    ):
        pa, pb, pab = ca / total, cb / total, cab / total
        score = math.log(pab / (pa * pb)) / -math.log(pab)  # as gensim computes it, bit for bit
        if score > threshold:
            phrase_of_group[g] = len(names)
            middle = [connector_words[d] for d in decode(int(runs[heads[g]]))]
            names.append(DELIMITER.join([vocabulary[a], *middle, vocabulary[b]]))
            scores.append(score)
    phrase = phrase_of_group[group]
    taken = _taken(phrase >= 0, starts, ends)
    # a joined phrase replaces its first word .. last word with one token at the last word
    cut = np.zeros(len(ids) + 1, dtype=np.int64)
    np.add.at(cut, starts[taken], 1)
    np.add.at(cut, ends[taken], -1)
    keep = np.cumsum(cut[:-1]) == 0
    joined = ids.copy()
    joined[ends[taken]] = size + phrase[taken]
    sentence = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    lengths = np.bincount(sentence[keep], minlength=len(offsets) - 1)
    new_offsets = np.zeros(len(offsets), dtype=np.int64)
    np.cumsum(lengths, out=new_offsets[1:])
    return Joined(joined[keep], new_offsets, names, scores)


def _numbers(connectors: frozenset[str]) -> dict[str, int]:
    """Each connector word's digit (1, 2, ...) in the numbers that encode connector runs."""
    if len(connectors) >= _BASE:
        raise ValueError(f"at most {_BASE - 1} connector words are supported")
    return {word: number for number, word in enumerate(sorted(connectors), start=1)}


def _candidates(ids, offsets, is_connector, digit):
    """Positions of each candidate's first and last word, its connector run as a number,
    and a function turning such a number back into the run's digits."""
    content = np.flatnonzero(~is_connector)
    sentence = np.searchsorted(offsets, content, side="right") - 1
    same = sentence[1:] == sentence[:-1]
    starts, ends = content[:-1][same], content[1:][same]
    gaps = ends - starts - 1  # connector words between them
    runs = np.zeros(len(starts), dtype=np.int64)
    long_runs: dict[tuple[int, ...], int] = {}
    for k in range(min(int(gaps.max(initial=0)), _DIGITS)):
        inside = gaps > k
        runs[inside] = runs[inside] * _BASE + digit[ids[starts[inside] + 1 + k]]
    for c in np.flatnonzero(gaps > _DIGITS).tolist():  # absurd runs: numbered one by one
        run = tuple(digit[ids[starts[c] + 1 : ends[c]]].tolist())
        runs[c] = long_runs.setdefault(run, _BASE**_DIGITS + len(long_runs))
    by_number = {number: run for run, number in long_runs.items()}

    def decode(number: int) -> tuple[int, ...]:
        if number in by_number:
            return by_number[number]
        out = []
        while number:
            number, d = divmod(number, _BASE)
            out.append(d)
        return tuple(reversed(out))

    return starts, ends, runs, decode


def _taken(is_phrase: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which phrase candidates are joined, reading each sentence left to right.

    A candidate whose first word closed the phrase before it is not joined, so in a chain of
    phrase candidates (each starting where the last ended) every other one is: the 1st,
    3rd, 5th...
    """
    chained = np.r_[False, starts[1:] == ends[:-1]] & is_phrase & np.r_[False, is_phrase[:-1]]
    index = np.arange(len(is_phrase))
    # where each candidate's chain of consecutive phrase candidates began
    start_of = np.maximum.accumulate(np.where(is_phrase & ~chained, index, 0))
    return is_phrase & ((index - start_of) % 2 == 0)
