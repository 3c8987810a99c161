"""Whole crawls through the engine with the tiny test adapter, against a local server."""

import gzip
import json
import sys

import linkadapter  # noqa: F401  (registers the "test-links" adapter)
import pytest
from crawlkit import article, listing, write_sources
from faultserver import Reply, server_fixture  # noqa: F401  (the `server` fixture)

from discourse.collect.archive import read_exchange
from discourse.collect.crawl import crawl
from discourse.collect.frontier import failures, skips
from discourse.config import SourcesFile, load
from discourse.store import Store

ARTICLES = 12


def build_site(server, articles: int = ARTICLES, per_listing: int = 5, etag: bool = False) -> None:
    """Listings /list/1.. chained by 'older' links, each linking `per_listing` articles."""
    listings = (articles + per_listing - 1) // per_listing
    for page in range(1, listings + 1):
        first = (page - 1) * per_listing + 1
        hrefs = [f"/a/{n}" for n in range(first, min(first + per_listing, articles + 1))]
        nxt = f"/list/{page + 1}" if page < listings else None
        body = listing(hrefs, nxt)
        headers = {"ETag": f'"list-{page}"'} if etag else {}
        server.route(
            f"/list/{page}",
            Reply(body=body, headers=headers, not_modified_if=headers.get("ETag")),
        )
    for n in range(1, articles + 1):
        headers = {"ETag": f'"a-{n}"'} if etag else {}
        server.route(
            f"/a/{n}",
            Reply(
                body=article(n, date=f"2011-03-{n:02d}"),
                headers=headers,
                not_modified_if=headers.get("ETag"),
            ),
        )


def run(store, path, **kwargs):
    return crawl(store, load(path, SourcesFile), path, **kwargs)


def stored(store) -> dict[str, str]:
    return {d.url: d.text for d in store.iter_documents(include_duplicates=True)}


def test_crawl_stores_every_article_with_its_archive_record(server, tmp_path, store):
    build_site(server)
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/list/1")])
    report = run(store, path)
    documents = list(store.iter_documents())
    assert sorted(d.url for d in documents) == sorted(
        server.url(f"/a/{n}") for n in range(1, ARTICLES + 1)
    )
    site = report.sources["site"]
    assert (site.fetched, site.documents["added"], site.failed, site.left) == (15, 12, 0, 0)
    assert site.skipped == 3  # the listings have no paragraphs
    one = next(d for d in documents if d.url == server.url("/a/3"))
    assert one.text.startswith("Article 3 asks whether volunteers in ward 3")
    assert (one.published_at, one.date_precision, one.title) == ("2011-03-03", "day", "Article 3")
    assert one.canonical_url == server.url("/a/3")
    assert one.run_id == report.run_id
    exchange = read_exchange(tmp_path / "archive" / one.warc_file, one.warc_offset)
    assert exchange.url == server.url("/a/3")
    assert exchange.body.decode() == article(3, date="2011-03-03")
    assert one.retrieved_at == exchange.fetched_at
    assert report.archive_files == [one.warc_file]
    with gzip.open(tmp_path / "archive" / one.warc_file, "rb") as handle:
        head = handle.read(2000).decode("utf-8", "replace")
    assert "WARC-Type: warcinfo" in head and "discourse-config-hash: " in head
    runs = store.list_runs("collect")
    assert runs[-1]["summary"]["sources"]["site"]["documents"] == {"added": 12}


def test_failures_skips_and_scope_are_recorded_with_reasons(server, tmp_path, store):
    links = ("/missing", "/broken", "/empty", "http://elsewhere.invalid/x", "mailto:a@b.org")
    server.route("/start", article(0, links=links))
    server.route("/broken", Reply(503, "down"))
    server.route("/empty", "<div>no paragraphs here</div>")
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/start")])
    report = run(store, path)
    site = report.sources["site"]
    assert (site.failed, site.skipped, site.out_of_scope) == (2, 1, 2)
    failed = {row["url"]: row for row in failures(store)}
    assert failed[server.url("/missing")]["reason"] == "HTTP 404"
    assert failed[server.url("/missing")]["retryable"] == 0
    assert failed[server.url("/broken")]["reason"] == "HTTP 503"
    assert failed[server.url("/broken")]["retryable"] == 1
    assert failed[server.url("/broken")]["attempts"] == 2  # retries = 1
    reasons = {row["url"]: row["reason"] for row in skips(store)}
    assert reasons[server.url("/empty")] == "no paragraphs"
    assert reasons["http://elsewhere.invalid/x"].startswith(
        "out of scope: host elsewhere.invalid is not among the source's allowed hosts (127.0.0.1)"
    )
    assert reasons["mailto:a@b.org"] == "out of scope: not an http(s) URL (scheme 'mailto')"
    assert "elsewhere.invalid" not in {h.host for h in server.hits()}


def test_allowed_hosts_extend_the_scope(server, tmp_path, store):
    mirror = "mirror.test.invalid"
    server.route("/start", article(0, links=(f"http://{mirror}:{server.port}/copy",)))
    server.route("/copy", article(1), host=mirror)
    path = write_sources(
        tmp_path / "sources.toml",
        start=[server.url("/start")],
        fetch=f'resolve = {{ "{mirror}" = "{server.address}" }}',
        extra=f'allowed_hosts = ["{mirror}"]',
    )
    run(store, path)
    assert sorted(stored(store)) == sorted(
        [f"http://{mirror}:{server.port}/copy", server.url("/start")]
    )


def test_limit_stops_early_and_the_next_run_resumes_without_refetching(server, tmp_path, store):
    build_site(server)
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/list/1")])
    first = run(store, path, limit=4)
    assert first.sources["site"].stored == 4
    assert first.sources["site"].limited and first.sources["site"].left > 0
    before = set(stored(store))
    second = run(store, path)
    assert second.sources["site"].resumed
    assert len(stored(store)) == ARTICLES
    for url in before:
        path_only = url.split(str(server.port))[1]
        assert len(server.hits(path_only)) == 1, f"{url} was fetched again"
    assert all(d.version == 1 for d in store.iter_documents(all_versions=True))


def test_recrawl_revalidates_listings_and_leaves_fresh_articles_alone(server, tmp_path, store):
    build_site(server, etag=True)
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/list/1")])
    run(store, path)
    hits_before = len(server.hits())
    again = run(store, path)
    site = again.sources["site"]
    assert not site.resumed
    assert (site.fetched, site.not_modified, site.fresh) == (3, 3, 12)
    new_hits = [h for h in server.hits()[hits_before:] if h.path != "/robots.txt"]
    assert sorted(h.path for h in new_hits) == ["/list/1", "/list/2", "/list/3"]
    assert all(h.headers["If-None-Match"] == f'"list-{h.path[-1]}"' for h in new_hits)
    assert store.count_documents() == ARTICLES


def test_recrawl_after_the_revisit_window_refetches_articles_conditionally(server, tmp_path, store):
    build_site(server, articles=4, etag=True)
    path = write_sources(
        tmp_path / "sources.toml", start=[server.url("/list/1")], fetch="revisit_after_days = 0"
    )
    run(store, path)
    again = run(store, path)
    site = again.sources["site"]
    assert (site.fetched, site.not_modified, site.documents["unchanged"]) == (5, 5, 4)
    assert len(server.hits("/a/2")) == 2
    assert server.hits("/a/2")[1].headers["If-None-Match"] == '"a-2"'


def test_changed_article_becomes_a_new_version_on_recrawl(server, tmp_path, store):
    server.route("/start", article(1))
    path = write_sources(
        tmp_path / "sources.toml", start=[server.url("/start")], fetch="revisit_after_days = 0"
    )
    run(store, path)
    server.route("/start", article(1) + "<p>Update: the library reopened.</p>")
    report = run(store, path)
    assert report.sources["site"].documents == {"new_version": 1}
    versions = list(store.iter_documents(all_versions=True))
    assert [(d.version, d.is_latest) for d in versions] == [(1, False), (2, True)]


def test_adapter_errors_fail_the_request_not_the_crawl(server, tmp_path, store):
    server.route("/start", article(0, links=("/bad",)))
    server.route("/bad", Reply(body=b"\x00\x01", content_type="application/octet-stream"))
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/start")])
    report = run(store, path)
    assert report.sources["site"].documents == {"added": 1}
    (failure,) = failures(store)
    assert failure["url"] == server.url("/bad")
    assert failure["reason"].startswith("adapter test-links raised ")


def test_duplicates_across_pages_are_linked_after_the_crawl(server, tmp_path, store):
    release = " ".join(f"word{i}" for i in range(80))
    server.route("/start", article(0, links=("/r1", "/r2", "/r3")))
    server.route("/r1", f'<meta name="date" content="2012-01-05"><p>{release}</p>')
    server.route("/r2", f'<meta name="date" content="2012-01-03"><p>{release} Ends.</p>')
    server.route("/r3", f"<p>{release}</p><p>Share this page</p>")
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/start")])
    report = run(store, path)
    assert (report.dedup.near, report.dedup.groups) == (2, 1)
    kept = {d.url for d in store.iter_documents()}
    assert kept == {server.url("/start"), server.url("/r2")}  # earliest published is canonical


def test_replay_reproduces_identical_rows_without_a_socket(server, tmp_path, store):
    build_site(server)
    server.route("/list/1", listing(["/a/1", "/a/2", "/a/3", "/a/4", "/a/5"], "/list/2"))
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/list/1")])
    run(store, path)
    server_hits = len(server.hits())
    events = []
    watching = [True]

    def audit(event, args):
        if watching[0] and event.startswith("socket."):
            events.append(event)

    sys.addaudithook(audit)  # hooks cannot be removed: `watching` switches it off
    try:
        with Store.open(tmp_path / "replayed.sqlite") as fresh:
            report = run(fresh, path, replay=tmp_path / "archive")
            replayed = _rows(fresh)
    finally:
        watching[0] = False
    assert events == []
    assert len(server.hits()) == server_hits
    assert report.mode == "replay" and report.sources["site"].missing == 0
    assert replayed == _rows(store)
    again = run(store, path, replay=tmp_path / "archive")
    assert again.sources["site"].documents == {"unchanged": ARTICLES}


def test_replay_handles_responses_in_request_order_so_repeats_are_identical(
    server, tmp_path, store
):
    """Several archived responses are read at once; which finishes first must not decide
    the order documents are stored in (or which of two listings claims an item)."""
    build_site(server, articles=20, per_listing=10)
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/list/1")])
    run(store, path)
    orders = []
    for attempt in range(3):
        with Store.open(tmp_path / f"replay-{attempt}.sqlite") as fresh:
            run(fresh, path, replay=tmp_path / "archive")
            orders.append(
                [(r["id"], r["url"]) for r in fresh.read("SELECT id, url FROM documents")]
            )
    assert len(orders[0]) == 20
    assert orders[1] == orders[0] and orders[2] == orders[0]
    handled = [url for _, url in orders[0]]
    assert handled[:10] == [server.url(f"/a/{n}") for n in range(1, 11)]


def _rows(store) -> list[tuple]:
    """Document rows without what differs by store or run (ids, run, time of insertion)."""
    ignored = {"id", "source_id", "run_id", "added_at"}
    rows = store.read("SELECT * FROM documents ORDER BY canonical_url, version")
    return [tuple((k, row[k]) for k in row.keys() if k not in ignored) for row in rows]  # noqa: SIM118


def test_replay_reports_requests_missing_from_the_archive(server, tmp_path, store):
    build_site(server, articles=3)
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/list/1")])
    run(store, path)
    wider = write_sources(
        tmp_path / "wider.toml", start=[server.url("/list/1"), server.url("/never-fetched")]
    )
    report = run(store, wider, replay=tmp_path / "archive")
    site = report.sources["site"]
    assert (site.missing, site.missing_urls) == (1, [server.url("/never-fetched")])
    assert site.documents == {"unchanged": 3}
    reasons = {row["url"]: row["reason"] for row in failures(store, mode="replay")}
    assert reasons == {
        server.url("/never-fetched"): f"not in the archive: {server.url('/never-fetched')}"
    }


def test_replay_survives_a_truncated_warc(server, tmp_path, store):
    build_site(server, articles=5)
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/list/1")])
    run(store, path)
    (warc,) = (tmp_path / "archive").glob("*.warc.gz")
    last = max(d.warc_offset for d in store.iter_documents())
    last_url = next(d.url for d in store.iter_documents() if d.warc_offset == last)
    data = warc.read_bytes()
    warc.write_bytes(data[: last + 300])  # cut inside the last article's response record
    with Store.open(tmp_path / "replayed.sqlite") as fresh:
        report = run(fresh, path, replay=warc)
        assert len(report.archive_problems) == 1
        assert "damaged or truncated" in report.archive_problems[0]
        site = report.sources["site"]
        assert site.missing_urls == [last_url]
        assert len(stored(fresh)) == 4


@pytest.mark.parametrize(
    "config, message",
    [
        ("", "sources.toml: no [sources.NAME] tables, so there is nothing to collect"),
    ],
)
def test_no_sources_configured_is_a_usage_error(tmp_path, run_cli, config, message):
    path = tmp_path / "sources.toml"
    path.write_text('[project]\nname = "s"\ncontact = "a@b.org"\n' + config)
    result = run_cli("--db", tmp_path / "store.sqlite", "corpus", "--config", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path}/{message}")
    assert "README: Adding a source" in result.stderr
    assert not (tmp_path / "store.sqlite").exists()


def test_cli_crawl_summary_and_status_failures(server, tmp_path, run_cli):
    server.route("/start", article(0, links=("/gone",)))
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/start")])
    db = tmp_path / "store.sqlite"
    result = run_cli("--db", db, "corpus", "--config", path)
    assert result.exit_code == 0, result.stderr
    assert "collected in" in result.stderr
    assert "1 failed request(s): `discourse status --failures` lists them all" in result.stderr
    listed = run_cli("--db", db, "status", "--failures", "--json")
    assert listed.exit_code == 0
    assert '"reason": "HTTP 404"' in listed.stdout
    assert server.url("/gone") in listed.stdout
    overview = run_cli("--db", db, "status")
    assert "crawl: 1 failed URLs (discourse status --failures), 0 skipped items" in overview.stderr
    unknown = run_cli("--db", db, "corpus", "--config", path, "--source", "nope")
    assert unknown.exit_code == 2
    assert "no source named 'nope' (sources in this file: site)" in unknown.stderr


def test_status_lists_what_a_replay_skipped_and_failed_with_its_run(server, tmp_path, run_cli):
    build_site(server, articles=3)
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/list/1")])
    assert run_cli("--db", tmp_path / "live.sqlite", "corpus", "--config", path).exit_code == 0
    wider = write_sources(
        tmp_path / "wider.toml", start=[server.url("/list/1"), server.url("/never-fetched")]
    )
    db = tmp_path / "replayed.sqlite"
    for _ in range(2):  # a replay starts from scratch: the second replaces the first's rows
        replay = run_cli("--db", db, "corpus", "--config", wider, "--replay", tmp_path / "archive")
        assert replay.exit_code == 0, replay.stderr
    with Store.open(db, readonly=True) as opened:  # the second replay's run
        run = opened.read("SELECT id FROM runs ORDER BY rowid DESC LIMIT 1")[0][0]
    listed = json.loads(run_cli("--db", db, "status", "--skipped", "--failures", "--json").stdout)
    assert [(r["mode"], r["url"], r["reason"], r["run_id"]) for r in listed["skipped"]] == [
        ("replay", server.url("/list/1"), "no paragraphs", run)
    ]
    assert [(r["mode"], r["url"], r["run_id"]) for r in listed["failures"]] == [
        ("replay", server.url("/never-fetched"), run)
    ]
    table = run_cli("--db", db, "status", "--skipped")
    assert f"{run} (replay)" in table.stderr.replace("\n", "")
    overview = run_cli("--db", db, "status")
    assert "crawl: 1 failed URLs (discourse status --failures), 1 skipped items" in overview.stderr


def test_an_unwritable_archive_stops_the_crawl_and_keeps_the_queue(server, tmp_path, run_cli):
    server.route("/start", article(0))
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/start")])
    (tmp_path / "archive").write_text("a file where the archive folder should be")
    db = tmp_path / "store.sqlite"
    result = run_cli("--db", db, "corpus", "--config", path)
    assert result.exit_code == 1
    assert f"\nerror: {tmp_path}/archive: cannot write the WARC archive" in result.stderr
    (tmp_path / "archive").unlink()
    assert run_cli("--db", db, "corpus", "--config", path).exit_code == 0
    with Store.open(db) as store:
        assert list(stored(store)) == [server.url("/start")]
        assert sorted(r["status"] for r in store.list_runs("collect")) == ["failed", "ok"]


class RecordingProgress:
    """A Progress that remembers each task's final total, advance and description."""

    def __init__(self):
        self.tasks = {}

    def task(self, description, total=None):
        record = self.tasks.setdefault(description, {"total": total, "done": 0, "text": ""})

        class Task:
            def advance(self, n=1):
                record["done"] += n

            def update(self, *, total=None, description=None):
                if total is not None:
                    record["total"] = total
                if description is not None:
                    record["text"] = description

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return None

        return Task()


def test_progress_bar_ends_full_on_crawls_and_recrawls(server, tmp_path, store):
    build_site(server, etag=True)
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/list/1")])
    # a crawl, then a re-crawl where the 12 articles are fresh: both bars end at 15 of 15
    for stored_now in (12, 0):
        progress = RecordingProgress()
        run(store, path, progress=progress)
        bar = progress.tasks["site"]
        assert (bar["done"], bar["total"]) == (15, 15)
        assert bar["text"] == f"site: {stored_now} documents · 0 failed"
