"""Through the real engine and adapters: guessed URLs that are not there, and items listed
again after a resumed crawl, are recorded as skips with their reasons, never as failures or
in silence."""

import linkadapter  # noqa: F401  (registers the "test-links" adapter)
from crawlkit import write_sources
from faultserver import Reply, server_fixture  # noqa: F401  (the `server` fixture)

from discourse.collect.crawl import crawl
from discourse.collect.frontier import failures, skips
from discourse.config import SourcesFile, load
from discourse.store import Store

SPEECH = (
    '<speech id="uk.org.publicwhip/debate/{day}a.10.1" speakername="Ann Able" '
    'person_id="uk.org.publicwhip/person/90001" colnum="10"><p>The Big Society needs '
    "volunteers and charities in every town.</p></speech>"
)


def hansard_day(day: str) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><publicwhip>'
        f'<major-heading id="uk.org.publicwhip/debate/{day}a.9.0">Big Society</major-heading>'
        f"{SPEECH.format(day=day)}</publicwhip>"
    )


def hansard_sources(tmp_path, server):
    return write_sources(
        tmp_path / "sources.toml",
        start=[],
        extra=f"""enabled = false

[sources.debates]
adapter = "hansard"
base_url = "{server.url("/scrapedxml/")}"
speech_url = "{server.url("/debates/?id={gid}")}"
chambers = ["commons"]
discovery = "dates"
since = "2010-06-07"
until = "2010-06-11"
keywords = ["big society"]
""",
    )


def test_hansard_days_without_a_sitting_are_skips_not_failures(server, tmp_path):
    sitting = ("2010-06-08", "2010-06-10")
    for day in sitting:
        server.route(
            f"/scrapedxml/debates/debates{day}a.xml",
            Reply(body=hansard_day(day), content_type="text/xml"),
        )
    path = hansard_sources(tmp_path, server)
    with Store.open(tmp_path / "store.sqlite") as store:
        report = crawl(store, load(path, SourcesFile), path)
        debates = report.sources["debates"]
        assert (debates.failed, debates.skipped, debates.documents["added"]) == (0, 3, 2)
        assert failures(store) == []
        absent = {row["url"]: (row["reason"], row["run_id"]) for row in skips(store)}
        assert absent == {
            server.url(f"/scrapedxml/debates/debates2010-06-{d:02d}a.xml"): (
                f"no sitting on 2010-06-{d:02d} (commons)",
                report.run_id,
            )
            for d in (7, 9, 11)
        }
        fetched = len(server.hits())
        again = crawl(store, load(path, SourcesFile), path)  # a re-crawl: nothing retried
        assert again.sources["debates"].failed == 0
        assert again.sources["debates"].fresh == 5  # within the revisit window, 404s too
        assert len(server.hits()) == fetched
        replayed = crawl(store, load(path, SourcesFile), path, replay=tmp_path / "archive")
        assert replayed.sources["debates"].skipped == 3
        assert replayed.sources["debates"].failed == 0


def feed(entries: list[str]) -> str:
    items = "".join(
        f"<item><title>Post {n}</title><link>{link}</link>"
        f"<pubDate>Mon, 0{n} Mar 2011 10:00:00 GMT</pubDate></item>"
        for n, link in enumerate(entries, start=1)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}</channel></rss>'
    )


def test_an_item_listed_again_after_a_resume_is_a_recorded_duplicate(server, tmp_path):
    """Feed B lists the post feed A listed. B fails at first, so the crawl stops unfinished;
    the resumed crawl has forgotten A's listing, and the frontier says so instead."""
    post = server.url("/2011/03/01/post/")
    other = server.url("/2011/03/02/other/")
    server.route("/a.xml", Reply(body=feed([post]), content_type="application/rss+xml"))
    server.route(
        "/b.xml",
        Reply(503, "busy"),
        Reply(503, "busy"),  # and busy again when retried: left for the next crawl
        Reply(body=feed([post, other]), content_type="application/rss+xml"),
    )
    page = (
        "<html><head><title>{t}</title></head><body><article><p>{t}: the volunteers who took "
        "over the library say the Big Society was never funded, and the council agrees.</p>"
        "</article></body></html>"
    )
    server.route("/2011/03/01/post/", page.format(t="Post"))
    server.route("/2011/03/02/other/", page.format(t="Other"))
    path = write_sources(
        tmp_path / "sources.toml",
        start=[],
        extra=f"""enabled = false

[sources.blog]
adapter = "feed"
actor_type = "charity"
feeds = ["{server.url("/a.xml")}", "{server.url("/b.xml")}"]
full_text = "page"
""",
    )
    with Store.open(tmp_path / "store.sqlite") as store:
        first = crawl(store, load(path, SourcesFile), path)
        assert (first.sources["blog"].failed, first.sources["blog"].stored) == (1, 1)
        resumed = crawl(store, load(path, SourcesFile), path)
        blog = resumed.sources["blog"]
        assert resumed.sources["blog"].resumed
        assert (blog.failed, blog.skipped, blog.stored) == (0, 1, 1)
        reasons = {row["url"]: row["reason"] for row in skips(store, source="blog")}
        assert reasons == {post: f"duplicate: already listed by feed {server.url('/a.xml')}"}
        assert [h.path for h in server.hits()].count("/2011/03/01/post/") == 1
        assert sorted(d.url for d in store.iter_documents()) == [post, other]


def test_listings_reached_again_are_not_recorded_as_duplicates(server, tmp_path):
    """Pagination and menus lead back to pages already queued all the time: no skip rows."""
    from crawlkit import article, listing

    server.route("/list/1", listing(["/a/1", "/list/2"], "/list/2"))
    server.route("/list/2", listing(["/a/1", "/list/1"]))
    server.route("/a/1", article(1, links=("/list/1", "/list/2")))
    path = write_sources(tmp_path / "sources.toml", start=[server.url("/list/1")])
    with Store.open(tmp_path / "store.sqlite") as store:
        report = crawl(store, load(path, SourcesFile), path)
        assert report.sources["site"].stored == 1
        assert {row["reason"] for row in skips(store)} == {"no paragraphs"}  # the listings
