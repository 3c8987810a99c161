"""`discourse import`: existing corpora in CSV, JSONL and Parquet, through the real CLI."""

import gzip
import json

import pandas as pd
import pytest
from conftest import write_jsonl

from discourse.store import Store

ROWS = [
    {
        "doc": "a1",
        "body": "Volunteers now run the library.",
        "headline": "Library",
        "when": "2011-03-14",
        "org": "Midshire County Council",
        "kind": "council",
        "actor": "local_government",
        "ward": "North",
    },
    {
        "doc": "a2",
        "body": "The minister praised social action.",
        "headline": "Speech",
        "when": "July 2012",
        "org": "Cabinet Office",
        "kind": "speech",
        "actor": "central_government",
        "ward": None,
    },
]
FLAGS = [
    "--text-column",
    "body",
    "--column",
    "id=doc",
    "--column",
    "title=headline",
    "--column",
    "published_at=when",
    "--column",
    "publisher=org",
    "--column",
    "source_kind=kind",
    "--column",
    "actor_type=actor",
]


def stored(db_path):
    with Store.open(db_path) as store:
        return list(store.iter_documents(all_versions=True))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "csv.gz"])
def test_import_maps_columns_and_keeps_the_rest(run_cli, tmp_path, db_path, fmt):
    path = tmp_path / f"corpus.{fmt}"
    frame = pd.DataFrame(ROWS)
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "csv.gz":
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            frame.to_csv(handle, index=False)
    elif fmt == "jsonl":
        write_jsonl(path, ROWS)
    else:
        frame.to_parquet(path, index=False)
    result = run_cli("--db", db_path, "import", path, *FLAGS, "--source", "council-papers")
    assert result.exit_code == 0, result.stderr
    assert "2 rows → 2 added, 0 new versions, 0 updated, 0 unchanged, 0 skipped" in result.stderr
    first, second = stored(db_path)
    assert first.url == "urn:discourse:council-papers:a1"
    assert (first.title, first.publisher, first.source_kind, first.actor_type) == (
        "Library",
        "Midshire County Council",
        "council",
        "local_government",
    )
    assert (first.published_at, first.date_precision) == ("2011-03-14", "day")
    assert (second.published_at, second.date_precision) == ("2012-07", "month")
    assert first.extra == {"ward": "North"}
    assert second.extra == {}
    with Store.open(db_path) as store:
        run = store.get_run(first.run_id)
        source = store.read("SELECT name, adapter FROM sources WHERE id = ?", (first.source_id,))[0]
    assert run["kind"] == "import" and run["status"] == "ok"
    assert run["config_json"]["format"] == fmt.split(".")[0]
    assert len(run["config_json"]["file_sha256"]) == 64
    assert tuple(source) == ("council-papers", "import")


def test_reimport_adds_nothing_and_a_changed_text_is_a_new_version(run_cli, tmp_path, db_path):
    path = write_jsonl(tmp_path / "c.jsonl", ROWS)
    assert run_cli("--db", db_path, "import", path, *FLAGS).exit_code == 0
    again = run_cli("--db", db_path, "import", path, *FLAGS)
    assert "2 rows → 0 added, 0 new versions, 0 updated, 2 unchanged" in again.stderr
    changed = [dict(ROWS[0], body="Volunteers now run the library three days a week."), ROWS[1]]
    write_jsonl(path, changed)
    third = run_cli("--db", db_path, "import", path, *FLAGS)
    assert "2 rows → 0 added, 1 new versions, 0 updated, 1 unchanged" in third.stderr
    docs = stored(db_path)
    assert [(d.url, d.version, d.is_latest) for d in docs] == [
        ("urn:discourse:c:a1", 1, False),
        ("urn:discourse:c:a2", 1, True),
        ("urn:discourse:c:a1", 2, True),
    ]


def test_mapping_file_and_defaults(run_cli, tmp_path, db_path):
    path = write_jsonl(
        tmp_path / "posts.jsonl", [{"text": "Co-production works.", "url": "https://x.org/1"}]
    )
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[defaults]\nsource_kind = "blog"\nactor_type = "think_tank"\npublisher = "Centre"\n'
    )
    result = run_cli("--db", db_path, "import", path, "--mapping", mapping)
    assert result.exit_code == 0, result.stderr
    (doc,) = stored(db_path)
    assert (doc.url, doc.source_kind, doc.actor_type, doc.publisher) == (
        "https://x.org/1",
        "blog",
        "think_tank",
        "Centre",
    )


def test_bad_rows_stop_the_import_with_line_numbers_and_write_nothing(run_cli, tmp_path, db_path):
    rows = [
        {"text": "fine", "source_kind": "blog", "actor_type": "charity"},
        {"text": "", "source_kind": "blog", "actor_type": "charity"},
        {"text": "bad kind", "source_kind": "tweet", "actor_type": "charity"},
        {
            "text": "bad date",
            "source_kind": "blog",
            "actor_type": "charity",
            "published_at": "someday",
        },
    ]
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    result = run_cli("--db", db_path, "import", path)
    assert result.exit_code == 2
    assert (
        "bad.jsonl: 3 of 4 rows cannot be imported: line 2: empty or missing text in column 'text'; "
        "line 3: source_kind must be one of speech, debate, blog, council, news, report, other; got 'tweet'; "
        "line 4: published_at: not a date: 'someday'" in result.stderr
    )
    assert "nothing was written" in result.stderr
    with Store.open(db_path) as store:
        assert store.count_documents() == 0
        assert store.list_runs() == []


def test_skip_invalid_imports_the_rest_and_reports_skips(run_cli, tmp_path, db_path):
    rows = [
        {"text": "fine", "source_kind": "blog", "actor_type": "charity"},
        {"text": " ", "source_kind": "blog", "actor_type": "charity"},
    ]
    path = write_jsonl(tmp_path / "some.jsonl", rows)
    result = run_cli("--db", db_path, "import", path, "--skip-invalid")
    assert result.exit_code == 0
    assert "1 added" in result.stderr and "1 skipped" in result.stderr
    assert "skipped " + str(path) + ":2: empty or missing text in column 'text'" in result.stderr
    with Store.open(db_path) as store:
        (run,) = store.list_runs()
    assert run["summary"] == {
        "added": 1,
        "new_version": 0,
        "rows": 2,
        "skipped": 1,
        "unchanged": 0,
        "updated": 0,
    }


def test_missing_mapped_column_names_the_file_and_columns(run_cli, tmp_path, db_path):
    path = write_jsonl(tmp_path / "p.jsonl", [{"body": "x"}])
    result = run_cli("--db", db_path, "import", path)
    assert result.exit_code == 2
    assert "p.jsonl: missing column(s) text ← 'text'; the file has: body" in result.stderr


def test_non_utf8_input_names_the_line(run_cli, tmp_path, db_path):
    path = tmp_path / "latin.jsonl"
    good = json.dumps({"text": "fine", "source_kind": "blog", "actor_type": "charity"}).encode()
    path.write_bytes(good + b"\n" + b'{"text": "caf\xe9"}\n')
    result = run_cli("--db", db_path, "import", path)
    assert result.exit_code == 2
    assert "latin.jsonl:2: not UTF-8 text" in result.stderr


def test_unknown_flag_field_is_a_usage_error(run_cli, tmp_path, db_path):
    path = write_jsonl(tmp_path / "p.jsonl", [{"text": "x"}])
    result = run_cli("--db", db_path, "import", path, "--set", "colour=red")
    assert result.exit_code == 2
    assert "--set 'colour=red': unknown field 'colour'" in result.stderr
