"""Lexicoder-style sentiment dictionaries: loading, glob matching and negation-aware counts.

A dictionary is a list of patterns (one or more words; `*` matches any ending and `?` one
character, as in Lexicoder and quanteda) with a polarity. Files come in the formats political
scientists already have: the Lexicoder CSV (`category,pattern`, as quanteda.sentiment ships
LSD2015), Lexicoder 3 `.lc3` text (`+category` lines, then its patterns), WordStat `.cat`
(indented categories, entries ending in ` (1)`), and weighted CSV (`pattern,weight`, for
lexicons with continuous polarities). Categories `positive` and `negative` count +1 and -1;
`neg_positive` (a negated positive, "not good") counts -1 and `neg_negative` +1, and such a
match swallows the words it spans so "not good" is never also counted as "good".

Counting follows Young & Soroka (2012) with a negation window: a positive or negative match
preceded within `negation_window` words (in the same clause) by a negator flips polarity.
Tone is (pos - neg) / (pos + neg + 1) = tanh(½·log((pos + ½) / (neg + ½))), Proksch et al.'s
(2019) logged ratio mapped onto [-1, 1]: 0 without evidence, ±0.5 for a single hit.
"""

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from discourse.errors import UsageError

CATEGORY_WEIGHTS = {"positive": 1.0, "negative": -1.0, "neg_positive": -1.0, "neg_negative": 1.0}
NEGATED_CATEGORIES = {"neg_positive", "neg_negative"}
NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "neither",
        "nor",
        "none",
        "nobody",
        "nothing",
        "nowhere",
        "cannot",
        "without",
        "hardly",
        "barely",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "wont",
        "wouldnt",
        "cant",
        "couldnt",
        "shouldnt",
        "hasnt",
        "havent",
        "hadnt",
        "aint",
    ]
)
FORMATS = {".csv": "csv", ".lc3": "lc3", ".cat": "cat"}

_TOKEN = re.compile(r"(?P<word>[^\W_]+(?:'[^\W_]+)*)|(?P<stop>[.!?;:,()\u2013\u2014])")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens, with clause punctuation kept as "." markers.

    Hyphens split words ("half-hearted" → half, hearted) as Lexicoder's preprocessing does;
    apostrophes stay inside words ("don't", "pandora's").
    """
    tokens = []
    for match in _TOKEN.finditer(text.lower().translate(_APOSTROPHES)):
        tokens.append(match.group("word") or ".")
    return tokens


def is_negator(token: str) -> bool:
    return token in NEGATORS or token.endswith("n't")


@dataclass(frozen=True)
class Entry:
    """One pattern: its words (each exact, a prefix glob or a regex) and its weight."""

    pattern: str
    category: str
    weight: float
    words: tuple[str, ...]

    @property
    def negated(self) -> bool:
        return self.category in NEGATED_CATEGORIES

    @property
    def specificity(self) -> tuple[int, int]:
        """Longer patterns win, then patterns with more literal characters ("hopeless*" over "hope*")."""
        return len(self.words), sum(len(w.replace("*", "").replace("?", "")) for w in self.words)


def _glob_kind(word: str) -> tuple[str, str]:
    """("exact", word), ("prefix", stem) for a trailing *, or ("glob", word) for anything else."""
    word = re.sub(r"\*+$", "*", word)
    if "*" not in word and "?" not in word:
        return "exact", word
    if word.endswith("*") and "*" not in word[:-1] and "?" not in word:
        return "prefix", word[:-1]
    return "glob", word


class _Node:
    """A trie over pattern words: exact children, prefix-glob children, other globs."""

    __slots__ = ("exact", "prefix", "globs", "entries")

    def __init__(self) -> None:
        self.exact: dict[str, _Node] = {}
        self.prefix: dict[str, _Node] = {}
        self.globs: dict[str, tuple[re.Pattern, _Node]] = {}
        self.entries: list[Entry] = []

    def child(self, word: str) -> "_Node":
        kind, key = _glob_kind(word)
        if kind == "exact":
            return self.exact.setdefault(key, _Node())
        if kind == "prefix":
            return self.prefix.setdefault(key, _Node())
        if key not in self.globs:
            regex = re.compile(re.escape(key).replace(r"\*", ".*").replace(r"\?", "."))
            self.globs[key] = (regex, _Node())
        return self.globs[key][1]

    def step(self, token: str) -> list["_Node"]:
        nodes = []
        if token in self.exact:
            nodes.append(self.exact[token])
        if self.prefix:
            for end in range(len(token) + 1):
                node = self.prefix.get(token[:end])
                if node is not None:
                    nodes.append(node)
        for regex, node in self.globs.values():
            if regex.fullmatch(token):
                nodes.append(node)
        return nodes


@dataclass(frozen=True)
class Counts:
    """Negation-aware sentiment evidence in one text."""

    positive: float = 0.0
    negative: float = 0.0
    words: int = 0
    matches: tuple[tuple[str, str, bool], ...] = ()  # (pattern, category, flipped by window)

    @property
    def tone(self) -> float:
        return (self.positive - self.negative) / (self.positive + self.negative + 1.0)


@dataclass
class Dictionary:
    """A compiled dictionary; `count(text)` finds its patterns, longest match first."""

    name: str
    entries: list[Entry]
    sha256: str = ""  # of the file's bytes, so a run records which dictionary it used
    _root: _Node = field(default_factory=_Node, repr=False)
    # where each token leads from the root (most lead nowhere): looked up once per distinct token
    _starts: dict[str, list[_Node]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            node = self._root
            for word in entry.words:
                node = node.child(word)
            node.entries.append(entry)

    def __len__(self) -> int:
        return len(self.entries)

    def _match_at(self, tokens: list[str], i: int) -> Entry | None:
        """The most specific entry matching the tokens from position i (None if none does)."""
        first = tokens[i]
        frontier = self._starts.get(first)
        if frontier is None:
            frontier = self._starts[first] = [] if first == "." else self._root.step(first)
        best: Entry | None = None
        j = i
        while frontier:
            for node in frontier:
                for entry in node.entries:
                    if best is None or entry.specificity > best.specificity:
                        best = entry
            j += 1
            if j >= len(tokens) or tokens[j] == ".":
                break
            frontier = [child for node in frontier for child in node.step(tokens[j])]
        return best

    def count(self, text: str, *, negation_window: int = 3) -> Counts:
        """Weighted positive and negative evidence, with neg_ patterns and a negation window."""
        return self.count_tokens(tokenize(text), negation_window=negation_window)

    def count_tokens(self, tokens: list[str], *, negation_window: int = 3) -> Counts:
        positive = negative = 0.0
        matches = []
        last_negator = None  # index (in words since the clause began) of the latest free negator
        words = 0
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token == ".":
                last_negator = None
                i += 1
                continue
            entry = self._match_at(tokens, i)
            if entry is None:
                if is_negator(token):
                    last_negator = words
                words += 1
                i += 1
                continue
            weight = entry.weight
            flipped = (
                not entry.negated
                and last_negator is not None
                and words - last_negator <= negation_window
            )
            if flipped:
                weight = -weight
            if weight > 0:
                positive += weight
            else:
                negative -= weight
            matches.append((entry.pattern, entry.category, flipped))
            span = len(entry.words)
            words += span
            i += span
        return Counts(positive, negative, words, tuple(matches))


def load_dictionary(path: str | Path) -> Dictionary:
    """Read a dictionary file (format from its extension or, for .csv, its header)."""
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise UsageError(
            f"{path}: unknown dictionary format '{path.suffix}'",
            hint="use a Lexicoder .csv (category,pattern), .lc3, WordStat .cat or a weighted .csv (pattern,weight)",
        )
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(
            f"{path}: dictionary file not found",
            hint="check [sentiment] dictionary or --dictionary",
        ) from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read dictionary: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UsageError(
            f"{path}:{line}: dictionary is not UTF-8", hint="save it as UTF-8"
        ) from None
    reader = {"csv": _read_csv, "lc3": _read_lc3, "cat": _read_cat}[kind]
    rows = reader(text, path)
    entries = [
        _entry(pattern, category, weight, path, line) for line, category, pattern, weight in rows
    ]
    if not entries:
        raise UsageError(f"{path}: dictionary has no entries", hint="check the file format")
    return Dictionary(path.name, _deduplicate(entries), hashlib.sha256(raw).hexdigest())


def parse_dictionary(text: str, name: str, kind: str = "csv") -> Dictionary:
    """Build a dictionary from text in one of the file formats (for packaged data and tests)."""
    reader = {"csv": _read_csv, "lc3": _read_lc3, "cat": _read_cat}[kind]
    path = Path(name)
    entries = [_entry(p, c, w, path, line) for line, c, p, w in reader(text, path)]
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Dictionary(name, _deduplicate(entries), digest)


def _deduplicate(entries: list[Entry]) -> list[Entry]:
    seen: dict[tuple[str, ...], Entry] = {}
    for entry in entries:
        seen.setdefault(entry.words, entry)
    return list(seen.values())


def _entry(pattern: str, category: str, weight: float | None, path: Path, line: int) -> Entry:
    words = tuple(tokenize_pattern(pattern))
    if not words:
        raise UsageError(f"{path}:{line}: empty pattern", hint="remove the line or give a word")
    if weight is None:
        if category not in CATEGORY_WEIGHTS:
            raise UsageError(
                f"{path}:{line}: unknown category '{category}'",
                hint="sentiment categories are positive, negative, neg_positive and neg_negative",
            )
        weight = CATEGORY_WEIGHTS[category]
    return Entry(pattern.strip().lower(), category, weight, words)


def tokenize_pattern(pattern: str) -> list[str]:
    """Split a pattern like the text is split, keeping glob characters inside words."""
    cleaned = pattern.lower().translate(_APOSTROPHES)
    return [w for w in re.split(r"[^\w'*?]+", cleaned) if w.strip("'")]


def _data_lines(text: str) -> Iterable[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, line


def _read_csv(text: str, path: Path) -> list[tuple[int, str, str, float | None]]:
    lines = list(_data_lines(text))
    if not lines:
        return []
    rows = [(number, next(csv.reader([line]))) for number, line in lines]
    header_line, header = rows[0][0], [h.strip().lower() for h in rows[0][1]]
    if "category" in header and "pattern" in header:
        pattern_at, category_at, weight_at = header.index("pattern"), header.index("category"), None
    else:
        pattern_at = _first_index(header, ("pattern", "term", "word", "lemma"))
        weight_at = _first_index(header, ("weight", "polarity", "valence", "score"))
        category_at = None
        if pattern_at is None or weight_at is None:
            raise UsageError(
                f"{path}:{header_line}: cannot tell the dictionary's columns from its header "
                f"{','.join(rows[0][1])!r}",
                hint="use 'category,pattern' (Lexicoder CSV) or 'pattern,weight'",
            )
    width = max(pattern_at, category_at or 0, weight_at or 0) + 1
    out = []
    for number, row in rows[1:]:
        if len(row) < width:
            raise UsageError(f"{path}:{number}: expected {width} columns, got {len(row)}")
        if weight_at is None:
            out.append((number, row[category_at].strip().lower(), row[pattern_at], None))
            continue
        try:
            weight = float(row[weight_at])
        except ValueError:
            raise UsageError(
                f"{path}:{number}: weight {row[weight_at]!r} is not a number"
            ) from None
        out.append((number, "positive" if weight >= 0 else "negative", row[pattern_at], weight))
    return out


def _first_index(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _read_lc3(text: str, path: Path) -> list[tuple[int, str, str, None]]:
    """Lexicoder 3: a line `+category` opens a category; the lines after it are its patterns."""
    out = []
    category = None
    for number, line in _data_lines(text):
        stripped = line.strip()
        if stripped.startswith("+"):
            category = stripped[1:].strip().lower()
            continue
        if category is None:
            raise UsageError(
                f"{path}:{number}: pattern before any '+category' line",
                hint="a Lexicoder .lc3 file starts each category with a line like '+negative'",
            )
        out.append((number, category, stripped, None))
    return out


_CAT_ENTRY = re.compile(r"^(?P<indent>\s*)(?P<pattern>.+?)\s+\(\d+\)\s*$")


def _read_cat(text: str, path: Path) -> list[tuple[int, str, str, None]]:
    """WordStat: category lines, then indented entries `PATTERN (1)`; innermost category counts."""
    out = []
    stack: list[tuple[int, str]] = []  # (indent, category)
    for number, line in _data_lines(text):
        expanded = line.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip())
        entry = _CAT_ENTRY.match(expanded)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if entry is None:
            stack.append((indent, expanded.strip().lower()))
            continue
        if not stack:
            raise UsageError(
                f"{path}:{number}: entry before any category",
                hint="a WordStat .cat file lists a category, then its indented entries",
            )
        out.append((number, stack[-1][1], entry.group("pattern"), None))
    return out
