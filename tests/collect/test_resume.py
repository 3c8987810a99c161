"""A crawl killed with SIGKILL at arbitrary moments resumes to exactly the expected corpus."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import linkadapter  # noqa: F401  (registers the "test-links" adapter in this process too)
import pytest
from faultserver import Reply, server_fixture  # noqa: F401  (the `server` fixture)
from kit import article, listing, write_sources

from discourse.collect.crawl import crawl
from discourse.config import SourcesFile, load
from discourse.store import Store

HERE = Path(__file__).parent
ARTICLES = 30
SCRIPT = (
    "import sys, linkadapter\n"
    "from discourse.cli import main\n"
    "main(['--db', sys.argv[1], '--quiet', 'corpus', '--config', sys.argv[2]])\n"
)


def start_crawl(db: Path, config: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(db), str(config)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def kill_after(process: subprocess.Popen, server, hits: int) -> None:
    deadline = time.monotonic() + 60
    while len(server.hits()) < hits:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the crawl did not get that far"
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def stored_urls(db: Path) -> list[str]:
    with Store.open(db, create=False) as store:
        return [d.url for d in store.iter_documents(all_versions=True, include_duplicates=True)]


@pytest.mark.slow
def test_sigkill_mid_crawl_then_resume_gives_exactly_the_corpus(server, tmp_path):
    pages = [f"/a/{n}" for n in range(1, ARTICLES + 1)]
    for start in range(0, ARTICLES, 10):
        nxt = f"/list/{start // 10 + 2}" if start + 10 < ARTICLES else None
        server.route(f"/list/{start // 10 + 1}", listing(pages[start : start + 10], nxt))
    for n, path in enumerate(pages, start=1):
        server.route(path, Reply(body=article(n), delay=0.03))
    config = write_sources(tmp_path / "sources.toml", start=[server.url("/list/1")])
    db = tmp_path / "store.sqlite"

    kills: list[tuple[int, list[str]]] = []  # (requests served so far, documents stored)
    for hits in (8, 22):  # two kills at different depths, each in a fresh process
        kill_after(start_crawl(db, config), server, len(server.hits()) + hits)
        kills.append((len(server.hits()), stored_urls(db)))
        assert len(kills[-1][1]) < ARTICLES  # killed mid-crawl, not after it
    assert kills[-1][1], "the second kill came before anything was stored"

    finished = start_crawl(db, config)
    assert finished.wait(timeout=120) == 0, finished.stderr.read().decode()

    expected = sorted(server.url(p) for p in pages)
    assert sorted(stored_urls(db)) == expected  # no duplicates, none missing, one version each
    for served, stored in kills:
        later = {hit.path for hit in server.hits()[served:]}
        for url in stored:
            path = url.split(str(server.port), 1)[1]
            assert path not in later, f"{path} was stored before a kill but fetched again"

    # the archive, truncated files and all, still replays to the same documents
    with Store.open(db, create=False) as store, Store.open(tmp_path / "replay.sqlite") as fresh:
        report = crawl(fresh, load(config, SourcesFile), config, replay=tmp_path / "archive")
        assert report.sources["site"].missing == 0
        columns = "url, text, retrieved_at, warc_file, warc_offset, version"
        query = f"SELECT {columns} FROM documents ORDER BY url"
        assert [tuple(r) for r in fresh.read(query)] == [tuple(r) for r in store.read(query)]
