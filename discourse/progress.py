"""Progress reporting that long-running work accepts without knowing who displays it.

The wings report through this small interface; the CLI passes a rich progress bar, tests and
notebooks pass nothing (silent). Keeps the wings free of terminal code.
"""

from contextlib import AbstractContextManager
from typing import Protocol


class ProgressTask(Protocol):
    def advance(self, n: int = 1) -> None: ...
    def update(self, *, total: int | None = None, description: str | None = None) -> None: ...


class Progress(Protocol):
    def task(
        self, description: str, total: int | None = None
    ) -> AbstractContextManager[ProgressTask]:
        """A context manager yielding a task to advance; closes the task on exit."""
        ...


class _SilentTask:
    def advance(self, n: int = 1) -> None:
        pass

    def update(self, *, total: int | None = None, description: str | None = None) -> None:
        pass

    def __enter__(self) -> "_SilentTask":
        return self

    def __exit__(self, *exc) -> None:
        return None


class Silent:
    """Progress that shows nothing."""

    def task(self, description: str, total: int | None = None) -> _SilentTask:
        return _SilentTask()


SILENT = Silent()
