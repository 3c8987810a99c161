"""Shared fixtures: real store files in temp dirs and an in-process CLI runner."""

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from discourse.cli import main
from discourse.store import Document, Store


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys):
    """Run `discourse ARGS` in-process; returns exit code and captured output."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "store.sqlite"


@pytest.fixture
def store(db_path):
    with Store.open(db_path) as opened:
        yield opened


def make_document(n: int = 1, **overrides) -> Document:
    values = dict(
        url=f"https://example.org/doc/{n}",
        text=f"Document {n} says the community will step forward to run the library.",
        source_kind="blog",
        actor_type="charity",
        title=f"Title {n}",
        published_at="2011-05-02",
        date_precision="day",
    )
    values.update(overrides)
    return Document(**values)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def run_console_script(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed `discourse` console script as a separate process."""
    script = Path(sys.executable).with_name("discourse")
    return subprocess.run(
        [str(script), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )
