"""The WARC archive: every exchange written as it happens, and replay from it without a socket.

Writing: each request/response pair goes to gzip WARC files (warcio, one gzip member per
record so any record can be read by its offset) in the archive folder, named
`PREFIX-YYYYmmddTHHMMSSffffffZ-NNNNN-RANDOM.warc.gz` and rotated past a size. Each file starts
with a `warcinfo` record naming the tool, its version and the crawl's config hash. A crawl
process never appends to an existing file, so a crawl killed mid-record leaves at most one
truncated file, which replay reports and reads up to the damage. Documents point at the
response record they came from: `warc_file` is the file's name inside the archive folder,
`warc_offset` the byte offset of the record (`warcio extract FILE OFFSET` shows it).

Replay: `ArchiveIndex` maps each URL in a file or folder of WARCs to its record (the latest
successful capture, else the latest capture); `ArchiveTransport` serves those records to the
unchanged fetcher and remembers every URL it was asked for and did not have.
"""

import datetime as dt
import io
import os
import secrets
import threading
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from discourse import __version__
from discourse.collect.transport import Exchange, ResponseTooLarge, TransportError
from discourse.collect.urls import UrlError, canonicalize
from discourse.errors import DiscourseError, UsageError

WARC_SUFFIXES = (".warc.gz", ".warc")


class WarcWriter:
    """Appends exchanges to rotating gzip WARC files in one folder; safe across threads."""

    def __init__(
        self,
        directory: str | os.PathLike,
        *,
        prefix: str = "discourse",
        rotate_bytes: int = 1_000_000_000,
        info: Mapping[str, str] | None = None,
    ):
        self.directory = Path(directory)
        self.prefix = prefix
        self.rotate_bytes = rotate_bytes
        self.info = dict(info or {})
        self.files: list[str] = []  # names of the files written by this writer
        self._lock = threading.Lock()
        self._handle: io.BufferedWriter | None = None
        self._serial = 0
        # microseconds: files of a crawl restarted within a second still sort by start time
        self._stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self._token = secrets.token_hex(3)

    def write(self, exchange: Exchange) -> tuple[str, int]:
        """Archive a request/response pair; returns (file name, offset of the response record).

        The bytes are flushed to the operating system before this returns, so a store row
        committed afterwards never points at data a killed process did not hand over.
        """
        response = self._response_record(exchange)
        request = self._request_record(exchange, response.rec_headers.get_header("WARC-Record-ID"))
        members = _gzip_member(response) + _gzip_member(request)
        with self._lock:
            try:
                handle = self._current()
                offset = handle.tell()
                handle.write(members)
                handle.flush()
            except OSError as exc:
                raise DiscourseError(
                    f"{self.directory}: cannot write the WARC archive ({exc.strerror or exc})",
                    hint="free some space or point [archive] dir elsewhere, then run the crawl "
                    "again: it resumes where it stopped",
                ) from None
            name = self.files[-1]
            if handle.tell() >= self.rotate_bytes:
                self._close_current()
        return name, offset

    def _current(self) -> io.BufferedWriter:
        if self._handle is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._serial += 1
            name = f"{self.prefix}-{self._stamp}-{self._serial:05d}-{self._token}.warc.gz"
            self._handle = open(self.directory / name, "xb")  # noqa: SIM115 (closed on rotation)
            info = {"software": f"discourse/{__version__}", "format": "WARC File Format 1.1"}
            info.update(self.info)
            builder = WARCWriter(io.BytesIO(), gzip=False, warc_version="1.1")
            self._handle.write(_gzip_member(builder.create_warcinfo_record(name, info)))
            self.files.append(name)
        return self._handle

    def _close_current(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def _response_record(self, exchange: Exchange):
        writer = WARCWriter(io.BytesIO(), gzip=False, warc_version="1.1")
        warc_headers = {"WARC-Date": exchange.fetched_at}
        if exchange.ip_address:
            warc_headers["WARC-IP-Address"] = exchange.ip_address
        status = StatusAndHeaders(
            f"{exchange.status} {exchange.reason}".strip(),
            list(exchange.headers),
            protocol=exchange.http_version,
        )
        return writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.body),
            length=len(exchange.body),
            http_headers=status,
            warc_headers_dict=warc_headers,
        )

    def _request_record(self, exchange: Exchange, response_id: str):
        writer = WARCWriter(io.BytesIO(), gzip=False, warc_version="1.1")
        target = exchange.url.split("://", 1)[-1]
        path = "/" + target.split("/", 1)[1] if "/" in target else "/"
        status = StatusAndHeaders(
            f"{exchange.method} {path} {exchange.http_version}",
            list(exchange.request_headers),
            is_http_request=True,
        )
        return writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=status,
            warc_headers_dict={
                "WARC-Date": exchange.fetched_at,
                "WARC-Concurrent-To": response_id,
            },
        )

    def close(self) -> None:
        with self._lock:
            self._close_current()


def _gzip_member(record) -> bytes:
    """One WARC record as its own gzip member (what makes records readable by offset).

    warcio builds the record (headers, digests); compressing the finished bytes in one
    zlib call at level 6 costs a third of warcio's streaming level-9 wrapper.
    """
    buffer = io.BytesIO()
    WARCWriter(buffer, gzip=False, warc_version="1.1").write_record(record)
    return zlib.compress(buffer.getvalue(), 6, wbits=31)


@dataclass(frozen=True)
class RecordRef:
    """Where one response record is: a file of the index and an offset in it."""

    file: str  # the file's name (unique within an archive folder)
    offset: int
    status: int
    date: str


@dataclass
class ArchiveIndex:
    """URL → response record over one WARC file or a folder of them (searched recursively)."""

    root: Path
    paths: dict[str, Path] = field(default_factory=dict)  # file name → path
    records: dict[str, RecordRef] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # truncated or unreadable files
    responses: int = 0

    @classmethod
    def build(cls, path: str | os.PathLike) -> "ArchiveIndex":
        root = Path(path)
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.name.endswith(WARC_SUFFIXES))
        elif root.is_file():
            files = [root]
        else:
            raise UsageError(
                f"{root}: no such WARC file or folder",
                hint="give --replay a .warc.gz file or a folder of them, e.g. corpus/archive/",
            )
        if not files:
            raise UsageError(
                f"{root}: no WARC files (*.warc.gz, *.warc) in this folder",
                hint="point --replay at the archive folder of a crawl ([archive] dir)",
            )
        index = cls(root)
        for file in files:
            if file.name in index.paths:
                index.problems.append(
                    f"{file}: skipped, another file is named {file.name} ({index.paths[file.name]})"
                )
                continue
            index.paths[file.name] = file
            index._add_file(file)
        return index

    def _add_file(self, path: Path) -> None:
        try:
            with path.open("rb") as handle:
                for ref, url in _scan(handle, path.name):
                    self.responses += 1
                    key = index_key(url)
                    current = self.records.get(key)
                    if current is None or _better(ref, current):
                        self.records[key] = ref
        except (ArchiveLoadFailed, EOFError, zlib.error, ValueError, OSError) as exc:
            self.problems.append(
                f"{path}: damaged or truncated ({type(exc).__name__}: {exc}); "
                "records before the damage are used"
            )

    def lookup(self, url: str) -> RecordRef | None:
        return self.records.get(index_key(url))

    def read(self, ref: RecordRef, url: str, max_bytes: int | None = None) -> Exchange:
        return read_exchange(self.paths[ref.file], ref.offset, url, max_bytes)


def iter_records(
    handle, *, read_up_to: int | None = None
) -> Iterator[tuple[int, object, bytes | None]]:
    """(offset, record, content) of each record of an open WARC file, checked whole.

    warcio reads a truncated last record as a shorter one, or as the end of the file, so each
    record is checked against its declared length before it is handed out, and the records
    must account for every byte of the file: ValueError where the file is cut short. With
    `read_up_to`, `content` is the record's content (transfer and content encodings undone)
    up to that many bytes plus one, so a caller can tell an oversized record and skip it;
    without, records are read in chunks and dropped (a record may be gigabytes).
    """
    iterator = ArchiveIterator(handle)
    end = 0
    for record in iterator:
        offset = iterator.offset  # where this record starts (get_record_offset() reads it all)
        content = None
        if read_up_to is not None:
            content = record.content_stream().read(read_up_to + 1)
        end = offset + iterator.get_record_length()  # reads whatever is left of the record
        if getattr(record.raw_stream, "limit", 0) > 0:
            url = record.rec_headers.get_header("WARC-Target-URI")
            raise ValueError(f"the record at offset {offset} ({url}) is cut short")
        yield offset, record, content
    size = os.fstat(handle.fileno()).st_size
    if end < size:
        raise ValueError(f"{size - end} bytes after offset {end} are not a complete record")


def _scan(handle, name: str) -> Iterator[tuple[RecordRef, str]]:
    """(record, URL) of each response record; ValueError where the file is cut short."""
    for offset, record, _ in iter_records(handle):
        url = record.rec_headers.get_header("WARC-Target-URI")
        if record.rec_type != "response" or record.http_headers is None:
            continue
        try:
            status = int(record.http_headers.get_statuscode())
        except ValueError:
            continue
        if status == 304:
            continue  # a revalidation, not content: the earlier capture stays the one to serve
        date = record.rec_headers.get_header("WARC-Date") or ""
        yield RecordRef(name, offset, status, date), url


def _better(candidate: RecordRef, current: RecordRef) -> bool:
    """Prefer successful captures (below 400), then the latest."""
    good_candidate, good_current = candidate.status < 400, current.status < 400
    if good_candidate != good_current:
        return good_candidate
    return (candidate.date, candidate.file, candidate.offset) >= (
        current.date,
        current.file,
        current.offset,
    )


def index_key(url: str) -> str:
    try:
        return canonicalize(url)
    except UrlError:
        return url


def read_exchange(
    path: Path, offset: int, url: str | None = None, max_bytes: int | None = None
) -> Exchange:
    """The exchange archived as the response record at `offset` of a WARC file.

    `max_bytes` caps the body as the live transport does (ResponseTooLarge past it), so a
    huge record in someone else's WARC is refused, not read into memory.
    """
    with Path(path).open("rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)), None)
        if record is None or record.rec_type != "response" or record.http_headers is None:
            raise TransportError(f"{path}@{offset}: not a response record", retryable=False)
        http = record.http_headers
        status, _, reason = http.statusline.partition(" ")
        return Exchange(
            method="GET",
            url=url or record.rec_headers.get_header("WARC-Target-URI"),
            request_headers=(),
            status=int(status),
            reason=reason,
            headers=tuple((k, v) for k, v in http.headers if k.lower() != "transfer-encoding"),
            body=_capped(record.raw_stream, max_bytes),
            fetched_at=record.rec_headers.get_header("WARC-Date") or "",
            http_version=http.protocol or "HTTP/1.1",
            ip_address=record.rec_headers.get_header("WARC-IP-Address"),
            warc_file=Path(path).name,
            warc_offset=offset,
        )


def _capped(stream, max_bytes: int | None) -> bytes:
    if max_bytes is None:
        return stream.read()
    body = stream.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise ResponseTooLarge(max_bytes)
    return body


class NotInArchive(TransportError):
    def __init__(self, url: str):
        super().__init__(f"not in the archive: {url}", retryable=False)


class ArchiveTransport:
    """A transport answering from an ArchiveIndex: replay opens no socket.

    A URL the archive lacks raises NotInArchive (not retryable): the crawl records it as a
    failure with that reason and reports how many there were and which.
    """

    live = False

    def __init__(self, index: ArchiveIndex, max_bytes: int | None = None):
        self.index = index
        self.max_bytes = max_bytes  # fetch.max_bytes: a replayed body is capped as a live one

    def send(self, method: str, url: str, headers: Mapping[str, str]) -> Exchange:
        ref = self.index.lookup(url)
        if ref is None:
            raise NotInArchive(url)
        return self.index.read(ref, url, self.max_bytes)

    def close(self) -> None:
        return None
