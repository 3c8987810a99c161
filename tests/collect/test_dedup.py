"""Exact and near-duplicate documents are linked to one canonical document, deterministically."""

import random

from conftest import make_document

from discourse.collect.dedup import bands_for, deduplicate, jaccard, shingles
from discourse.config import DedupSection

RNG = random.Random(7)
VOCABULARY = [f"w{i}" for i in range(3000)]


def prose(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCABULARY) for _ in range(n))


RELEASE = prose(300, 1)


def add(store, n, text, published_at="2012-01-05"):
    return store.add_document(make_document(n, text=text, published_at=published_at)).id


def duplicates(store) -> dict[int, tuple]:
    rows = store.read("SELECT document_id, duplicate_of, method, similarity FROM duplicates")
    return {r["document_id"]: (r["duplicate_of"], r["method"], r["similarity"]) for r in rows}


def test_press_release_on_three_sites_becomes_one_document(store):
    a = add(store, 1, RELEASE + " Notes to editors: call the press office.", "2012-01-05")
    b = add(store, 2, "For immediate release. " + RELEASE, "2012-01-04")
    c = add(store, 3, RELEASE, "2012-01-06")
    distinct = [add(store, 10 + i, prose(300, 100 + i)) for i in range(5)]
    report = deduplicate(store, DedupSection())
    assert (report.near, report.exact, report.groups) == (2, 0, 1)
    marked = duplicates(store)
    assert set(marked) == {a, c}
    assert marked[a][:2] == (b, "near") and marked[c][:2] == (b, "near")
    assert 0.8 <= marked[a][2] < 1 and 0.8 <= marked[c][2] < 1
    assert [d.id for d in store.iter_documents()] == [b, *distinct]
    assert store.count_documents(include_duplicates=True) == 8  # kept, linked


def test_exact_duplicates_and_short_texts(store):
    a = add(store, 1, "Short notice: the library closes.", "2013-05-01")
    b = add(store, 2, "Short notice: the library closes.", None)
    c = add(store, 3, "Short notice: the library opens.", "2013-01-01")
    report = deduplicate(store, DedupSection())
    assert (report.exact, report.near) == (1, 0)
    assert duplicates(store) == {b: (a, "exact", 1.0)}  # undated comes after dated
    assert c in [d.id for d in store.iter_documents()]


def test_distinct_texts_on_one_topic_are_left_alone(store):
    shared = prose(40, 5)  # a shared boilerplate paragraph is not enough
    for n in range(6):
        add(store, n, shared + " " + prose(250, 200 + n))
    report = deduplicate(store, DedupSection())
    assert (report.exact, report.near, report.groups) == (0, 0, 0)
    assert duplicates(store) == {}


def test_canonical_choice_is_deterministic_and_follows_new_earlier_copies(store):
    a = add(store, 1, RELEASE, "2012-03-01")
    b = add(store, 2, RELEASE + " end", "2012-03-01")  # same date: lowest id wins
    deduplicate(store, DedupSection())
    assert duplicates(store) == {b: (a, "near", duplicates(store)[b][2])}
    earlier = add(store, 3, "Embargoed. " + RELEASE, "2012-02-28")
    report = deduplicate(store, DedupSection())
    marked = duplicates(store)
    assert {k: v[0] for k, v in marked.items()} == {a: earlier, b: earlier}
    assert report.signatures == 1  # only the new document needed a signature
    again = deduplicate(store, DedupSection())
    assert duplicates(store) == marked and again.signatures == 0


def test_marks_no_longer_supported_are_removed(store):
    a = add(store, 1, RELEASE)
    b = add(store, 2, RELEASE + " coda")
    deduplicate(store, DedupSection())
    assert b in duplicates(store)
    store.add_document(make_document(2, text=prose(300, 99)))  # b's page changed completely
    report = deduplicate(store, DedupSection())
    assert report.unmarked == 1
    assert duplicates(store) == {}
    assert {d.url for d in store.iter_documents()} == {
        store.get_document(a).url,
        make_document(2).url,
    }


def test_hand_made_marks_are_left_alone(store):
    a = add(store, 1, prose(100, 1))
    b = add(store, 2, prose(100, 2))
    store.mark_duplicate(b, a)
    deduplicate(store, DedupSection())
    assert store.get_document(b).duplicate_of == a


def test_threshold_is_configurable(store):
    a = add(store, 1, RELEASE)
    words = RELEASE.split()
    for i in range(0, 300, 30):
        words[i] = "changed"  # ten edits: Jaccard of 5-word shingles falls to about 0.7
    b = add(store, 2, " ".join(words))
    similarity = jaccard(shingles(RELEASE, 5), shingles(" ".join(words), 5))
    assert 0.6 < similarity < 0.8
    assert deduplicate(store, DedupSection(threshold=0.8)).near == 0
    assert deduplicate(store, DedupSection(threshold=0.6)).near == 1
    assert duplicates(store)[b][:2] == (a, "near")


def test_lsh_banding_finds_pairs_at_the_threshold():
    for threshold in (0.5, 0.8, 0.9):
        bands, rows = bands_for(threshold)
        assert bands * rows <= 128
        assert 1 - (1 - threshold**rows) ** bands >= 0.99
