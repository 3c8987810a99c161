"""The `discourse sentiment score` contract: order, pass-through, errors with line numbers."""

import json

from discourse.analyse.sentiment import SentimentScorer
from tests.conftest import run_console_script, write_jsonl


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_adds_scores_and_passes_every_other_field_through_in_order(run_cli, tmp_path):
    rows = [
        {"id": "b", "text": "This is a disgrace.", "meta": {"party": "Lab", "n": [1, 2.5]}},
        {"text": "I welcome this brilliant scheme.", "id": "a", "score": None},
        {"id": "c", "text": "The committee meets on Tuesday.", "unicode": "café – ‘quoted’"},
    ]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    result = run_cli("sentiment", "score", "--in", source, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 0, result.stderr
    out = read_jsonl(tmp_path / "out.jsonl")
    scorer = SentimentScorer()
    assert len(out) == 3
    for given, written in zip(rows, out, strict=True):
        expected = scorer.score_text(given["text"])
        assert written == {
            **given,
            "sentiment": expected.sentiment,
            "sentiment_label": expected.label,
        }
        assert list(written)[: len(given)] == list(given)  # field order kept
    assert [r["sentiment_label"] for r in out] == ["negative", "positive", "neutral"]
    assert "scored 3 texts: 1 positive, 1 neutral, 1 negative" in result.stderr


def test_empty_text_is_neutral_zero_with_a_warning_count(run_cli, tmp_path):
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"text": "good"}, {"text": ""}, {"text": "  \n\t"}]
    )
    result = run_cli("sentiment", "score", "--in", source, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 0
    out = read_jsonl(tmp_path / "out.jsonl")
    assert [(r["sentiment"], r["sentiment_label"]) for r in out[1:]] == [
        (0.0, "neutral"),
        (0.0, "neutral"),
    ]
    assert "warning: 2 empty text(s) scored neutral 0.0 (lines 2, 3)" in result.stderr


def test_missing_text_field_names_the_line_and_writes_nothing(run_cli, tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": "good"}, {"body": "no text here"}])
    result = run_cli("sentiment", "score", "--in", source, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 2
    assert f"error: {source}:2: no `text` field" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()
    assert list(tmp_path.iterdir()) == [source]  # no temporary file left behind


def test_non_object_and_invalid_json_lines_name_the_line(run_cli, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "good"}\n["a list"]\n', encoding="utf-8")
    result = run_cli("sentiment", "score", "--in", source, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 2
    assert f"{source}:2: expected a JSON object, got list" in result.stderr
    source.write_text('{"text": "good"}\n{"text": "good"}\n{"text": \n', encoding="utf-8")
    result = run_cli("sentiment", "score", "--in", source, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 2
    assert f"{source}:3: not valid JSON" in result.stderr
    source.write_text('{"text": 5}\n', encoding="utf-8")
    result = run_cli("sentiment", "score", "--in", source, "--out", tmp_path / "out.jsonl")
    assert f"{source}:1: `text` must be a string, got int" in result.stderr


def test_non_utf8_line_is_named(run_cli, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"text": "good"}\n{"text": "caf\xe9"}\n')
    result = run_cli("sentiment", "score", "--in", source, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 2
    assert f"{source}:2: not UTF-8 (byte 14 of the line)" in result.stderr


def test_blank_line_in_the_middle_is_an_error_but_trailing_blanks_are_not(run_cli, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "good"}\n\n{"text": "bad"}\n', encoding="utf-8")
    result = run_cli("sentiment", "score", "--in", source, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 2
    assert f"{source}:2: empty line" in result.stderr
    source.write_text('{"text": "good"}\n{"text": "bad"}\n\n\n', encoding="utf-8")
    result = run_cli("sentiment", "score", "--in", source, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 0
    assert len(read_jsonl(tmp_path / "out.jsonl")) == 2


def test_missing_input_file(run_cli, tmp_path):
    result = run_cli("sentiment", "score", "--in", tmp_path / "absent.jsonl", "--out", "x.jsonl")
    assert result.exit_code == 2
    assert "absent.jsonl: input file not found" in result.stderr


def test_dictionary_option_uses_a_lexicoder_file(run_cli, tmp_path):
    dictionary = tmp_path / "mine.lc3"
    dictionary.write_text("+negative\nmeeting*\n", encoding="utf-8")
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": "The meeting is on Tuesday."}])
    out = tmp_path / "out.jsonl"
    result = run_cli(
        "sentiment", "score", "--in", source, "--out", out, "--dictionary", dictionary,
        "--method", "dictionary",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert read_jsonl(out)[0]["sentiment"] == -0.5
    bad = tmp_path / "bad.csv"
    bad.write_text("category,pattern\nfury,angry\n", encoding="utf-8")
    result = run_cli("sentiment", "score", "--in", source, "--out", out, "--dictionary", bad)
    assert result.exit_code == 2
    assert f"{bad}:2: unknown category 'fury'" in result.stderr


def test_stdin_to_stdout_through_the_console_script(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"k": 1, "text": "A shambles."}])
    script = run_console_script("--quiet", "sentiment", "score", "--in", source, "--out", "-")
    assert script.returncode == 0, script.stderr
    line = json.loads(script.stdout)
    assert (line["k"], line["sentiment_label"]) == (1, "negative")
