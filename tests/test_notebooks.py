"""The exploration notebooks run top to bottom, headless, against a freshly built demo store."""

import shutil
from pathlib import Path

import nbformat
import pytest

from discourse.outputs.notebooks import execute
from discourse.store import Store

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("0*.py"))
QUICK = """
[analysis]
replicates = 50
[topics]
k = [3, 4]
passes = 2
selection_passes = 1
iterations = 30
"""


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """The bundled sample imported and analysed with a quick configuration."""
    from discourse.cli import main

    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.sqlite"
    config = folder / "quick.toml"
    config.write_text(QUICK, encoding="utf-8")
    sample = REPO / "corpus" / "sample"
    for args in (
        ["import", sample / "sample.jsonl", "--mapping", sample / "mapping.toml"],
        ["analyse", "--config", config],
    ):
        with pytest.raises(SystemExit) as done:
            main(["--db", str(db), "--quiet", *map(str, args)])
        assert done.value.code in (0, None)
    return db


def test_every_notebook_is_paired_and_numbered():
    assert [p.name for p in NOTEBOOKS] == [
        "01-corpus.py",
        "02-topics.py",
        "03-stance-sentiment.py",
        "04-survey-comparison.py",
    ]
    for path in NOTEBOOKS:
        header = path.read_text(encoding="utf-8")
        assert "formats: ipynb,py:percent" in header, path.name


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_headless(notebook, demo_store, tmp_path):
    copy = tmp_path / notebook.name
    shutil.copy(notebook, copy)
    written = execute(copy, db=demo_store, timeout=300)
    assert written == copy.with_suffix(".ipynb")
    executed = nbformat.read(written, as_version=4)
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert code and all(cell.execution_count for cell in code)
    outputs = [output for cell in code for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    with Store.open(demo_store, readonly=True) as store:
        run_id = store.latest_run()["id"]
    text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)
    if notebook.stem == "01-corpus":
        assert "'documents': 22" in text
    else:
        assert f"Run {run_id}" in text  # every result notebook cites the run it reads
