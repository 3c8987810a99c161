"""Duplicate documents: the same press release on three sites counts once.

Exact duplicates share a text hash. Near duplicates (the same text with a different
headline, footer or a corrected typo) are found with MinHash over word shingles: each text
becomes the set of its `shingle_words`-word sequences, and two texts are near duplicates
when the Jaccard similarity of those sets reaches `dedup.threshold`. Locality-sensitive
hashing (banding the MinHash signature) proposes candidate pairs without comparing every
pair; the bands are chosen so a pair at the threshold is proposed with probability ≥ 0.99,
and every candidate is then checked with the exact Jaccard similarity, so nothing below the
threshold is ever linked.

Linked documents form groups; each group keeps one canonical document, chosen the same way
every time: the earliest published (undated last), then the lowest id. The others stay
stored with `duplicate_of` pointing at it (so analysis, which reads
`duplicate_of IS NULL`, counts the text once) and a row in `duplicates` saying how they
matched (exact / near) and how similar they are to the canonical one. The whole store is
re-grouped on each run from signatures kept in `dedup_signatures` (computed once per
document), so a newly found earlier copy takes over as canonical and links it no longer
supports are undone. Marks made by hand (without a `duplicates` row) are left alone.
"""

import re
import zlib
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from discourse.config import DedupSection
from discourse.dates import utc_now
from discourse.progress import SILENT, Progress
from discourse.store import Store

NUM_PERM = 128
_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20100519)  # fixed: signatures must not change between runs
_A = _rng.integers(1, 1 << 32, NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, 1 << 32, NUM_PERM, dtype=np.uint64)
_WORD = re.compile(r"\w+")
_BATCH = 500


@dataclass
class DedupReport:
    documents: int = 0  # latest documents looked at
    signatures: int = 0  # signatures computed in this run
    candidates: int = 0  # pairs proposed by LSH and checked exactly
    exact: int = 0  # documents marked as exact duplicates
    near: int = 0  # documents marked as near duplicates
    groups: int = 0  # groups with more than one document
    unmarked: int = 0  # earlier marks no longer supported, removed


def shingles(text: str, width: int) -> set[int]:
    """Hashes of the text's `width`-word sequences (lower-cased words; the whole text when
    it is shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) <= width:
        return {zlib.crc32(" ".join(words).encode("utf-8"))}
    return {
        zlib.crc32(" ".join(words[i : i + width]).encode("utf-8"))
        for i in range(len(words) - width + 1)
    }


def minhash(hashes: set[int]) -> np.ndarray:
    """The MinHash signature (NUM_PERM uint32 values) of a set of shingle hashes."""
    values = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))
    permuted = (np.outer(values, _A) + _B) % _PRIME
    return (permuted.min(axis=0) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def jaccard(a: set[int], b: set[int]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def bands_for(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows): the most selective banding that still proposes a pair of similarity
    `threshold` with probability ≥ 0.99."""
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= 0.99:
            best = (bands, rows)
    return best


def scheme(settings: DedupSection) -> str:
    """Names what a stored signature depends on; signatures of another scheme are redone."""
    return f"minhash{NUM_PERM}-w{settings.shingle_words}-crc32-v1"


class _Groups:
    """Union-find over document ids."""

    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = self.parent.setdefault(x, x)
        while root != self.parent[root]:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class _ShingleCache:
    """Shingle sets of recently compared documents, read from the store on demand."""

    def __init__(self, store: Store, width: int, size: int = 2000):
        self.store = store
        self.width = width
        self.size = size
        self._cache: OrderedDict[int, set[int]] = OrderedDict()

    def __getitem__(self, document_id: int) -> set[int]:
        if document_id in self._cache:
            self._cache.move_to_end(document_id)
            return self._cache[document_id]
        text = self.store.read("SELECT text FROM documents WHERE id = ?", (document_id,))[0][0]
        value = shingles(text, self.width)
        self._cache[document_id] = value
        if len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return value


def deduplicate(
    store: Store,
    settings: DedupSection,
    *,
    run_id: str | None = None,
    progress: Progress = SILENT,
) -> DedupReport:
    """Group exact and near duplicates across the store's latest documents and mark them."""
    report = DedupReport()
    report.signatures = _update_signatures(store, settings, progress)
    documents = {
        row["id"]: (row["text_sha256"], row["published_at"], row["word_count"])
        for row in store.read(
            "SELECT id, text_sha256, published_at, word_count FROM documents WHERE is_latest = 1"
        )
    }
    report.documents = len(documents)
    groups = _Groups()
    by_hash: dict[str, int] = {}
    for document_id, (sha, _, _) in sorted(documents.items()):
        if sha in by_hash:
            groups.union(by_hash[sha], document_id)
        else:
            by_hash[sha] = document_id

    cache = _ShingleCache(store, settings.shingle_words)
    rejected: set[tuple[int, int]] = set()
    for members in _candidate_groups(store, settings):
        for j, other in enumerate(members):
            for candidate in members[:j]:
                pair = (candidate, other)
                if pair in rejected or groups.find(candidate) == groups.find(other):
                    continue
                report.candidates += 1
                if jaccard(cache[candidate], cache[other]) >= settings.threshold:
                    groups.union(candidate, other)
                else:
                    rejected.add(pair)

    members_of: dict[int, list[int]] = defaultdict(list)
    for document_id in documents:
        members_of[groups.find(document_id)].append(document_id)
    wanted: dict[int, tuple[int, str, float]] = {}
    for members in members_of.values():
        if len(members) < 2:
            continue
        report.groups += 1
        canonical = min(members, key=lambda i: _canonical_order(i, documents[i][1]))
        for member in members:
            if member == canonical:
                continue
            if documents[member][0] == documents[canonical][0]:
                wanted[member] = (canonical, "exact", 1.0)
            else:
                similarity = jaccard(cache[member], cache[canonical])
                wanted[member] = (canonical, "near", round(similarity, 6))
    report.exact = sum(1 for _, method, _ in wanted.values() if method == "exact")
    report.near = len(wanted) - report.exact
    report.unmarked = _apply(store, wanted, run_id)
    return report


def _candidate_groups(store: Store, settings: DedupSection) -> Iterator[list[int]]:
    """Ids (ascending) sharing a band of their MinHash signatures: candidate near duplicates.

    One band at a time over a (documents × NUM_PERM) array, so memory stays proportional
    to the number of documents, not documents × bands.
    """
    rows = store.read(
        "SELECT s.document_id, s.signature FROM dedup_signatures s "
        "JOIN documents d ON d.id = s.document_id "
        "WHERE d.is_latest = 1 AND s.scheme = ? AND d.word_count >= ? ORDER BY s.document_id",
        (scheme(settings), settings.min_words),
    )
    if len(rows) < 2:
        return
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    signatures = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.uint32)
    signatures = signatures.reshape(len(rows), NUM_PERM).astype(np.uint64)
    del rows
    bands, width = bands_for(settings.threshold)
    for band in range(bands):
        keys = np.zeros(len(ids), dtype=np.uint64)
        for column in signatures[:, band * width : (band + 1) * width].T:
            keys = (keys * np.uint64(1_000_003)) ^ column
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        ends = np.r_[starts[1:], len(ordered)]
        for begin, end in zip(starts, ends, strict=True):
            if end - begin > 1:
                yield sorted(int(i) for i in ids[order[begin:end]])


def _canonical_order(document_id: int, published_at: str | None) -> tuple:
    return (published_at is None, published_at or "", document_id)


def _update_signatures(store: Store, settings: DedupSection, progress: Progress) -> int:
    """Compute the signatures missing for latest documents long enough to compare."""
    current = scheme(settings)
    with store.transaction() as conn:
        conn.execute(
            "DELETE FROM dedup_signatures WHERE scheme != ? OR document_id IN "
            "(SELECT id FROM documents WHERE is_latest = 0)",
            (current,),
        )
    missing = store.read(
        "SELECT count(*) FROM documents d LEFT JOIN dedup_signatures s ON s.document_id = d.id "
        "WHERE d.is_latest = 1 AND d.word_count >= ? AND s.document_id IS NULL",
        (settings.min_words,),
    )[0][0]
    if not missing:
        return 0
    computed = 0
    with progress.task("de-duplication: signatures", total=missing) as task:
        last_id = 0
        while True:
            rows = store.read(
                "SELECT d.id, d.text FROM documents d "
                "LEFT JOIN dedup_signatures s ON s.document_id = d.id "
                "WHERE d.is_latest = 1 AND d.word_count >= ? AND s.document_id IS NULL "
                "AND d.id > ? ORDER BY d.id LIMIT ?",
                (settings.min_words, last_id, _BATCH),
            )
            if not rows:
                break
            values = [
                (
                    row["id"],
                    current,
                    minhash(shingles(row["text"], settings.shingle_words)).tobytes(),
                )
                for row in rows
            ]
            with store.transaction() as conn:
                conn.executemany(
                    "INSERT INTO dedup_signatures (document_id, scheme, signature) VALUES (?, ?, ?)",
                    values,
                )
            computed += len(values)
            task.advance(len(values))
            last_id = rows[-1]["id"]
    return computed


def _apply(store: Store, wanted: dict[int, tuple[int, str, float]], run_id: str | None) -> int:
    """Make the marks match `wanted`; returns how many earlier marks were removed."""
    now = utc_now()
    with store.transaction() as conn:
        existing = {
            row["document_id"]: (row["duplicate_of"], row["method"], row["similarity"])
            for row in conn.execute(
                "SELECT x.document_id, x.duplicate_of, x.method, x.similarity FROM duplicates x "
                "JOIN documents d ON d.id = x.document_id"
            )
        }
        stale = [document_id for document_id in existing if document_id not in wanted]
        for document_id in stale:
            conn.execute("UPDATE documents SET duplicate_of = NULL WHERE id = ?", (document_id,))
            conn.execute("DELETE FROM duplicates WHERE document_id = ?", (document_id,))
        for document_id, (of, method, similarity) in sorted(wanted.items()):
            if existing.get(document_id) == (of, method, similarity):
                continue
            conn.execute("UPDATE documents SET duplicate_of = ? WHERE id = ?", (of, document_id))
            conn.execute(
                "INSERT INTO duplicates (document_id, duplicate_of, method, similarity, run_id, "
                "detected_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (document_id) DO UPDATE SET "
                "duplicate_of = excluded.duplicate_of, method = excluded.method, "
                "similarity = excluded.similarity, run_id = excluded.run_id, "
                "detected_at = excluded.detected_at",
                (document_id, of, method, similarity, run_id, now),
            )
    return len(stale)
