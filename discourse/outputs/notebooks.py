"""Run the exploration notebooks headless: the paired .py files become executed .ipynb files.

The notebooks in `notebooks/` are kept in git as jupytext py:percent files (diffable,
reviewable); the .ipynb beside each is generated, executed top to bottom against a store
(`DISCOURSE_DB`), and git-ignored. `make notebooks` and the test suite both run them through
here, so a notebook that stops running fails the tests.

    python -m discourse.outputs.notebooks --db corpus/demo.sqlite notebooks/*.py
"""

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from discourse.errors import DiscourseError, UsageError


def execute(path: Path, *, db: Path | None = None, timeout: int = 600) -> Path:
    """Execute one paired notebook (.py) in a fresh kernel and write the .ipynb beside it."""
    try:
        import jupytext
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ImportError as exc:
        raise UsageError(
            f"running notebooks needs the notebooks extra ({exc.name} is missing)",
            hint='pip install -e ".[notebooks]"',
        ) from None
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: notebook not found")
    notebook = jupytext.read(path)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    with _environment(db):
        try:
            client.execute()
        except CellExecutionError as exc:
            first = str(exc).strip().splitlines()
            raise DiscourseError(
                f"{path}: a cell failed ({first[-1] if first else 'no message'})",
                hint="open the notebook and run it to see the traceback",
            ) from None
    target = path.with_suffix(".ipynb")
    jupytext.write(notebook, target)
    return target


@contextmanager
def _environment(db: Path | None):
    """DISCOURSE_DB for the kernel (it inherits this process's environment)."""
    previous = os.environ.get("DISCOURSE_DB")
    if db is not None:
        os.environ["DISCOURSE_DB"] = str(Path(db).resolve())
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DISCOURSE_DB", None)
        else:
            os.environ["DISCOURSE_DB"] = previous


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m discourse.outputs.notebooks")
    parser.add_argument("notebooks", nargs="+", type=Path, help="paired .py notebooks")
    parser.add_argument("--db", type=Path, help="store the notebooks read (DISCOURSE_DB)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        try:
            written = execute(path, db=args.db, timeout=args.timeout)
        except DiscourseError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return exc.exit_code
        print(f"executed {path} → {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
