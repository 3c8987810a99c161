"""The optional learned relevance scorer: training CLI, model card, use in a run, errors."""

import json

from conftest import make_document, write_jsonl

from discourse.analyse.relevance import LearnedScorer, load_lexicon
from discourse.store import Store

RELEVANT = [
    "Volunteers now run the village library.",
    "The Big Society will give communities more power.",
    "Charities should deliver more public services.",
    "Residents took over the community centre.",
    "Social enterprises can run local care services.",
    "Participatory budgeting gives people a say over spending.",
    "We will support community groups to run parks.",
    "Co-production means services designed with citizens.",
]
IRRELEVANT = [
    "The committee approved the minutes.",
    "Parking charges rise in April.",
    "The bypass opens next year.",
    "Interest rates were left unchanged.",
    "The treaty was signed in Paris.",
    "Train fares increased again.",
    "The weather was poor in June.",
    "Tax receipts fell in the third quarter.",
]


def labelled(tmp_path):
    rows = [{"text": t, "label": "support"} for t in RELEVANT]
    rows += [{"text": t, "relevant": False, "context_before": "x"} for t in IRRELEVANT]
    return write_jsonl(tmp_path / "labels.jsonl", rows)


def test_train_writes_a_model_and_card_and_a_run_uses_it(run_cli, tmp_path, db_path):
    out = tmp_path / "models" / "relevance.joblib"
    result = run_cli(
        "--db",
        db_path,
        "relevance",
        "train",
        "--labels",
        labelled(tmp_path),
        "--out",
        out,
        "--folds",
        "4",
    )
    assert result.exit_code == 0, result.stderr
    assert "trained on 16 sentences (8 relevant); 4-fold cross-validated precision" in result.stderr
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["sentences"] == 16 and card["relevant"] == 8
    assert card["cross_validation"]["folds"] == 4
    assert set(card["cross_validation"]) >= {"precision", "recall", "f1"}

    scorer = LearnedScorer.load(out, load_lexicon())
    scores = scorer.score(
        ["Volunteers will run the community library.", "Parking charges rise again."],
        ["", ""],
        ["", ""],
    )
    assert scores[0] > 0.5 > scores[1]

    with Store.open(db_path) as store:
        store.add_documents(
            [
                make_document(1, text="Volunteers will run the community library."),
                make_document(2, text="Parking charges rise again."),
            ]
        )
    config = tmp_path / "analyse.toml"
    config.write_text(
        f'[analysis]\nreplicates = 10\n[topics]\nenabled = false\n[relevance]\nmodel = "{out}"\n'
    )
    run = run_cli("--db", db_path, "-q", "analyse", "--config", config)
    assert run.exit_code == 0, run.stderr
    with Store.open(db_path) as store:
        shares = store.read_results(run.stdout.strip(), "relevance_shares")
        pooled = shares[shares["metric"] == "relevant_sentences"]["estimate"].tolist()
    assert pooled == [0.5]  # one document of two: the library sentence


def test_training_errors_name_the_line(run_cli, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a", "label": "support"}\n{"text": "b", "label": "maybe"}\n')
    result = run_cli("relevance", "train", "--labels", bad, "--out", tmp_path / "m.joblib")
    assert result.exit_code == 2
    assert f"{bad}:2: needs 'relevant' (true/false) or 'label'" in result.stderr
    bad.write_text('{"text": "a", "label": "support"}\nnot json\n')
    result = run_cli("relevance", "train", "--labels", bad, "--out", tmp_path / "m.joblib")
    assert result.exit_code == 2 and f"{bad}:2: not a JSON object" in result.stderr
    few = write_jsonl(tmp_path / "few.jsonl", [{"text": "a", "relevant": True}] * 3)
    result = run_cli("relevance", "train", "--labels", few, "--out", tmp_path / "m.joblib")
    assert result.exit_code == 2 and "3 relevant and 0 irrelevant sentences" in result.stderr


def test_a_missing_model_file_is_a_config_error(run_cli, tmp_path, db_path):
    with Store.open(db_path) as store:
        store.add_document(make_document(1))
    config = tmp_path / "analyse.toml"
    config.write_text(f'[relevance]\nmodel = "{tmp_path / "absent.joblib"}"\n')
    result = run_cli("--db", db_path, "analyse", "--config", config)
    assert result.exit_code == 2
    assert "cannot load the relevance model" in result.stderr
