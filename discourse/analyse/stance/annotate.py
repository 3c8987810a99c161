"""Active-learning annotation: label the sentences the model is least sure about.

Candidates are the sentences of the store that the analysis pipeline's relevance filter
passes (the same lexicon, context weight and threshold as `[relevance]` in analyse.toml), so
labels are drawn from the population the stance stage classifies: the analysis run's
sentence passages when the store has them, else the documents split into sentences here. They are ranked by the current model's uncertainty
(margin between its two most probable labels, smallest first), so each label teaches the
model most. Every label is appended to the annotation file at once, with the annotator and
time; sentences already in any annotation file of the model directory are never shown again,
so a session can stop at any point and resume later. The terminal belongs to the CLI: this
module takes a function that reads one key and one that shows text.
"""

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from discourse.analyse.relevance import LexiconScorer, load_lexicon
from discourse.analyse.stance.examples import Example, annotation_files, read_examples
from discourse.config import RelevanceSection
from discourse.store import Store
from discourse.vocabulary import STANCES

KEYS = {"s": "support", "k": "sceptical", "n": "neutral", "i": "irrelevant"}
SKIP, UNDO, QUIT = ("", " "), "u", "q"
# a sentence ends at . ! ? (before a capital, digit or £) or at a line break (headings, lists)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'’”)]*\s+(?=[\"'‘“(]?[A-Z0-9£])|\s*\n\s*")


@dataclass(frozen=True)
class Candidate:
    id: str  # stable across stores: document text hash + character offsets
    document_id: int
    text: str
    context_before: str
    context_after: str


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of sentences (a plain splitter for stores without sentence passages)."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


RelevanceFilter = Callable[[list[str], list[str], list[str]], np.ndarray]


def relevance_filter(config: RelevanceSection | None = None) -> RelevanceFilter:
    """The pipeline's lexicon relevance test (texts, before, after → bool per sentence)."""
    config = config or RelevanceSection()
    scorer = LexiconScorer(load_lexicon(config.lexicon), config.context_weight)
    return lambda texts, before, after: scorer.score(texts, before, after) >= config.threshold


def candidates_from_store(
    store: Store, *, relevant: RelevanceFilter | None = None, max_documents: int | None = None
) -> list[Candidate]:
    """Relevant sentences of the latest, non-duplicate documents, in document order."""
    relevant = relevant or relevance_filter()
    sql = "SELECT id, text, text_sha256 FROM documents WHERE is_latest = 1 AND duplicate_of IS NULL ORDER BY id"
    documents = store.read(sql + (f" LIMIT {int(max_documents)}" if max_documents else ""))
    found = []
    for document in documents:
        text = document["text"]
        spans = [
            (row["char_start"], row["char_end"])
            for row in store.read(
                "SELECT char_start, char_end FROM passages WHERE document_id = ? AND unit = 'sentence' "
                "ORDER BY seq",
                (document["id"],),
            )
        ] or split_sentences(text)
        sentences = [text[a:b].strip() for a, b in spans]
        before = ["", *sentences[:-1]]
        after = [*sentences[1:], ""]
        keep = relevant(sentences, before, after)
        for i, (start, end) in enumerate(spans):
            if keep[i]:
                found.append(
                    Candidate(
                        id=f"doc:{document['text_sha256'][:16]}:{start}-{end}",
                        document_id=document["id"],
                        text=sentences[i],
                        context_before=before[i],
                        context_after=after[i],
                    )
                )
    return found


def by_uncertainty(
    model, candidates: list[Candidate], *, pool: int | None = None, seed: int = 0
) -> list[Candidate]:
    """Most uncertain first: smallest margin between the two most probable labels (ties keep
    document order, so the ranking is deterministic). With `pool`, only that many candidates,
    drawn at random (seeded), are scored: the MiniLM model labels tens of sentences a second,
    so scoring a whole corpus before the first question would keep the annotator waiting."""
    if not candidates:
        return []
    if pool is not None and len(candidates) > pool:
        keep = np.sort(np.random.default_rng(seed).choice(len(candidates), pool, replace=False))
        candidates = [candidates[i] for i in keep]
    probabilities = model.predict_proba(
        [c.text for c in candidates],
        [c.context_before for c in candidates],
        [c.context_after for c in candidates],
    )
    top_two = np.sort(probabilities, axis=1)[:, -2:]
    margin = top_two[:, 1] - top_two[:, 0]
    return [candidates[i] for i in np.argsort(margin, kind="stable")]


def labelled_ids(model_dir: Path, extra: Path | None = None) -> set[str]:
    """Ids (and texts, for files written without ids) already labelled in any annotation file."""
    paths = set(annotation_files(model_dir)) | (
        {Path(extra)} if extra and Path(extra).exists() else set()
    )
    done = set()
    for path in paths:
        for example in read_examples(path):
            done.add(example.id or text_key(example.text))
            done.add(text_key(example.text))
    return done


def text_key(text: str) -> str:
    return "text:" + hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


@dataclass
class Session:
    """Labels appended to one file; undo removes this session's last label from it."""

    path: Path
    annotator: str
    clock: Callable[[], str] = lambda: dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    _offsets: list[int] = field(default_factory=list)
    labelled: list[str] = field(default_factory=list)

    def add(self, candidate: Candidate, label: str) -> None:
        from discourse.analyse.stance.examples import append_examples

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._offsets.append(self.path.stat().st_size if self.path.exists() else 0)
        append_examples(
            self.path,
            [
                Example(
                    text=candidate.text,
                    label=label,
                    context_before=candidate.context_before,
                    context_after=candidate.context_after,
                    id=candidate.id,
                    annotator=self.annotator,
                    source="corpus",
                    annotated_at=self.clock(),
                    extra={"document_id": candidate.document_id},
                )
            ],
        )
        self.labelled.append(label)

    def undo(self) -> bool:
        if not self._offsets:
            return False
        with self.path.open("r+b") as handle:
            handle.truncate(self._offsets.pop())
        self.labelled.pop()
        return True


def run(
    queue: list[Candidate],
    session: Session,
    read_key: Callable[[], str],
    show: Callable[[str], None],
    *,
    limit: int | None = None,
) -> dict:
    """Show candidates one at a time until the queue, the limit or the annotator ends it.

    Keys: s support, k sceptical, n neutral, i irrelevant, Enter/space skip, u undo (goes
    back to the previous sentence), q quit; anything else is asked again. Returns counts.
    """
    position, skipped, shown = 0, 0, []
    while position < len(queue) and (limit is None or len(session.labelled) < limit):
        candidate = queue[position]
        show(_render(candidate, len(session.labelled), position, len(queue)))
        key = read_key()
        if key is None or key.lower() == QUIT:
            break
        key = key.lower()
        if key in KEYS:
            session.add(candidate, KEYS[key])
            shown.append(position)
            position += 1
        elif key in SKIP:
            skipped += 1
            position += 1
        elif key == UNDO:
            if session.undo():
                position = shown.pop()
                show("undone: the previous label was removed")
            else:
                show("nothing to undo in this session")
        else:
            show(f"unknown key {key!r}: " + _HELP)
    counts = {label: session.labelled.count(label) for label in STANCES}
    return {"labelled": len(session.labelled), "skipped": skipped, "by_label": counts}


_HELP = "s support · k sceptical · n neutral · i irrelevant · Enter skip · u undo · q quit"


def _render(candidate: Candidate, done: int, position: int, total: int) -> str:
    lines = [f"── {done} labelled this session · candidate {position + 1} of {total} ──"]
    if candidate.context_before:
        lines.append(f"  before: {candidate.context_before}")
    lines.append(f"» {candidate.text}")
    if candidate.context_after:
        lines.append(f"  after:  {candidate.context_after}")
    lines.append(_HELP)
    return "\n".join(lines)
