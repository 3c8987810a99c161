"""Damaged and oversized WARC files: replay and the files adapter report the damage, use
every record before it, and leave the store intact."""

from hostilekit import (
    assert_intact,
    good_page,
    outcomes,
    pages_source,
    run,
    server_fixture,  # noqa: F401  (the `server` fixture)
    sources_file,
    warc_of,
)

from discourse.store import Store


def test_replay_of_a_warc_cut_mid_record_reports_it_and_goes_on(server, tmp_path):
    paths = ["/one", "/two", "/three"]
    for n, path in enumerate(paths):
        server.route(path, good_page(f"Page {n + 1}"))
    config = sources_file(tmp_path, pages_source([server.url(p) for p in paths]))
    live = tmp_path / "live"
    live.mkdir()
    run(live, config)
    (warc,) = (tmp_path / "archive").glob("*.warc.gz")
    with Store.open(live / "store.sqlite", readonly=True) as store:
        last = max(store.iter_documents(), key=lambda d: d.warc_offset)
    data = warc.read_bytes()
    warc.write_bytes(data[: last.warc_offset + 400])  # inside the last page's response record
    report = run(tmp_path, config, replay=warc)
    (problem,) = report.archive_problems
    assert problem.startswith(f"{warc}: damaged or truncated (ValueError: the record at offset")
    assert problem.endswith("is cut short); records before the damage are used")
    found = outcomes(tmp_path, mode="replay")
    assert found[last.url] == ("failed", f"not in the archive: {last.url}")
    assert sorted(title for state, title in found.values() if state == "stored") == sorted(
        {"Page 1", "Page 2", "Page 3"} - {last.title}
    )
    assert report.sources["pages"].missing_urls == [last.url]
    assert_intact(tmp_path)


def test_files_adapter_reads_a_truncated_warc_up_to_the_damage(tmp_path):
    pages = [
        (f"http://old.test.invalid/{n}", "text/html", good_page(f"Old page {n}").encode())
        for n in range(3)
    ]
    data = warc_of(pages)
    warc = tmp_path / "theirs.warc.gz"
    warc.write_bytes(data[: len(data) - 300])  # the last record loses its end
    source = f"""[sources.theirs]
adapter = "files"
warcs = ["{warc}"]
"""
    report = run(tmp_path, sources_file(tmp_path, source))
    found = outcomes(tmp_path)
    assert found[str(warc)][0] == "skipped"
    reason = found[str(warc)][1]
    assert reason.startswith("damaged or truncated WARC file (ValueError: ")
    assert reason.endswith("; the 2 records before the damage were read")
    assert {url: state for url, state in found.items() if url != str(warc)} == {
        "http://old.test.invalid/0": ("stored", "Old page 0"),
        "http://old.test.invalid/1": ("stored", "Old page 1"),
    }
    assert report.sources["theirs"].error is None
    assert_intact(tmp_path)


def test_replayed_records_are_capped_like_live_responses(tmp_path):
    """A WARC from elsewhere may hold bodies a live crawl would have refused."""
    big = ("http://old.test.invalid/big", "text/html", b"<p>" + b"x" * 300_000)
    small = ("http://old.test.invalid/small", "text/html", good_page("Small").encode())
    warc = tmp_path / "theirs.warc.gz"
    warc.write_bytes(warc_of([big, small]))
    config = sources_file(tmp_path, pages_source([big[0], small[0]]), fetch="max_bytes = 100_000")
    run(tmp_path, config, replay=warc)
    found = outcomes(tmp_path, mode="replay")
    assert found[big[0]] == (
        "failed",
        "response larger than fetch.max_bytes (100,000 bytes): aborted",
    )
    assert found[small[0]] == ("stored", "Small")
    assert_intact(tmp_path)
