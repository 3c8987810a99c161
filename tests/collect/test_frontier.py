"""The frontier's states and epochs, on a real store."""

import pytest

from discourse.collect.frontier import Frontier, failures, skips
from discourse.collect.model import Request
from discourse.collect.urls import canonicalize


def frontier(store, **kwargs) -> Frontier:
    return Frontier(store, canonical=canonicalize, **kwargs)


def settle(queue, item, found_requests=0):
    queue.done(
        item,
        status=200,
        attempts=1,
        headers={"etag": '"e1"'},
        warc_file="a.warc.gz",
        warc_offset=10,
        found_requests=found_requests,
        found_documents=1,
    )


def test_requests_are_keyed_by_handler_and_canonical_url(store):
    queue = frontier(store)
    queue.begin("s")
    assert queue.add("s", Request("http://x.org/a?utm_source=t", "page")) == "queued"
    assert queue.add("s", Request("HTTP://X.org:80/a#top", "page")) == "known"
    assert queue.add("s", Request("http://x.org/a", "feed")) == "queued"
    assert queue.pending_by_host("s") == {"x.org": 2}


def test_an_item_already_held_is_a_recorded_duplicate_a_listing_is_not(store):
    queue = frontier(store)
    queue.begin("s")
    item = Request("http://x.org/post", "page", listed_by="feed http://x.org/a.xml")
    assert queue.add("s", item) == "queued"
    again = Request("http://x.org/post#more", "page", listed_by="feed http://x.org/b.xml")
    assert queue.add("s", again) == "duplicate"
    assert queue.add("s", Request("http://x.org/list?page=2", "listing")) == "queued"
    assert queue.add("s", Request("http://x.org/list?page=2", "listing")) == "known"
    assert [(r["url"], r["reason"]) for r in skips(store)] == [
        ("http://x.org/post#more", "duplicate: already listed by feed http://x.org/a.xml")
    ]
    (taken, _) = queue.take("s", "x.org", count=2)
    assert taken.request == item  # where it was listed survives a restart with the row


def test_what_absence_means_survives_in_the_frontier(store):
    queue = frontier(store)
    queue.begin("s")
    guess = Request("http://x.org/2010-06-05.xml", "day", {"d": 5}, absent="no sitting")
    queue.add("s", guess)
    assert frontier(store).begin("s").resumed
    assert queue.take("s", "x.org")[0].request == guess


def test_take_follows_priority_then_discovery_order(store):
    queue = frontier(store)
    queue.begin("s")
    for url, priority in (("http://x.org/1", 0), ("http://x.org/2", 5), ("http://x.org/3", 0)):
        queue.add("s", Request(url, "page", {"n": url[-1]}, priority))
    taken = queue.take("s", "x.org", count=2) + queue.take("s", "x.org", count=5)
    assert [t.url for t in taken] == ["http://x.org/2", "http://x.org/1", "http://x.org/3"]
    assert queue.take("s", "x.org") == []
    assert taken[0].request == Request("http://x.org/2", "page", {"n": "2"}, 5)
    assert queue.counts("s") == {"pending": 0, "in_flight": 3, "done": 0, "failed": 0}


def test_resume_requeues_in_flight_and_transient_failures_only(store):
    queue = frontier(store, max_attempts=3)
    queue.begin("s")
    for n in range(4):
        queue.add("s", Request(f"http://x.org/{n}", "page"))
    done, transient, final, flying = queue.take("s", "x.org", count=4)
    settle(queue, done)
    queue.fail(transient, "HTTP 503", retryable=True, attempts=2)
    queue.fail(final, "HTTP 404", retryable=False, attempts=1)
    again = frontier(store, max_attempts=3)
    begun = again.begin("s")
    assert (begun.epoch, begun.resumed, begun.requeued) == (1, True, 2)
    assert again.counts("s") == {"pending": 2, "in_flight": 0, "done": 1, "failed": 1}
    assert {r["url"]: r["reason"] for r in failures(store)} == {"http://x.org/2": "HTTP 404"}
    retried = again.take("s", "x.org")[0]
    again.fail(retried, "HTTP 503", retryable=True, attempts=2)  # 4 attempts: given up
    assert retried.url == transient.url
    third = frontier(store, max_attempts=3)
    assert third.begin("s").requeued == 0  # 2 + 2 attempts: the transient failure is final
    assert third.counts("s") == {"pending": 1, "in_flight": 0, "done": 1, "failed": 2}
    assert third.take("s", "x.org")[0].url == flying.url


def test_new_epoch_revisits_listings_and_keeps_fresh_leaves(store):
    queue = frontier(store, revisit_after_days=30)
    queue.begin("s")
    queue.add("s", Request("http://x.org/list", "listing"))
    queue.add("s", Request("http://x.org/item", "item"))
    settle(queue, queue.take("s", "x.org")[0], found_requests=1)
    settle(queue, queue.take("s", "x.org")[0], found_requests=0)
    assert queue.finish("s")
    recrawl = frontier(store, revisit_after_days=30)
    begun = recrawl.begin("s")
    assert (begun.epoch, begun.resumed) == (2, False)
    assert recrawl.add("s", Request("http://x.org/list", "listing")) == "queued"
    assert recrawl.add("s", Request("http://x.org/item", "item")) == "fresh"
    listing = recrawl.take("s", "x.org")[0]
    assert (listing.url, listing.etag, listing.warc_file, listing.warc_offset) == (
        "http://x.org/list",
        '"e1"',
        "a.warc.gz",
        10,
    )
    assert recrawl.take("s", "x.org") == []


def test_unfinished_epoch_is_not_closed(store):
    queue = frontier(store)
    queue.begin("s")
    queue.add("s", Request("http://x.org/1", "page"))
    assert not queue.finish("s")
    assert frontier(store).begin("s").resumed


def test_replay_always_starts_afresh(store):
    queue = frontier(store, mode="replay")
    queue.begin("s")
    queue.add("s", Request("http://x.org/1", "page"))
    settle(queue, queue.take("s", "x.org")[0])
    again = frontier(store, mode="replay")
    assert again.begin("s").epoch == 1
    assert again.add("s", Request("http://x.org/1", "page")) == "queued"
    assert frontier(store).begin("s").epoch == 1  # the live crawl is separate


def test_skips_keep_the_latest_reason(store):
    queue = frontier(store)
    queue.begin("s")
    queue.skip("s", "http://x.org/fr", "not English")
    queue.skip("s", "http://x.org/fr", "withdrawn")
    assert [(r["url"], r["reason"]) for r in skips(store)] == [("http://x.org/fr", "withdrawn")]


def test_unknown_mode_is_refused(store):
    with pytest.raises(ValueError, match="mode must be one of"):
        frontier(store, mode="dry-run")


def test_reasons_are_recorded_on_one_line(store):
    """Parsers' messages carry line breaks; a reason is one line in every listing."""
    queue = frontier(store)
    queue.begin("s")
    queue.add("s", Request("http://x.org/day.xml", "day"))
    (item,) = queue.take("s", "x.org")
    queue.fail(item, "not well-formed XML: Char 0x0\n, line 16", retryable=False, attempts=1)
    queue.skip("s", "http://x.org/p", "extraction failed:\n  corrupt\tPDF ")
    assert [r["reason"] for r in failures(store)] == ["not well-formed XML: Char 0x0 , line 16"]
    assert [r["reason"] for r in skips(store)] == ["extraction failed: corrupt PDF"]
