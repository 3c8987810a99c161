"""What extraction returns, how it fails, and the limits that keep hostile input bounded.

Every extractor returns an `Extracted` or raises `ExtractionError` with a one-line reason; a
crawl records the reason as a failure and moves on. `Limits` caps input size, PDF pages and
wall-clock time per document so a 50 MB page or a 10,000-page PDF cannot stall a crawl.
"""

import contextlib
import signal
import threading
import time
from dataclasses import dataclass, field

from discourse.dates import PartialDate
from discourse.errors import DiscourseError


@dataclass
class Extracted:
    """Main text and metadata of one document."""

    text: str  # main text, paragraphs separated by blank lines
    title: str | None = None
    author: str | None = None  # "A. Person", or "A; B" for several
    date: PartialDate | None = None  # publication date with its precision
    language: str | None = None  # ISO 639-1 where detectable
    extra: dict = field(default_factory=dict)  # sitename, description, pages, scanned, ...


class ExtractionError(DiscourseError):
    """The content cannot be turned into a document; `reason` says why in one line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    """Per-document caps. Defaults fit real pages and council agenda packs with room to spare."""

    max_html_bytes: int = 20_000_000  # after decompression; trafilatura's own default cap
    max_pdf_bytes: int = 150_000_000
    max_pdf_pages: int = 1000  # pages beyond are not read; reported in extra["truncated"]
    seconds: float = 120.0  # wall-clock budget per document


DEFAULT_LIMITS = Limits()


class _TimeUp(BaseException):
    """Raised by the alarm; a BaseException so library code catching Exception cannot swallow
    it. `token` says which of several nested limits ran out."""

    def __init__(self, token: object):
        super().__init__()
        self.token = token


@contextlib.contextmanager
def time_limit(seconds: float, what: str, error: type[Exception] = ExtractionError):
    """Interrupt the block after `seconds` with `error("<what> exceeded the N s time limit")`.

    A SIGALRM timer can only be set from the main thread; elsewhere the block runs unbounded
    and callers rely on their own cooperative checks (the PDF extractor checks its deadline
    between pages). Limits nest (the crawl bounds each response, extraction each document):
    an inner limit that would end after the one already running leaves that one in charge;
    a shorter one takes over and, when its block ends, gives the running timer back its
    handler and the time it had left.
    """
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    outer_left = signal.getitimer(signal.ITIMER_REAL)[0]
    if outer_left and outer_left <= seconds:
        yield
        return
    token = object()

    def _alarm(signum, frame):
        raise _TimeUp(token)

    previous = signal.signal(signal.SIGALRM, _alarm)
    started = time.monotonic()
    try:
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3))
        yield
    except _TimeUp as up:
        if up.token is not token:
            raise
        raise error(f"{what} exceeded the {seconds:g} s time limit") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:
            left = outer_left - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))
