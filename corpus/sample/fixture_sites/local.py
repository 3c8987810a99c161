"""What the `files` adapter reads: a folder of local documents with a metadata CSV, and a WARC
written by "another crawler" (two news sites, with the records such a crawl really holds: a
404 and an image beside the articles).
"""

import csv
import datetime as dt
import io
import uuid
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from fixture_sites import pages, pdfs, writer
from fixture_sites.model import Article

README = """Synthetic sample documents for the `files` adapter of discourse.

Everything in this folder was written by the discourse project for its offline demo; none of it
is real. metadata.csv gives each file's title, author, publisher, date and actor type.
"""
CSV_FIELDS = [
    "file",
    "title",
    "author",
    "publisher",
    "published_at",
    "actor_type",
    "source_kind",
    "synthetic",
]


def write_folder(folder: Path) -> list[str]:
    """Write the local documents and their metadata.csv; returns the file names written."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    written = []
    for name, row, title, paragraphs in writer.local_documents():
        path = folder / name
        if name.endswith(".pdf"):
            path.write_bytes(pdfs.text_pdf(row["publisher"], title, paragraphs))
        elif name.endswith(".txt"):
            path.write_text(
                f"{title.upper()}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
            )
        else:
            day = dt.datetime.fromisoformat(row["published_at"])
            article = Article("/" + name, title, day, row["author"], paragraphs)
            path.write_text(pages.render("report", row["publisher"], article), encoding="utf-8")
        rows.append({"file": name, **row})
        written.append(name)
    # listed in the CSV but never delivered: the adapter reports it
    rows.append(
        {
            "file": "marrowfield-consultation-2013.pdf",
            "title": "Consultation on community libraries",
            "publisher": "Marrowfield Council",
            "published_at": "2013-04-02",
            "actor_type": "local_government",
            "source_kind": "report",
            "synthetic": "true",
        }
    )
    (folder / "README.md").write_text(README, encoding="utf-8")
    with (folder / "metadata.csv").open("w", newline="", encoding="utf-8") as handle:
        table = csv.DictWriter(handle, CSV_FIELDS, lineterminator="\n")
        table.writeheader()
        table.writerows(rows)
    return written


def _record(
    writer_: WARCWriter, url: str, date: str, status: int, content_type: str, body: bytes
) -> None:
    reason = {200: "OK", 404: "Not Found"}[status]
    http = StatusAndHeaders(
        f"{status} {reason}",
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
        protocol="HTTP/1.1",
    )
    record = writer_.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=http,
        warc_headers_dict={
            "WARC-Date": date,
            "WARC-Record-ID": f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url + date)}>",
        },
    )
    writer_.write_record(record)


def write_foreign_warc(path: Path) -> int:
    """A gzipped WARC of news articles as another crawler would have saved them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    articles = writer.media_articles()
    count = 0
    with path.open("wb") as stream:
        warc = WARCWriter(stream, gzip=True)
        for host, outlet, article in articles:
            others = [a for h, _, a in articles if h == host]
            body = pages.render("newspaper", outlet, article, others).encode("utf-8")
            crawled = (article.published + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
            _record(
                warc, f"http://{host}{article.path}", crawled, 200, "text/html; charset=utf-8", body
            )
            count += 1
        _record(
            warc,
            "http://www.northerncourier.co.uk.sample.invalid/news/removed-story",
            "2013-05-02T10:00:00Z",
            404,
            "text/html",
            b"<html><body>Page not found</body></html>",
        )
        _record(
            warc,
            "http://www.northerncourier.co.uk.sample.invalid/images/masthead.png",
            "2013-05-02T10:00:01Z",
            200,
            "image/png",
            b"\x89PNG\r\n\x1a\nsynthetic",
        )
    return count
