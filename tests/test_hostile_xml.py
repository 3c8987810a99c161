"""Hostile XML through the real crawl: entity expansion ("billion laughs") and external
entities in Hansard debate files, sitemaps, feeds and XML inside WARC files never expand or
reach out; feeds with invalid dates keep their good entries."""

import pytest
from hostilekit import (
    Reply,
    assert_intact,
    billion_laughs,
    external_entity,
    outcomes,
    run,
    server_fixture,  # noqa: F401  (the `server` fixture)
    sources_file,
    warc_of,
)

from discourse.store import Store

SPEECH = (
    '<speech id="uk.org.publicwhip/debate/{day}a.10.1" speakername="Ann Able" colnum="10">'
    "<p>The Big Society needs volunteers in every town{extra}.</p></speech>"
)


def debate(day: str, extra: str = "") -> str:
    return (
        f'<publicwhip><major-heading id="uk.org.publicwhip/debate/{day}a.9.0">Big Society'
        f"</major-heading>{SPEECH.format(day=day, extra=extra)}</publicwhip>"
    )


def hansard_source(server) -> str:
    return f"""[sources.debates]
adapter = "hansard"
base_url = "{server.url("/xml/")}"
speech_url = "{server.url("/debates/?id={gid}")}"
chambers = ["commons"]
discovery = "dates"
since = "2010-06-07"
until = "2010-06-09"
keywords = ["big society"]
"""


def day_url(server, day: str) -> str:
    return server.url(f"/xml/debates/debates{day}a.xml")


def serve_day(server, day: str, body: bytes) -> None:
    server.route(f"/xml/debates/debates{day}a.xml", Reply(body=body, content_type="text/xml"))


def texts(tmp_path) -> list[str]:
    with Store.open(tmp_path / "store.sqlite", readonly=True) as store:
        return [d.text for d in store.iter_documents()]


def test_hansard_billion_laughs_is_refused_unexpanded_live_and_in_replay(server, tmp_path):
    serve_day(server, "2010-06-07", billion_laughs(debate("2010-06-07", " &lol9;")))
    serve_day(server, "2010-06-08", debate("2010-06-08").encode())
    config = sources_file(tmp_path, hansard_source(server))
    report = run(tmp_path, config)
    for mode in ("live", "replay"):
        found = outcomes(tmp_path, mode=mode)
        status, reason = found[day_url(server, "2010-06-07")]
        assert status == "skipped"
        assert reason.startswith(
            "not well-formed XML: Maximum entity amplification factor exceeded"
        )
        assert found[day_url(server, "2010-06-09")] == (
            "skipped",
            "no sitting on 2010-06-09 (commons)",
        )
        assert found[server.url("/debates/?id=2010-06-08a.10.1")][0] == "stored"
        assert_intact(tmp_path)
        report = run(tmp_path, config, replay=tmp_path / "archive")  # then the same, offline
    assert report.mode == "replay"


def test_external_entities_are_never_read(server, tmp_path):
    """&xxe; naming a local file or a URL stays an unresolved reference: no file is read and
    no request is made for it; the speech around it is kept."""
    server.route("/secret", "top secret")
    serve_day(
        server,
        "2010-06-07",
        external_entity(debate("2010-06-07", " &xxe;"), "file:///etc/passwd"),
    )
    serve_day(
        server,
        "2010-06-08",
        external_entity(debate("2010-06-08", " &xxe;"), server.url("/secret")),
    )
    run(tmp_path, sources_file(tmp_path, hansard_source(server)))
    assert texts(tmp_path) == ["The Big Society needs volunteers in every town &xxe;."] * 2
    assert "/secret" not in server.paths()
    assert_intact(tmp_path)


def sitemap(locs: list[str]) -> str:
    entries = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'


def test_sitemaps_with_entity_tricks_list_nothing_they_hide(server, tmp_path):
    page = (
        "<html lang='en'><head><title>Kept</title></head><body><article><p>The community "
        "library has been run by volunteers since the council closed it in the spring.</p>"
        "</article></body></html>"
    )
    server.route("/kept", page)
    server.route("/secret", "top secret")
    server.route(
        "/laughs.xml", Reply(body=billion_laughs(sitemap(["&lol9;"])), content_type="text/xml")
    )
    server.route(
        "/xxe.xml",
        Reply(
            body=external_entity(sitemap(["&xxe;", server.url("/kept")]), server.url("/secret")),
            content_type="text/xml",
        ),
    )
    source = f"""[sources.site]
adapter = "sitemap"
actor_type = "charity"
keep_undated = true
sitemaps = ["{server.url("/laughs.xml")}", "{server.url("/xxe.xml")}"]
"""
    run(tmp_path, sources_file(tmp_path, source))
    found = outcomes(tmp_path)
    status, reason = found[server.url("/laughs.xml")]
    assert status == "skipped"
    assert reason.startswith("not a sitemap: Maximum entity amplification factor exceeded")
    assert found[server.url("/kept")] == ("stored", "Kept")
    assert "/secret" not in server.paths()
    assert_intact(tmp_path)


def feed(items: list[tuple[str, str | None]]) -> str:
    """RSS with one item per (title, pubDate); each item's description carries the text."""
    entries = "".join(
        f"<item><title>{title}</title><link>http://blog.test.invalid/{n}</link>"
        + (f"<pubDate>{date}</pubDate>" if date is not None else "")
        + f"<description>{title}: the council's volunteers kept the library open all "
        "winter, and now ask who will pay for the heating.</description></item>"
        for n, (title, date) in enumerate(items)
    )
    return f'<rss version="2.0"><channel><title>Blog</title>{entries}</channel></rss>'


def feed_source(server, *paths: str) -> str:
    feeds = ", ".join(f'"{server.url(path)}"' for path in paths)
    return f"""[sources.blog]
adapter = "feed"
actor_type = "charity"
full_text = "feed"
feeds = [{feeds}]
"""


def test_a_feed_with_billion_laughs_keeps_its_entry_unexpanded(server, tmp_path):
    body = billion_laughs(feed([("Library &lol9;", "Mon, 07 Mar 2011 10:00:00 GMT")]))
    server.route("/feed", Reply(body=body, content_type="application/rss+xml"))
    run(tmp_path, sources_file(tmp_path, feed_source(server, "/feed")))
    (text,) = texts(tmp_path)
    assert text == (
        "&lol9: the council's volunteers kept the library open all winter, "
        "and now ask who will pay for the heating."
    ).replace("&lol9", "Library &lol9")
    assert_intact(tmp_path)


@pytest.mark.parametrize(
    "date",
    [
        "Tue, 31 Feb 2011 10:00:00 GMT",
        "not a date",
        "0000-00-00",
        "2011-13-45T25:61:00Z",
        "99999999999999999999",
        "Sat, 01 Jan 2095 00:00:00 GMT",  # in the future: a placeholder, not a publication
        "",
    ],
)
def test_feed_entries_with_invalid_dates_are_skipped_and_the_rest_kept(server, tmp_path, date):
    server.route(
        "/feed",
        Reply(
            body=feed([("Bad", date), ("Good", "Mon, 07 Mar 2011 10:00:00 GMT")]),
            content_type="application/rss+xml",
        ),
    )
    run(tmp_path, sources_file(tmp_path, feed_source(server, "/feed")))
    found = outcomes(tmp_path)
    assert found["http://blog.test.invalid/0"] == ("skipped", "no publication date")
    assert found["http://blog.test.invalid/1"] == ("stored", "Good")
    with Store.open(tmp_path / "store.sqlite", readonly=True) as store:
        (good,) = store.iter_documents()
    assert (good.published_at, good.date_precision) == ("2011-03-07", "day")
    assert_intact(tmp_path)


def test_xml_inside_someone_elses_warc_is_not_parsed(server, tmp_path):
    """The files adapter reads WARC records as pages: XML is skipped by its type, and a
    page declaring entities in an internal DTD does not expand them."""
    page = billion_laughs(
        "<html><head><title>Old page</title></head><body><article><p>&lol9; The tenants' "
        "association ran the centre for a year before the grant was cut.</p></article>"
        "</body></html>"
    )
    warc = tmp_path / "theirs.warc.gz"
    warc.write_bytes(
        warc_of(
            [
                ("http://old.test.invalid/sitemap.xml", "application/xml", billion_laughs("<a/>")),
                ("http://old.test.invalid/page", "text/html", page),
            ]
        )
    )
    source = f"""[sources.theirs]
adapter = "files"
warcs = ["{warc}"]
"""
    run(tmp_path, sources_file(tmp_path, source))
    found = outcomes(tmp_path)
    assert found["http://old.test.invalid/sitemap.xml"] == (
        "skipped",
        "unsupported content type application/xml",
    )
    (text,) = texts(tmp_path)
    assert "lollol" not in text and len(text) < 200
    assert_intact(tmp_path)
