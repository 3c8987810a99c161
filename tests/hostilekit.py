"""Hostile inputs and the harness that sends them through the real crawl.

Each hostile test serves its input from the fault-injecting server on 127.0.0.1 beside a
well-formed page, crawls with the real engine and adapters into a real store, and then reads
what happened to every URL (stored, failed with a reason, or skipped with a reason) and
whether the store is intact.
"""

import io
import sys
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

COLLECT = Path(__file__).resolve().parent / "collect"
if str(COLLECT) not in sys.path:
    sys.path.insert(0, str(COLLECT))

from crawlkit import fast_local_settings  # noqa: E402
from faultserver import FaultServer, Reply, server_fixture  # noqa: E402

from discourse.collect.crawl import CrawlReport, crawl  # noqa: E402
from discourse.collect.frontier import failures, skips  # noqa: E402
from discourse.config import SourcesFile, load  # noqa: E402
from discourse.store import Store  # noqa: E402

__all__ = ["FaultServer", "Reply", "server_fixture"]

GOOD_TEXT = (
    "Volunteers from the tenants' association took over the community centre when the council "
    "withdrew its grant, and a year later they say the Big Society meant unpaid work for the "
    "same few people."
)


def good_page(title: str = "The centre a year on") -> str:
    return (
        f"<html lang='en'><head><title>{title}</title>"
        "<meta name='date' content='2011-06-01'></head><body><article>"
        f"<h1>{title}</h1><p>{GOOD_TEXT}</p><p>{GOOD_TEXT.replace('a year', 'two years')}</p>"
        "</article></body></html>"
    )


def sources_file(tmp_path: Path, sources: str, fetch: str = "") -> Path:
    """A sources.toml with fast, local-friendly fetch settings and the given source tables."""
    path = tmp_path / "sources.toml"
    path.write_text(
        f"""{fast_local_settings("hostile", fetch)}
[archive]
dir = "archive"

[dedup]
enabled = false

{sources}
""",
        encoding="utf-8",
    )
    return path


def pages_source(urls: list[str], name: str = "pages") -> str:
    listed = ", ".join(f'"{url}"' for url in urls)
    return f"""[sources.{name}]
adapter = "pages"
actor_type = "charity"
keep_undated = true
urls = [{listed}]
"""


def run(tmp_path: Path, config: Path, **options) -> CrawlReport:
    with Store.open(tmp_path / "store.sqlite") as store:
        return crawl(store, load(config, SourcesFile), config, **options)


def outcomes(tmp_path: Path, mode: str | None = None) -> dict[str, tuple[str, str]]:
    """URL → ("stored", title) | ("failed", reason) | ("skipped", reason), after a crawl."""
    with Store.open(tmp_path / "store.sqlite", readonly=True) as store:
        found = {d.url: ("stored", d.title) for d in store.iter_documents()}
        found.update({r["url"]: ("failed", r["reason"]) for r in failures(store, mode=mode)})
        found.update({r["url"]: ("skipped", r["reason"]) for r in skips(store, mode=mode)})
    return found


def assert_intact(tmp_path: Path) -> None:
    """The store passes SQLite's own checks: pages, indexes, foreign keys and full text."""
    with Store.open(tmp_path / "store.sqlite") as store:
        assert store.read("PRAGMA integrity_check")[0][0] == "ok"
        assert store.read("PRAGMA foreign_key_check") == []
        # raises if the full-text index disagrees with the documents table
        store.connection.execute(
            "INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')"
        )


# -- hostile bodies ------------------------------------------------------------------------------


def billion_laughs(body: str, levels: int = 9) -> bytes:
    """XML whose entity &lol{levels}; would expand to 3·10^levels bytes if expanded."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels + 1)
    ]
    doctype = "<!DOCTYPE root [\n " + "\n ".join(entities) + "\n]>\n"
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + doctype + body).encode()


def external_entity(body: str, target: str) -> bytes:
    """XML declaring &xxe; as the content of `target` (a file or a URL): must never be read."""
    doctype = f'<!DOCTYPE root [ <!ENTITY xxe SYSTEM "{target}"> ]>\n'
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + doctype + body).encode()


def simple_pdf(pages: list[str]) -> bytes:
    """A plain PDF written by hand (catalog and page tree first, one text line a page): fast
    enough to build with 10,000 pages."""
    count = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for index, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * index)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def warc_of(responses: list[tuple[str, str, bytes]]) -> bytes:
    """A gzipped WARC of (url, content type, body) 200 responses, as another crawler's."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for url, content_type, body in responses:
        headers = StatusAndHeaders(
            "200 OK",
            [("Content-Type", content_type), ("Content-Length", str(len(body)))],
            protocol="HTTP/1.1",
        )
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(record)
    return buffer.getvalue()
