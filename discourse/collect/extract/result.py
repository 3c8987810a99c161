"""What extraction returns, how it fails, and the limits that keep hostile input bounded.

Every extractor returns an `Extracted` or raises `ExtractionError` with a one-line reason; a
crawl records the reason as a failure and moves on. `Limits` caps input size, PDF pages and
wall-clock time per document so a 50 MB page or a 10,000-page PDF cannot stall a crawl.
"""

import contextlib
import signal
import threading
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
    """Raised by the alarm; a BaseException so library code catching Exception cannot swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float, what: str):
    """Interrupt the block after `seconds` with ExtractionError, where the platform allows.

    A SIGALRM timer can only be set from the main thread and must not clobber a timer the
    caller already runs; elsewhere the block runs unbounded and callers rely on their own
    cooperative checks (the PDF extractor checks its deadline between pages).
    """
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield
        return

    def _alarm(signum, frame):
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    except _TimeUp:
        raise ExtractionError(f"{what} exceeded the {seconds:g} s time limit") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
