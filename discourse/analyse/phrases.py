"""Multi-word terms (`big_society`, `right_to_bid`) found and joined on token-id arrays.

The statistics and the joining are gensim's Phrases (gensim.models.phrases, 4.x) with NPMI
scoring and connector words: every two content words with only connector words between
them in a sentence ("right to bid") are a candidate; a candidate seen at least `min_count`
times whose NPMI, log(p(ab) / (p(a) p(b))) / -log(p(ab)) with every probability a count over
all tokens, exceeds `threshold` is a phrase; and a sentence is read left to right, a phrase
joined wherever its candidate is one, except that a word closing a phrase cannot open the
next. gensim does this with a dictionary of joined strings and a Python loop per token,
which was a fifth of a whole analysis run; here the candidates are integer triples (first
word, connector run, last word) counted with a sort, and the joining is a few array passes,
a chunk of sentences at a time so that memory stays flat however large the corpus.
tests/test_phrases.py checks both give the same phrases, scores and joined sentences. Two
differences, both deliberate: counts are exact (gensim prunes rare counts beyond a
vocabulary size; here a distinct candidate costs 32 bytes), and a token that contains "_"
itself is never mistaken for a candidate with the same spelling.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

DELIMITER = "_"
CHUNK_TOKENS = 1 << 20  # tokens handled at once: bounds the working memory
_BASE = 16  # connector runs are numbers in this base, one digit per connector (digit 0 unused)
_DIGITS = 15  # runs up to this long are encoded arithmetically (16**15 fits in int64)


@dataclass(frozen=True)
class Joined:
    """Token ids after joining: ids < len(vocabulary) are the input's; phrase k is id
    len(vocabulary) + k, named `names[k]` with NPMI `scores[k]`."""

    ids: np.ndarray  # int32
    offsets: np.ndarray  # int64, sentences + 1
    names: list[str]
    scores: list[float]


def text_chunks(offsets: np.ndarray, size: int = CHUNK_TOKENS) -> Iterator[tuple[int, int]]:
    """Ranges [a, b) of consecutive texts holding at most `size` tokens (or one longer text)."""
    count = len(offsets) - 1
    a = 0
    while a < count:
        b = int(np.searchsorted(offsets, offsets[a] + size, side="right")) - 1
        b = min(max(b, a + 1), count)
        yield a, b
        a = b


def join_phrases(
    ids: np.ndarray,
    offsets: np.ndarray,
    vocabulary: list[str],
    connectors: frozenset[str],
    *,
    min_count: int,
    threshold: float,
    chunk: int = CHUNK_TOKENS,
) -> Joined:
    """Learn the phrases of a corpus (sentence i is ids[offsets[i]:offsets[i + 1]]) and join
    them in it."""
    offsets = np.asarray(offsets, dtype=np.int64)
    size = len(vocabulary)
    numbers = _numbers(connectors)
    digit = np.array([numbers.get(word, 0) for word in vocabulary] + [0], dtype=np.int64)
    runs = _Runs()
    unigrams = np.zeros(size, dtype=np.int64)
    distinct = _empty_distinct()
    for part, part_offsets in _parts(ids, offsets, chunk):
        connector = digit[part] > 0
        unigrams += np.bincount(part[~connector], minlength=size)
        starts, ends, codes = _candidates(part, part_offsets, connector, digit, runs)
        seen = (part[starts], codes, part[ends], np.ones(len(starts), dtype=np.int64))
        distinct = _distinct(*(np.concatenate(pair) for pair in zip(distinct, seen, strict=True)))
    first, code, last, counts = distinct
    total = float(len(ids))  # gensim divides by every token, connectors included
    connector_words = {number: word for word, number in numbers.items()}
    accepted, names, scores = [], [], []
    frequent = np.flatnonzero(counts >= min_count)
    for g, a, b, ca, cb, cab in zip(
        frequent.tolist(),
        first[frequent].tolist(),
        last[frequent].tolist(),
        unigrams[first[frequent]].tolist(),
        unigrams[last[frequent]].tolist(),
        counts[frequent].tolist(),
        strict=True,
    ):
        pa, pb, pab = ca / total, cb / total, cab / total
        score = math.log(pab / (pa * pb)) / -math.log(pab)  # as gensim computes it, bit for bit
        if score > threshold:
            accepted.append(g)
            middle = [connector_words[d] for d in runs.decode(int(code[g]))]
            names.append(DELIMITER.join([vocabulary[a], *middle, vocabulary[b]]))
            scores.append(score)
    lookup = _Lookup(first[accepted], code[accepted], last[accepted], size)
    out_ids, out_lengths = [], []
    for part, part_offsets in _parts(ids, offsets, chunk):
        connector = digit[part] > 0
        starts, ends, codes = _candidates(part, part_offsets, connector, digit, runs)
        phrase = lookup.find(part[starts], codes, part[ends])
        taken = _taken(phrase >= 0, starts, ends)
        # a joined phrase replaces its first word .. last word with one token at the last word
        cut = np.zeros(len(part) + 1, dtype=np.int64)
        np.add.at(cut, starts[taken], 1)
        np.add.at(cut, ends[taken], -1)
        keep = np.cumsum(cut[:-1]) == 0
        joined = part.copy()
        joined[ends[taken]] = size + phrase[taken]
        sentence = np.repeat(np.arange(len(part_offsets) - 1), np.diff(part_offsets))
        out_ids.append(joined[keep].astype(np.int32))
        out_lengths.append(np.bincount(sentence[keep], minlength=len(part_offsets) - 1))
    new_offsets = np.zeros(len(offsets), dtype=np.int64)
    if out_lengths:
        np.cumsum(np.concatenate(out_lengths), out=new_offsets[1:])
    joined_ids = np.concatenate(out_ids) if out_ids else np.zeros(0, dtype=np.int32)
    return Joined(joined_ids, new_offsets, names, scores)


def _parts(ids, offsets, chunk) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Each chunk of sentences as its own ids (int64) and offsets from 0."""
    for a, b in text_chunks(offsets, chunk):
        start = offsets[a]
        yield np.asarray(ids[start : offsets[b]], dtype=np.int64), offsets[a : b + 1] - start


def _numbers(connectors: frozenset[str]) -> dict[str, int]:
    """Each connector word's digit (1, 2, ...) in the numbers that encode connector runs."""
    if len(connectors) >= _BASE:
        raise ValueError(f"at most {_BASE - 1} connector words are supported")
    return {word: number for number, word in enumerate(sorted(connectors), start=1)}


class _Runs:
    """Numbers for connector runs: arithmetic up to _DIGITS words, counted beyond."""

    def __init__(self):
        self.long: dict[tuple[int, ...], int] = {}
        self.by_number: dict[int, tuple[int, ...]] = {}

    def number(self, run: tuple[int, ...]) -> int:
        if run not in self.long:
            self.long[run] = _BASE**_DIGITS + len(self.long)
            self.by_number[self.long[run]] = run
        return self.long[run]

    def decode(self, number: int) -> tuple[int, ...]:
        if number in self.by_number:
            return self.by_number[number]
        out = []
        while number:
            number, d = divmod(number, _BASE)
            out.append(d)
        return tuple(reversed(out))


def _candidates(ids, offsets, is_connector, digit, runs: _Runs):
    """Positions of each candidate's first and last word, and its connector run's number."""
    content = np.flatnonzero(~is_connector)
    sentence = np.searchsorted(offsets, content, side="right") - 1
    same = sentence[1:] == sentence[:-1]
    starts, ends = content[:-1][same], content[1:][same]
    gaps = ends - starts - 1  # connector words between them
    codes = np.zeros(len(starts), dtype=np.int64)
    for k in range(min(int(gaps.max(initial=0)), _DIGITS)):
        inside = gaps > k
        codes[inside] = codes[inside] * _BASE + digit[ids[starts[inside] + 1 + k]]
    for c in np.flatnonzero(gaps > _DIGITS).tolist():  # absurd runs: numbered one by one
        codes[c] = runs.number(tuple(digit[ids[starts[c] + 1 : ends[c]]].tolist()))
    return starts, ends, codes


def _empty_distinct():
    empty = np.zeros(0, dtype=np.int64)
    return empty, empty, empty, empty


def _distinct(first, code, last, counts):
    """Distinct (first, code, last) triples in sorted order, with their summed counts."""
    if len(first) == 0:
        return first, code, last, counts
    order = np.lexsort((last, code, first))
    first, code, last = first[order], code[order], last[order]
    head = np.r_[True, (np.diff(first) != 0) | (np.diff(code) != 0) | (np.diff(last) != 0)]
    starts = np.flatnonzero(head)
    return first[starts], code[starts], last[starts], np.add.reduceat(counts[order], starts)


class _Lookup:
    """Finds which candidates are phrases: their triples packed into sorted integer keys."""

    def __init__(self, first, code, last, size: int):
        self.codes = np.unique(code)
        self.size = size
        if size * size * max(len(self.codes), 1) >= 2**62:
            raise ValueError(f"vocabulary of {size:,} words too large for phrase keys")
        keys = self._keys(first, np.searchsorted(self.codes, code), last)
        order = np.argsort(keys, kind="stable")
        self.keys, self.phrase = keys[order], order

    def _keys(self, first, code_index, last):
        return (first * len(self.codes) + code_index) * self.size + last

    def find(self, first, code, last) -> np.ndarray:
        """Phrase number of each candidate (-1: not a phrase)."""
        if len(self.keys) == 0:
            return np.full(len(first), -1, dtype=np.int64)
        index = np.minimum(np.searchsorted(self.codes, code), len(self.codes) - 1)
        known = self.codes[index] == code
        keys = self._keys(first, index, last)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(known & (self.keys[at] == keys), self.phrase[at], -1)


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
