"""The offline sample: replayed through the real engine, crawled live from the fixture sites,
and checked for what it promises (synthetic, every adapter and actor, 2010–2015, a pattern
worth finding)."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from crawling import SAMPLE
from fixture_sites import local, people_json, phrases, sample_web, serve, writer

from discourse.collect.crawl import crawl
from discourse.collect.sources import ADAPTERS
from discourse.config import SourcesFile, load, read_toml, validate
from discourse.vocabulary import ACTOR_TYPES

CONFIG = SAMPLE / "sources.toml"
WARC = SAMPLE / "sample.warc.gz"


def run(store_path: Path, config: SourcesFile, **options):
    from discourse.store import Store

    with Store.open(store_path) as store:
        report = crawl(store, config, CONFIG, **options)
    return report


def rows(store_path: Path, sql: str, params=()):
    from discourse.store import Store

    with Store.open(store_path, readonly=True) as store:
        return [tuple(r) for r in store.read(sql, params)]


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    path = tmp_path_factory.mktemp("replay") / "demo.sqlite"
    report = run(path, load(CONFIG, SourcesFile), replay=WARC)
    return path, report


def test_replay_opens_no_socket_and_misses_nothing(replayed):
    _, report = replayed
    assert report.mode == "replay"
    assert {
        name: (r.failed, r.missing, r.error)
        for name, r in report.sources.items()
        if r.failed or r.error
    } == {}
    assert set(report.sources) == set(read_toml(CONFIG)["sources"])


def test_sample_covers_every_adapter_and_actor_type_with_enough_documents(replayed):
    path, _ = replayed
    documents = rows(
        path, "SELECT actor_type, published_at, url, extra FROM documents WHERE is_latest = 1"
    )
    assert len(documents) >= 150
    assert {a for a, *_ in documents} == set(ACTOR_TYPES)
    adapters = {
        a
        for (a,) in rows(
            path, "SELECT DISTINCT s.adapter FROM documents d JOIN sources s ON s.id = d.source_id"
        )
    }
    assert adapters == {
        n for n, a in ADAPTERS.items() if a.__module__.startswith("discourse.collect.sources.")
    }
    assert all(json.loads(extra).get("synthetic") is True for *_, extra in documents)
    assert all(published and "2010" <= published[:4] <= "2015" for _, published, _, _ in documents)
    hosts = {re.match(r"https?://([^/]+)/", url)[1] for _, _, url, _ in documents}
    assert all(host.endswith(".sample.invalid") for host in hosts), hosts


def test_sample_exercises_the_skips_a_real_crawl_meets(replayed):
    path, _ = replayed
    reasons = [r for (r,) in rows(path, "SELECT reason FROM crawl_skips")]
    for expected in (
        "language 'cy' is not one of en",
        "no text layer (scanned PDF?)",
        "encrypted PDF: a password is required to open it",
        "no keyword match",
        "empty text",
        "reports pack repeats the item reports (reports_packs = false)",
        "unsupported file type .md",
    ):
        assert expected in reasons, expected
    prefixes = Counter(r.split(":")[0].split(" ")[0] for r in reasons)
    assert prefixes["truncated"] == 1 and prefixes["duplicate"] >= 40 and prefixes["published"] >= 2


def test_the_republished_press_release_is_one_document_with_two_duplicates(replayed):
    path, _ = replayed
    group = rows(
        path,
        "SELECT d.url, c.url FROM documents d JOIN documents c ON c.id = d.duplicate_of "
        "WHERE c.url LIKE '%2-5-million-fund%'",
    )
    assert sorted(url for url, _ in group) == [
        "http://www.civilsocietyweekly.co.uk.sample.invalid/news/2011/02/15/fund-to-help-groups-take-over-buildings",
        "http://www.voluntaryaction.org.uk.sample.invalid/2011/02/14/press-release-fund-for-community-groups/",
    ]


def _template(text: str) -> re.Pattern:
    return re.compile(".+?".join(re.escape(part) for part in re.split(r"\{\w+\}", text)))


def test_the_sample_carries_the_pattern_analysis_should_find(replayed):
    """Scepticism rises among councils and charities after the 2010 spending review while
    central government stays supportive (counted with the pools the sample is written from)."""
    path, _ = replayed
    pools = {
        "support": [_template(t) for t in phrases.SUPPORT + phrases.COUNCIL_SUPPORT],
        "sceptical": [_template(t) for t in phrases.SCEPTICAL + phrases.COUNCIL_SCEPTICAL],
    }
    counts: Counter = Counter()
    for actor, published, text in rows(
        path, "SELECT actor_type, published_at, text FROM documents WHERE duplicate_of IS NULL"
    ):
        group = (
            "state"
            if actor == "central_government"
            else "local"
            if actor in ("local_government", "charity")
            else None
        )
        period = "2010" if published < "2011" else "2013-15" if published >= "2013" else None
        if group and period:
            for stance, patterns in pools.items():
                counts[group, period, stance] += sum(1 for p in patterns if p.search(text))

    def sceptical_share(group, period):
        return counts[group, period, "sceptical"] / (
            counts[group, period, "sceptical"] + counts[group, period, "support"]
        )

    assert sceptical_share("local", "2013-15") - sceptical_share("local", "2010") > 0.3
    assert sceptical_share("state", "2010") < 0.2 and sceptical_share("state", "2013-15") < 0.2


def test_committed_inputs_match_what_the_writer_produces(tmp_path):
    local.write_folder(tmp_path / "files")
    for written in sorted((tmp_path / "files").iterdir()):
        assert written.read_bytes() == (SAMPLE / "files" / written.name).read_bytes(), (
            f"corpus/sample/files/{written.name} is stale: run `make sample`"
        )
    local.write_foreign_warc(tmp_path / "news.warc.gz")
    assert (tmp_path / "news.warc.gz").read_bytes() == (
        SAMPLE / "warcs" / "news-crawl-2010-2014.warc.gz"
    ).read_bytes()
    assert json.loads((SAMPLE / "members.json").read_text()) == people_json(
        writer.hansard_members()
    )


@pytest.mark.slow
def test_live_crawl_of_the_fixture_sites_matches_the_committed_sample(tmp_path, replayed):
    """End to end through the real fetcher (resolve map to the local server): the committed
    WARC is what a crawl of today's fixture sites gives, document for document."""
    data = read_toml(CONFIG)
    with serve(sample_web()) as server:
        data["fetch"] = {**data["fetch"], "resolve": server.resolve}
        data["archive"] = {**data["archive"], "dir": str(tmp_path / "archive")}
        report = run(tmp_path / "live.sqlite", validate(data, SourcesFile, CONFIG))
        robots = [target for _, target in server.web.requests if target == "/robots.txt"]
    assert report.mode == "live" and not any(r.failed for r in report.sources.values())
    assert len(robots) == len(server.resolve)  # robots.txt read once per host
    query = "SELECT url, text_sha256, title, published_at, author, party, actor_type FROM documents ORDER BY url"
    live, replay = rows(tmp_path / "live.sqlite", query), rows(replayed[0], query)
    assert live == replay, "the sample WARC is stale: run `make sample`"
