"""Settings and helpers shared by the collection-engine tests."""

from pathlib import Path

from discourse.collect.fetch import Fetcher
from discourse.collect.transport import LiveTransport
from discourse.config import FetchSection, ProjectSection

PROJECT = ProjectSection(name="test-study", contact="researcher@example.org")


def fetch_settings(**overrides) -> FetchSection:
    """Fast settings for tests: no delay, quick retries, local addresses allowed."""
    values = dict(delay=0.0, backoff=0.02, max_backoff=0.1, allow_private=True, retries=2)
    values.update(overrides)
    return FetchSection(**values)


def live_fetcher(settings: FetchSection, archive=None) -> Fetcher:
    return Fetcher(settings, PROJECT, LiveTransport.from_settings(settings), archive)


def article(n: int, *, links: tuple[str, ...] = (), date: str | None = None) -> str:
    """A fixture article page: a title, two distinct paragraphs, optional links and date."""
    meta = f'<meta name="date" content="{date}">' if date else ""
    anchors = "".join(f'<a href="{href}">link</a>' for href in links)
    return (
        f"<html><head><title>Article {n}</title>{meta}</head><body>"
        f"<p>Article {n} asks whether volunteers in ward {n} can keep the library open.</p>"
        f"<p>The council's reply to question {n} was that co-production needs funding.</p>"
        f"{anchors}</body></html>"
    )


def listing(hrefs: list[str], next_href: str | None = None) -> str:
    """A fixture listing page: links to articles (and the next listing), no paragraphs."""
    anchors = "".join(f'<li><a href="{h}">item</a></li>' for h in hrefs)
    more = f'<a href="{next_href}">older</a>' if next_href else ""
    return f"<html><head><title>Listing</title></head><body><ul>{anchors}</ul>{more}</body></html>"


def fast_local_settings(name: str, fetch: str = "") -> str:
    """[project] and [fetch] tables for crawling a local test server quickly."""
    return f"""[project]
name = "{name}"
contact = "researcher@example.org"

[fetch]
delay = 0.0
backoff = 0.02
max_backoff = 0.1
retries = 1
allow_private = true
{fetch}
"""


def write_sources(path, *, start: list[str], fetch: str = "", extra: str = "") -> Path:
    """A sources.toml for one test-links source with fast, local-friendly fetch settings."""
    starts = ", ".join(f'"{u}"' for u in start)
    path.write_text(
        f"""{fast_local_settings("test-study", fetch)}
[archive]
dir = "archive"
rotate_mb = 50

[sources.site]
adapter = "test-links"
start = [{starts}]
{extra}
""",
        encoding="utf-8",
    )
    return path
