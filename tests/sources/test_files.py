"""The files adapter: a folder with a metadata CSV, and WARC files from another crawler."""

import pytest
from crawling import make_adapter
from fixture_sites import local, pdfs

from discourse.collect.model import Skip
from discourse.errors import ConfigError
from discourse.store import Document

BODY = [
    "Residents told the forum that the library should stay open, and that a group of volunteers "
    "was ready to help run it if the council kept paying for the building and the books.",
    "Several people doubted that enough volunteers would come forward once the first enthusiasm had passed.",
]


def outcomes(adapter):
    items = list(adapter.start())
    return [o for o in items if isinstance(o, Document)], {
        o.url: o.reason for o in items if isinstance(o, Skip)
    }


def write(folder, csv: str | None = None):
    folder.mkdir(exist_ok=True)
    (folder / "notes.txt").write_text(
        "FORUM NOTES\n\n" + "\n\n".join(BODY) + "\n", encoding="utf-8"
    )
    (folder / "paper.pdf").write_bytes(
        pdfs.text_pdf("Centre for Research", "Who steps forward?", BODY * 3)
    )
    (folder / "report.html").write_text(
        "<html lang='en'><head><title>Parish plan</title><meta name='date' content='2012-07-01'></head>"
        f"<body><h1>Parish plan</h1><p>{BODY[0]}</p><p>{BODY[1]}</p></body></html>",
        encoding="utf-8",
    )
    (folder / "scan.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    if csv is not None:
        (folder / "metadata.csv").write_text(csv, encoding="utf-8")


CSV = (
    "file,title,author,publisher,published_at,actor_type,source_kind,project\n"
    "notes.txt,Forum notes,A. Writer,A Partnership,14/09/2011,other,report,forum\n"
    "paper.pdf,,B. Scholar,A University,2013-02,academic,report,\n"
    "missing.pdf,Never delivered,,,2013-01-01,,,\n"
)


def test_folder_with_metadata_csv(tmp_path):
    write(tmp_path / "docs", CSV)
    adapter = make_adapter(
        {
            "adapter": "files",
            "folder": "docs",
            "url_prefix": "http://files.sample.invalid/",
            "extra": {"synthetic": True},
        },
        base_dir=tmp_path,
    )
    documents, skips = outcomes(adapter)
    docs = {d.url: d for d in documents}
    notes = docs["http://files.sample.invalid/notes.txt"]
    assert (
        notes.title,
        notes.author,
        notes.publisher,
        notes.published_at,
        notes.date_precision,
    ) == (
        "Forum notes",
        "A. Writer",
        "A Partnership",
        "2011-09-14",
        "day",
    )
    assert (notes.actor_type, notes.source_kind) == ("other", "report")
    assert notes.extra == {
        "encoding": "utf-8",
        "file": "notes.txt",
        "project": "forum",
        "synthetic": True,
    }
    paper = docs["http://files.sample.invalid/paper.pdf"]
    assert (paper.title, paper.published_at, paper.date_precision, paper.actor_type) == (
        "Who steps forward?",
        "2013-02",
        "month",
        "academic",
    )
    report = docs["http://files.sample.invalid/report.html"]
    assert (report.actor_type, report.source_kind, report.published_at) == (
        "other",
        "other",
        "2012-07-01",
    )
    assert skips == {
        "http://files.sample.invalid/scan.jpg": "unsupported file type .jpg",
        str(tmp_path / "docs" / "missing.pdf"): "listed in the metadata CSV but not in the folder",
    }


def test_without_csv_files_get_file_urls_and_stay_undated_when_nothing_says_otherwise(tmp_path):
    write(tmp_path / "docs")
    documents, _ = outcomes(make_adapter({"adapter": "files", "folder": str(tmp_path / "docs")}))
    notes = next(d for d in documents if d.url.endswith("notes.txt"))
    assert notes.url == (tmp_path / "docs" / "notes.txt").as_uri()
    assert notes.published_at is None and notes.actor_type == "other"


def test_bad_metadata_rows_are_config_errors_with_their_line(tmp_path):
    write(tmp_path / "docs", "file,actor_type\nnotes.txt,other\npaper.pdf,lobbyist\n")
    adapter = make_adapter({"adapter": "files", "folder": "docs"}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"metadata.csv:3: actor_type 'lobbyist' is not one of"):
        outcomes(adapter)
    (tmp_path / "docs" / "metadata.csv").write_text("name,title\n")
    with pytest.raises(ConfigError, match="needs a `file` column"):
        outcomes(adapter)


def test_missing_folder_and_warc_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="folder not found"):
        outcomes(make_adapter({"adapter": "files", "folder": "nowhere"}, base_dir=tmp_path))
    with pytest.raises(ConfigError, match="WARC file not found"):
        outcomes(make_adapter({"adapter": "files", "warcs": ["none.warc.gz"]}, base_dir=tmp_path))
    with pytest.raises(ConfigError, match="needs a folder, warcs, or both"):
        make_adapter({"adapter": "files"})


def test_warc_from_another_crawler(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    count = local.write_foreign_warc(warc)
    adapter = make_adapter(
        {"adapter": "files", "warcs": ["*.warc.gz"], "actor_type": "media", "source_kind": "news"},
        base_dir=tmp_path,
    )
    documents, skips = outcomes(adapter)
    assert len(documents) == count == 13
    assert skips == {
        "http://www.northerncourier.co.uk.sample.invalid/news/removed-story": "HTTP 404 in crawl.warc.gz",
        "http://www.northerncourier.co.uk.sample.invalid/images/masthead.png": "unsupported content type image/png",
    }
    press = next(d for d in documents if d.url.endswith("fund-to-help-groups-take-over-buildings"))
    assert (press.title, press.published_at, press.actor_type, press.source_kind) == (
        "Government launches fund to help groups take over buildings",
        "2011-02-15",
        "media",
        "news",
    )
    assert press.publisher == "Civil Society Weekly"
    assert press.extra["captured_at"] == "2011-02-17T07:00:00Z"
    assert press.warc_file == str(warc)
    with warc.open("rb") as stream:
        from warcio.archiveiterator import ArchiveIterator

        stream.seek(press.warc_offset)
        record = next(iter(ArchiveIterator(stream)))
        assert record.rec_headers.get_header("WARC-Target-URI") == press.url
