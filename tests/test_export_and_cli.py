"""The CLI contract: global --db, export shapes and stability, status, search, exit codes."""

import csv
import io
import json

import pandas as pd
import pytest
from conftest import make_document, run_console_script

from discourse.store import ResultTable, Store

SHARES = ResultTable(
    name="stance_shares",
    columns=(
        ("period", "TEXT"),
        ("actor_type", "TEXT"),
        ("share", "REAL"),
        ("documents", "INTEGER"),
    ),
    key=("period", "actor_type"),
    description="test",
)
TERMS = ResultTable(
    name="topic_terms",
    columns=(("topic", "INTEGER"), ("rank", "INTEGER"), ("term", "TEXT")),
    key=("topic", "rank"),
    description="test",
)


def _run_with_results(store: Store, reverse: bool = False) -> str:
    with store.run("analyse", config={"seed": 7}, seed=7) as run:
        shares = [
            {"period": "2011", "actor_type": "charity", "share": 0.1 + 0.2, "documents": 3},
            {"period": "2010", "actor_type": "charity", "share": 1 / 3, "documents": 5},
        ]
        store.write_results(run.id, SHARES, reversed(shares) if reverse else shares)
        store.write_results(run.id, TERMS, [{"topic": 0, "rank": 1, "term": "big_society"}])
    return run.id


@pytest.fixture
def two_runs(db_path):
    with Store.open(db_path) as store:
        store.add_document(make_document(1))
        return _run_with_results(store), _run_with_results(store, reverse=True)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_identical_runs_export_identical_bytes(run_cli, db_path, two_runs, fmt):
    first = run_cli("--db", db_path, "export", "--run", two_runs[0], "--format", fmt)
    second = run_cli("--db", db_path, "export", "--run", two_runs[1], "--format", fmt)
    assert first.exit_code == 0 and first.stdout
    assert first.stdout == second.stdout


def test_jsonl_export_shape(run_cli, db_path, two_runs):
    lines = [
        json.loads(x)
        for x in run_cli(
            "--db", db_path, "export", "--run", two_runs[0], "--format", "jsonl"
        ).stdout.splitlines()
    ]
    assert lines[0]["table"] == "run"
    assert (
        lines[0]["seed"] == 7
        and lines[0]["corpus_documents"] == 1
        and len(lines[0]["config_hash"]) == 64
    )
    assert "id" not in lines[0] and "started_at" not in lines[0]
    assert lines[1:] == [
        {
            "table": "stance_shares",
            "period": "2010",
            "actor_type": "charity",
            "share": 1 / 3,
            "documents": 5,
        },
        {
            "table": "stance_shares",
            "period": "2011",
            "actor_type": "charity",
            "share": 0.1 + 0.2,
            "documents": 3,
        },
        {"table": "topic_terms", "topic": 0, "rank": 1, "term": "big_society"},
    ]


def test_csv_export_is_one_stacked_table(run_cli, db_path, two_runs):
    rows = list(
        csv.DictReader(io.StringIO(run_cli("--db", db_path, "export", "--run", two_runs[0]).stdout))
    )
    assert list(rows[0]) == [
        "table",
        "property",
        "value",
        "period",
        "actor_type",
        "share",
        "documents",
        "topic",
        "rank",
        "term",
    ]
    data = [r for r in rows if r["table"] != "run"]
    assert [(r["table"], r["period"], r["share"], r["term"]) for r in data] == [
        ("stance_shares", "2010", "0.3333333333333333", ""),
        ("stance_shares", "2011", "0.30000000000000004", ""),
        ("topic_terms", "", "", "big_society"),
    ]
    provenance = {r["property"]: r["value"] for r in rows if r["table"] == "run"}
    assert provenance["seed"] == "7" and provenance["kind"] == "analyse"


def test_parquet_export_writes_a_directory(run_cli, db_path, two_runs, tmp_path):
    out = tmp_path / "export"
    result = run_cli(
        "--db", db_path, "export", "--run", two_runs[0], "--format", "parquet", "--out", out
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "run.json",
        "stance_shares.parquet",
        "topic_terms.parquet",
    ]
    frame = pd.read_parquet(out / "stance_shares.parquet")
    assert frame["period"].tolist() == ["2010", "2011"]
    assert json.loads((out / "run.json").read_text())["seed"] == 7


def test_parquet_export_without_out_is_a_usage_error(run_cli, db_path, two_runs):
    result = run_cli("--db", db_path, "export", "--run", two_runs[0], "--format", "parquet")
    assert result.exit_code == 2
    assert "parquet export needs --out DIRECTORY" in result.stderr


def test_export_unknown_run(run_cli, db_path, two_runs):
    result = run_cli("--db", db_path, "export", "--run", "nope")
    assert result.exit_code == 2
    assert (
        "no run with id 'nope'" in result.stderr
        and "`discourse runs` lists the runs" in result.stderr
    )


def test_export_documents_as_csv(run_cli, db_path):
    with Store.open(db_path) as store:
        store.add_documents([make_document(1), make_document(2)])
    rows = list(
        csv.DictReader(
            io.StringIO(run_cli("--db", db_path, "export", "--documents", "--no-text").stdout)
        )
    )
    assert [r["url"] for r in rows] == ["https://example.org/doc/1", "https://example.org/doc/2"]
    assert "text" not in rows[0] and rows[0]["source_kind"] == "blog"


def test_status_reports_coverage(run_cli, db_path):
    with Store.open(db_path) as store:
        store.add_documents(
            [
                make_document(1),
                make_document(
                    2,
                    published_at="2012",
                    date_precision="year",
                    source_kind="speech",
                    actor_type="central_government",
                ),
            ]
        )
    data = json.loads(run_cli("--db", db_path, "status", "--json").stdout)
    assert data["totals"]["documents"] == 2
    assert data["coverage"] == [
        {
            "source_kind": "blog",
            "actor_type": "charity",
            "year": "2011",
            "documents": 1,
            "words": 12,
        },
        {
            "source_kind": "speech",
            "actor_type": "central_government",
            "year": "2012",
            "documents": 1,
            "words": 12,
        },
    ]
    human = run_cli("--db", db_path, "status")
    assert human.exit_code == 0 and "2 documents, 24 words" in human.stderr


def test_db_from_environment(run_cli, db_path, monkeypatch):
    with Store.open(db_path) as store:
        store.add_document(make_document(1))
    monkeypatch.setenv("DISCOURSE_DB", str(db_path))
    assert json.loads(run_cli("status", "--json").stdout)["store"] == str(db_path)


def test_search_prints_kwic_with_citation(run_cli, db_path):
    with Store.open(db_path) as store:
        store.add_document(
            make_document(
                1, text="The council hopes residents will volunteer.", publisher="Midshire"
            )
        )
    result = run_cli("--db", db_path, "search", "volunteer", "--width", "20")
    assert result.stdout.splitlines() == [
        "hopes residents will [volunteer] .",
        f"{'':>20}   2011-05-02 · Midshire · https://example.org/doc/1",
    ]


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["charts"], 2, "no store here"),
        (["report"], 2, "no store here"),
        (
            ["corpus", "--config", "no/such/sources.toml"],
            2,
            "no/such/sources.toml: configuration file not found",
        ),
        (["nonsense"], 2, "No such command 'nonsense'"),
        (["status", "--bogus"], 2, "No such option '--bogus'"),
    ],
)
def test_exit_codes(run_cli, db_path, args, code, message):
    result = run_cli("--db", db_path, *args)
    assert result.exit_code == code
    assert message in result.stderr


def test_missing_store_is_usage_error(run_cli, tmp_path):
    result = run_cli("--db", tmp_path / "none.sqlite", "status")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'none.sqlite'}: no store here")


def test_corrupt_store_is_runtime_error_with_one_line(run_cli, tmp_path):
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"not a database at all")
    result = run_cli("--db", path, "status")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "not a SQLite database" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_traceback(tmp_path):
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"not a database at all")
    result = run_console_script("--db", path, "--debug", "status")
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "StoreError" in result.stderr


def test_help_lists_every_command():
    result = run_console_script("--help")
    assert result.returncode == 0
    commands = result.stdout.split("Commands:")[1].split()
    for name in (
        "corpus",
        "import",
        "analyse",
        "charts",
        "report",
        "status",
        "export",
        "search",
        "runs",
    ):
        assert name in commands
