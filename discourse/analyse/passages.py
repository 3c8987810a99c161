"""Documents split into paragraphs and sentences, kept as character offsets into the text.

Offsets (not copies) go into the store's `passages` table, so a sentence can always be traced
back to its place in the archived document, and re-running only splits documents that have no
passages yet under the current segmenter tag. Sentences come from spaCy's blank English
tokenizer and rule-based sentencizer (fast, no model download) corrected by a few rules for
parliamentary and council text: "hon.", "Cllr.", "para." are not sentence ends, a lone
section number ("3.", "(a)", "4.2") belongs to the sentence it numbers, and a line that starts
with a number or bullet starts a sentence. Hansard speeches (source_kind debate: one speech
per document) also get a `speech` unit spanning the whole text.

The tokenizer is the one preprocessing uses (hyphenated words stay whole), so the same pass
can hand each sentence's tokens on (`Segmented.tokens`): a document is tokenised once, for
its sentences and for its terms.
"""

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from spacy.attrs import LOWER
from spacy.lang.char_classes import HYPHENS
from spacy.lang.en import English
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from discourse.analyse.stage import fork_context, forked_pool, inherited
from discourse.progress import SILENT, Progress
from discourse.store import Document, Store

# Bump when the rules change: passages are stored per tag, so a new tag re-splits everything.
# 2: the tokenizer keeps hyphenated words whole (it is preprocessing's tokenizer too)
SEGMENTER = "spacy-sentencizer+rules/2"
UNITS = ("speech", "paragraph", "sentence")

# Abbreviations that end in a full stop but rarely end a sentence in this genre.
ABBREVIATIONS = (
    "hon.",
    "Hon.",
    "Rt.",
    "rt.",
    "Cllr.",
    "Cllrs.",
    "Cttee.",
    "para.",
    "paras.",
    "Para.",
    "cf.",
    "approx.",
    "Nos.",
    "no.",
    "No.",
    "ch.",
    "Ch.",
    "cl.",
    "vol.",
    "Vol.",
    "pp.",
    "St.",
    "Dept.",
    "Govt.",
    "Sch.",
)
_ENUMERATOR = re.compile(
    r"^(\(?[0-9]{1,3}[a-z]?[.)]?|\(?[a-zA-Z][.)]|\(?[ivxlc]{1,5}[.)]|[•*·▪–-])$"
)
_SECTION_NUMBER = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,3})+\.?$")
_LINE_START = re.compile(r"\n[ \t]*(\S)")
_SECTION_CANDIDATE = re.compile(r"\S[ \t]+([0-9]{1,3}(?:\.[0-9]{1,3})+\.?)[ \t]+[A-Z]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LINE = re.compile(r"\n")


@dataclass(frozen=True)
class Span:
    """One unit: its kind, number within the document, parent unit number and offsets."""

    unit: str
    seq: int
    parent_seq: int | None
    char_start: int
    char_end: int


@Language.component("discourse_sentence_rules")
def _sentence_rules(doc: Doc) -> Doc:
    """Correct the sentencizer's boundaries for numbered sections, bullets and line starts.

    Candidates are found with regexes on the text and only they are looked at as tokens, so
    the rules cost little beside the tokenizer.
    """
    text = doc.text
    if "\n" in text:
        for match in _LINE_START.finditer(text):
            token = _token_at(doc, match.start(1))
            if token is not None and token.i > 0 and _is_enumerator(token):
                token.is_sent_start = True
    for match in _SECTION_CANDIDATE.finditer(text):
        token = _token_at(doc, match.start(1))
        if token is None or token.i == 0 or token.i + 1 >= len(doc):
            continue
        previous = doc[token.i - 1]
        if (
            _SECTION_NUMBER.match(token.text)
            and doc[token.i + 1].is_title
            and not previous.is_space
            and previous.text not in ("(", "see", "paragraph", "section", "para.", "of", "in")
        ):
            token.is_sent_start = True
    for sentence in list(doc.sents)[1:]:
        first = sentence[0]
        if first.text[:1].islower() and doc[first.i - 1].text == ".":
            first.is_sent_start = False  # "e.g. volunteers", "p. 4 shows": not a new sentence
    # a sentence that is only a number or bullet ("3.", "(a)") joins the one it numbers
    sentences = list(doc.sents)
    for sentence, following in zip(sentences, sentences[1:], strict=False):
        if len(sentence) > 4:
            continue
        words = [t for t in sentence if not t.is_space]
        if words and len(words) <= 2 and _is_enumerator_text("".join(t.text for t in words)):
            following[0].is_sent_start = False
    return doc


def _token_at(doc: Doc, char: int):
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def _is_enumerator(token) -> bool:
    return bool(_ENUMERATOR.match(token.text) or _SECTION_NUMBER.match(token.text))


def _is_enumerator_text(text: str) -> bool:
    return bool(_ENUMERATOR.match(text) or _SECTION_NUMBER.match(text))


class _HyphenatedEnglishDefaults(English.Defaults):
    """English tokenizer settings less the rule that splits words at hyphens."""

    infixes = [rule for rule in English.Defaults.infixes if HYPHENS not in rule]


class _HyphenatedEnglish(English):
    # the infix pattern is compiled once, as the pipeline is made (replacing it afterwards
    # compiled a second one: a tenth of a second on every run that splits anything)
    Defaults = _HyphenatedEnglishDefaults


def blank_english() -> Language:
    """spaCy's blank English tokenizer, with hyphenated words ("co-production",
    "not-for-profit") kept whole and parliamentary abbreviations ("hon.") as single tokens."""
    nlp = _HyphenatedEnglish()
    for abbreviation in ABBREVIATIONS:
        nlp.tokenizer.add_special_case(abbreviation, [{"ORTH": abbreviation}])
    return nlp


def sentence_pipeline() -> Language:
    """Blank English with the sentencizer and our boundary rules (no model files needed)."""
    nlp = blank_english()
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("discourse_sentence_rules")
    return nlp


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraph offsets: blocks between blank lines, or lines when there are no blank lines.

    Extracted web pages separate paragraphs by single newlines, PDFs and hand-written text by
    blank lines (single newlines there are hard wraps inside a paragraph).
    """
    separator = _BLANK_LINE if _BLANK_LINE.search(text) else _LINE
    spans = []
    start = 0
    for match in separator.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [trimmed for a, b in spans if (trimmed := _trim(text, a, b)) is not None]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


@dataclass
class Segmented:
    """One document's units and, when asked for, its sentences' tokens from the same pass.

    `tokens[i]` holds the LOWER attribute (hashes into `vocab.strings`) of every token of the
    i-th sentence span, exactly as tokenising that sentence's text alone would give them.
    """

    spans: list[Span]
    tokens: list[np.ndarray] | None = None
    vocab: Vocab | None = None  # the segmenter's: its strings and lexeme attributes


class Segmenter:
    """Splits document texts into speech, paragraph and sentence spans."""

    tag = SEGMENTER

    def __init__(self, batch_size: int = 256, tokens: bool = False):
        self.nlp = sentence_pipeline()
        self.batch_size = batch_size
        self.tokens = tokens  # hand each sentence's tokens on (Segmented.tokens)

    def split(self, text: str, source_kind: str) -> list[Span]:
        return next(iter(self.split_many([(text, source_kind)])))

    def split_many(self, items: Iterable[tuple[str, str]]) -> Iterator[list[Span]]:
        """Spans for each (text, source_kind), in input order."""
        for segmented in self.segment_many(items):
            yield segmented.spans

    def segment_many(self, items: Iterable[tuple[str, str]]) -> Iterator[Segmented]:
        """Spans (and tokens, if the segmenter was asked for them) of each (text, source_kind).

        Sentence numbers run through the whole document; a sentence's parent is its paragraph,
        a paragraph's parent is the speech (debates) or none.
        """
        for text, source_kind in items:
            spans: list[Span] = []
            tokens: list[np.ndarray] | None = [] if self.tokens else None
            speech = source_kind == "debate"
            if speech:
                whole = _trim(text, 0, len(text))
                if whole:
                    spans.append(Span("speech", 0, None, *whole))
            paragraphs = paragraph_spans(text)
            sentence_seq = 0
            docs = self.nlp.pipe((text[a:b] for a, b in paragraphs), batch_size=self.batch_size)
            for paragraph_seq, ((start, end), doc) in enumerate(zip(paragraphs, docs, strict=True)):
                spans.append(Span("paragraph", paragraph_seq, 0 if speech else None, start, end))
                lower = doc.to_array(LOWER) if tokens is not None else None
                for sentence in doc.sents:
                    bounds = _trim(text, start + sentence.start_char, start + sentence.end_char)
                    if bounds is None:
                        continue
                    spans.append(Span("sentence", sentence_seq, paragraph_seq, *bounds))
                    sentence_seq += 1
                    if tokens is not None:
                        tokens.append(self._sentence_tokens(text, bounds, sentence, lower))
            yield Segmented(spans, tokens, self.nlp.vocab if self.tokens else None)

    def _sentence_tokens(self, text: str, bounds: tuple[int, int], sentence, lower) -> np.ndarray:
        """The sentence's tokens as tokenising its text alone gives them.

        spaCy tokenises each whitespace-separated chunk on its own, so the paragraph's tokens
        are the sentence's own unless a sentence boundary falls inside a chunk ("end.Next");
        only then is the sentence tokenised again by itself.
        """
        start, end = bounds
        if (start > 0 and not text[start - 1].isspace()) or (
            end < len(text) and not text[end].isspace()
        ):
            return self.nlp.make_doc(text[start:end]).to_array(LOWER)
        doc = sentence.doc
        first = sentence.start
        last = sentence.end
        while first < last and doc[first].is_space:  # what _trim cut off the sentence
            first += 1
        while last > first and doc[last - 1].is_space:
            last -= 1
        return lower[first:last]


class TokenSink(Protocol):
    """Takes the sentence tokens of the documents split (preprocess.TokenCache)."""

    def digest(self, segmented: list[Segmented]) -> object:
        """What is kept of a batch of documents' tokens (None: nothing). Runs where the batch
        was split, which may be a worker process: the tokens are only readable with that
        process's vocab."""
        ...

    def save(self, conn: sqlite3.Connection, documents: list[Document], digest: object) -> None:
        """Keep a batch's digest, inside the transaction that stores its passages."""
        ...


def ensure_passages(
    store: Store,
    documents: Iterable[Document],
    *,
    segmenter: Segmenter | None = None,
    progress: Progress = SILENT,
    total: int | None = None,
    batch: int = 200,
    tokens: TokenSink | None = None,
    workers: int = 1,
) -> dict[str, int]:
    """Split every document that has no passages under the segmenter's tag yet.

    Returns counts: documents seen, documents split now, sentences added. Each batch of
    documents is one transaction, so an interrupted run keeps what it finished. With
    `tokens`, each batch's sentence tokens go to it in the same transaction. The spaCy
    pipeline is built only once a document needs splitting. With `workers` > 1, batches are
    split in that many forked processes (documents are independent) and stored here, in
    order: the passages are the same with any number of workers.
    """
    counts = {"documents": 0, "split": 0, "sentences": 0}
    lazy = _LazySegmenter(segmenter, tokens is not None)
    wave: list[list[Document]] = []  # batches split together, then stored in order
    with progress.task("passages", total=total) as task, _Splitter(lazy, tokens, workers) as split:
        splitting = None  # the wave the workers are splitting while the one before is stored

        def flush() -> None:
            nonlocal splitting
            previous, splitting = splitting, (list(wave), split.submit(wave))
            wave.clear()
            if previous is not None:
                store_wave(*previous)

        def store_wave(batches: list[list[Document]], result) -> None:
            for todo, segmented in zip(batches, result(), strict=True):
                _store_batch(store, todo, segmented, lazy.tag, counts, tokens)
            task.advance(sum(len(todo) for todo in batches))

        pending: list[Document] = []
        for document in documents:
            counts["documents"] += 1
            pending.append(document)
            if len(pending) >= batch:
                wave.append(_unsplit(store, pending, lazy.tag))
                task.advance(len(pending) - len(wave[-1]))
                pending = []
                if len(wave) >= split.wave:
                    flush()
        if pending:
            wave.append(_unsplit(store, pending, lazy.tag))
            task.advance(len(pending) - len(wave[-1]))
        flush()
        store_wave(*splitting)
    return counts


class _LazySegmenter:
    """The segmenter's tag at once, its spaCy pipeline only when a batch has work: a re-run
    with nothing new to split never loads spaCy."""

    def __init__(self, segmenter: Segmenter | None, tokens: bool):
        self._segmenter = segmenter
        self.want_tokens = tokens
        self.tag = SEGMENTER if segmenter is None else segmenter.tag

    @property
    def segmenter(self) -> Segmenter:
        if self._segmenter is None:
            self._segmenter = Segmenter(tokens=self.want_tokens)
        return self._segmenter


class _Splitter:
    """Splits waves of batches here or, with workers, in forked processes started on the
    first wave with work (after the spaCy pipeline is built, so they share it). Workers split
    a wave while the one before is stored."""

    def __init__(self, lazy: _LazySegmenter, tokens: TokenSink | None, workers: int):
        self.lazy = lazy
        self.tokens = tokens
        self.workers = workers if fork_context() else 1
        self.wave = 2 * self.workers  # batches per wave: work for every worker while we store
        self._pool = None

    def submit(self, batches: list[list[Document]]) -> Callable[[], list]:
        """Start splitting the batches; the returned function gives each batch's spans per
        document and its token digest, waiting for the workers if need be."""
        items = [[(d.text, d.source_kind) for d in todo] for todo in batches]
        if not any(items):
            return lambda: [([], None) for _ in items]
        segmenter = self.lazy.segmenter
        if self.workers <= 1 or sum(1 for batch in items if batch) < 2:
            return lambda: [_segment(segmenter, self.tokens, batch) for batch in items]
        if self._pool is None:
            self._pool = forked_pool(self.workers, "split", (segmenter, self.tokens))
        return self._pool.map_async(_segment_forked, items, chunksize=1).get

    def __enter__(self) -> "_Splitter":
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


def _segment_forked(items: list[tuple[str, str]]) -> tuple[list[list[Span]], object]:
    return _segment(*inherited("split"), items)


def _segment(
    segmenter: Segmenter, tokens: TokenSink | None, items: list[tuple[str, str]]
) -> tuple[list[list[Span]], object]:
    """Each document's spans and, if a sink takes them, the digest of the batch's tokens."""
    segmented = list(segmenter.segment_many(items))
    wanted = tokens is not None and segmenter.tokens and segmented
    digest = tokens.digest(segmented) if wanted else None
    return [s.spans for s in segmented], digest


def _unsplit(store: Store, documents: list[Document], tag: str) -> list[Document]:
    """The documents that have no passages under the tag yet."""
    ids = [d.id for d in documents]
    marks = ",".join("?" * len(ids))
    done = {
        row[0]
        for row in store.read(
            f"SELECT DISTINCT document_id FROM passages WHERE segmenter = ? AND document_id IN ({marks})",
            (tag, *ids),
        )
    }
    return [d for d in documents if d.id not in done]


def _store_batch(
    store: Store,
    todo: list[Document],
    segmented: tuple[list[list[Span]], object],
    tag: str,
    counts: dict[str, int],
    tokens: TokenSink | None,
) -> None:
    if not todo:
        return
    spans_of, digest = segmented
    rows = []
    for document, spans in zip(todo, spans_of, strict=True):
        for span in spans:
            rows.append(
                (
                    document.id,
                    tag,
                    span.unit,
                    span.seq,
                    span.parent_seq,
                    span.char_start,
                    span.char_end,
                )
            )
            counts["sentences"] += span.unit == "sentence"
        counts["split"] += 1
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO passages (document_id, segmenter, unit, seq, parent_seq, char_start, "
            "char_end) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        if tokens is not None and digest is not None:
            tokens.save(conn, todo, digest)


def split_new_documents(
    store: Store,
    *,
    include_duplicates: bool = False,
    progress: Progress = SILENT,
    tokens: TokenSink | None = None,
    workers: int = 1,
) -> dict[str, int]:
    """Split the documents analysis reads that have no passages yet; others are not read.

    `tokens` receives the new sentences' tokens, `workers` processes split (see
    ensure_passages).
    """
    # NOT EXISTS walks the passages index per document; NOT IN would list every passage
    unsplit = (
        "NOT EXISTS (SELECT 1 FROM passages p WHERE p.document_id = documents.id "
        "AND p.segmenter = ?)"
    )
    total = store.read(
        f"SELECT count(*) FROM documents WHERE is_latest = 1 AND {unsplit}"
        + ("" if include_duplicates else " AND duplicate_of IS NULL"),
        (SEGMENTER,),
    )[0][0]
    documents = store.iter_documents(
        include_duplicates=include_duplicates, where=unsplit, params=(SEGMENTER,)
    )
    return ensure_passages(
        store, documents, progress=progress, total=total, tokens=tokens, workers=workers
    )
