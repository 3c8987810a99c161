"""State shared by every subcommand: which store, how chatty, and a progress display."""

import sys
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from discourse.store import Store, resolve_path


@dataclass
class AppContext:
    db: str | None
    quiet: bool
    debug: bool
    command: str
    _stores: list[Store] = field(default_factory=list)

    @property
    def db_path(self):
        return resolve_path(self.db)

    def store(self, *, create: bool = True, readonly: bool = False) -> Store:
        """Open the store for this invocation; closed when the command ends."""
        store = Store.open(self.db_path, create=create, readonly=readonly)
        self._stores.append(store)
        return store

    def close(self) -> None:
        for store in self._stores:
            store.close()
        self._stores.clear()

    @property
    def console(self) -> Console:
        """Human-facing output goes to stderr so stdout stays clean for data."""
        wide = None if sys.stderr.isatty() else 160
        return Console(stderr=True, quiet=self.quiet, width=wide, soft_wrap=True)

    def progress(self) -> "RichProgress":
        return RichProgress(self.console, enabled=not self.quiet)


class _RichTask:
    def __init__(self, progress: Progress, task_id):
        self._progress = progress
        self._id = task_id

    def advance(self, n: int = 1) -> None:
        self._progress.advance(self._id, n)

    def update(self, *, total: int | None = None, description: str | None = None) -> None:
        changes = {}
        if total is not None:
            changes["total"] = total
        if description is not None:
            changes["description"] = description
        self._progress.update(self._id, **changes)


class RateColumn(ProgressColumn):
    """Items per second (pages, rows, documents), over rich's recent-speed window."""

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None:
            return Text("", style="progress.data.speed")
        return Text(f"{speed:,.1f}/s", style="progress.data.speed")


class RichProgress:
    """The Progress interface (discourse.progress) drawn as rich progress bars on stderr.

    Tasks opened while others are running share one live display (one bar each), so a crawl
    can show a bar per source.
    """

    def __init__(self, console: Console, enabled: bool = True):
        self._console = console
        self._enabled = enabled
        self._live: Progress | None = None
        self._open = 0

    @contextmanager
    def task(self, description: str, total: int | None = None):
        if self._live is None:
            self._live = Progress(
                SpinnerColumn(),
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                RateColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=self._console,
                disable=not self._enabled,
            )
            self._live.start()
        live = self._live
        self._open += 1
        task_id = live.add_task(description, total=total)
        try:
            yield _RichTask(live, task_id)
        finally:
            self._open -= 1
            if self._open == 0:
                live.stop()
                self._live = None
