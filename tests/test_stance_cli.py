"""The `discourse stance` commands: predict's contract, evaluate, train, annotate."""

import hashlib
import io
import json

import numpy as np
import pytest

from discourse.analyse.stance.evaluation import evaluation_report
from discourse.analyse.stance.examples import DEFAULT_MODEL_DIR, read_examples
from discourse.analyse.stance.models import LinearModel, load_model
from discourse.errors import UsageError
from discourse.store import Store
from discourse.vocabulary import STANCES
from tests.conftest import make_document, write_jsonl
from tests.stance_fixtures import TINY, tiny_model_dir, write_labelled


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- predict --------------------------------------------------------------------------------


def test_predict_keeps_order_and_fields_and_gives_probabilities(run_cli, tmp_path):
    rows = [
        {
            "id": 3,
            "text": "We will give communities the right to run their libraries.",
            "party": "x",
        },
        {"id": 1, "text": "The committee approved the minutes.", "nested": {"a": [1, 2]}},
        {
            "id": 2,
            "text": "Volunteers cannot replace professionals.",
            "context_before": "",
            "context_after": "The council disagrees.",
        },
    ]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    result = run_cli("stance", "predict", "--in", source, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 0, result.stderr
    out = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in out] == [3, 1, 2]
    assert out[0]["party"] == "x" and out[1]["nested"] == {"a": [1, 2]}
    assert out[2]["context_after"] == "The council disagrees."
    for record in out:
        assert record["stance"] in STANCES
        assert list(record["stance_scores"]) == list(STANCES)
        assert sum(record["stance_scores"].values()) == pytest.approx(1.0, abs=1e-9)
        assert record["stance"] == max(record["stance_scores"], key=record["stance_scores"].get)
    assert "labelled 3 sentences" in result.stderr


def test_predict_empty_text_is_irrelevant_with_a_warning_count(run_cli, tmp_path):
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [{"text": ""}, {"text": "   \t "}, {"text": "Charities run the food bank."}],
    )
    result = run_cli("stance", "predict", "--in", source, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 0, result.stderr
    out = read_jsonl(tmp_path / "out.jsonl")
    assert [r["stance"] for r in out[:2]] == ["irrelevant", "irrelevant"]
    assert out[0]["stance_scores"] == {
        "support": 0.0,
        "sceptical": 0.0,
        "neutral": 0.0,
        "irrelevant": 1.0,
    }
    assert "warning: 2 line(s) had empty or whitespace-only text" in result.stderr


def test_predict_handles_a_100000_character_passage(run_cli, tmp_path):
    text = ("Volunteers run the library and the council supports them. " * 1800)[:100_000]
    assert len(text) == 100_000
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": text}])
    result = run_cli("stance", "predict", "--in", source, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 0, result.stderr
    (record,) = read_jsonl(tmp_path / "out.jsonl")
    assert record["text"] == text
    assert sum(record["stance_scores"].values()) == pytest.approx(1.0)


def test_predict_rejects_non_utf8_with_the_line_number(run_cli, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"text": "fine"}\n{"text": "caf\xe9"}\n')
    result = run_cli("stance", "predict", "--in", source, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 2
    assert f"{source}:2: not UTF-8" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()
    assert list(tmp_path.iterdir()) == [source]  # no partial output left behind


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"label": "support"}', "missing field 'text'"),
        ('{"text": 5}', "field 'text' must be a string"),
        ("[1, 2]", "expected a JSON object"),
        ("{oops", "invalid JSON"),
    ],
)
def test_predict_names_the_bad_line(run_cli, tmp_path, line, message):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "fine"}\n\n' + line + "\n", encoding="utf-8")
    result = run_cli("stance", "predict", "--in", source, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 2
    assert f"{source}:3: {message}" in result.stderr


def test_predict_with_a_missing_model_says_how_to_fix_it(run_cli, tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": "x"}])
    result = run_cli(
        "stance", "predict", "--in", source, "--out", tmp_path / "o.jsonl", "--model", tmp_path
    )
    assert result.exit_code == 2
    assert "no trained stance model" in result.stderr and "discourse stance train" in result.stderr


def test_shipped_model_labels_codebook_examples():
    model = load_model(DEFAULT_MODEL_DIR)
    texts = [
        "The committee approved the minutes of the previous meeting.",
        "Asking unpaid residents to run services the council can no longer afford is austerity dressed up as empowerment.",
    ]
    labels = [STANCES[i] for i in model.predict_proba(texts, ["", ""], ["", ""]).argmax(axis=1)]
    assert labels == ["irrelevant", "sceptical"]


# -- evaluate -------------------------------------------------------------------------------


def test_evaluation_report_matches_hand_computed_scores():
    true = ["support", "support", "sceptical", "neutral", "irrelevant", "irrelevant"]
    probabilities = np.array(
        [
            [0.9, 0.05, 0.03, 0.02],  # support, right (confidence 0.9)
            [0.2, 0.6, 0.1, 0.1],  # predicted sceptical, wrong (0.6)
            [0.1, 0.7, 0.1, 0.1],  # sceptical, right (0.7)
            [0.3, 0.1, 0.5, 0.1],  # neutral, right (0.5)
            [0.1, 0.1, 0.2, 0.6],  # irrelevant, right (0.6)
            [0.1, 0.1, 0.55, 0.25],  # predicted neutral, wrong (0.55)
        ]
    )
    report = evaluation_report(true, probabilities)
    assert report["confusion_matrix"]["matrix"] == [
        [1, 1, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 1, 1],
    ]
    assert report["per_label"]["support"] == pytest.approx(
        {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2}
    )
    assert report["per_label"]["sceptical"] == pytest.approx(
        {"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 1}
    )
    assert report["macro_f1"] == pytest.approx(2 / 3)
    assert report["accuracy"] == pytest.approx(4 / 6)
    # bins (0.8,0.9]: 0.9 right; (0.5,0.6]: 0.6 wrong, 0.6 right, 0.55 wrong; (0.6,0.7]: 0.7
    # right; (0.4,0.5]: 0.5 right → (0.1 + 3 × |1/3 − 0.58333| + 0.3 + 0.5) / 6
    assert report["expected_calibration_error"] == pytest.approx(0.275)
    assert [b["count"] for b in report["reliability"]] == [1, 3, 1, 1]


def test_evaluate_command_prints_and_writes_the_report(run_cli, tmp_path):
    labelled = write_labelled(
        tmp_path / "labelled.jsonl", TINY[:4] + TINY[6:8] + TINY[12:14] + TINY[18:20]
    )
    result = run_cli("stance", "evaluate", "--in", labelled, "--out", tmp_path / "scores.json")
    assert result.exit_code == 0, result.stderr
    saved = json.loads((tmp_path / "scores.json").read_text())
    examples = read_examples(labelled)
    model = load_model(DEFAULT_MODEL_DIR)
    expected = evaluation_report(
        [e.label for e in examples],
        model.predict_proba([e.text for e in examples], [""] * 10, [""] * 10),
    )
    assert saved["macro_f1"] == pytest.approx(expected["macro_f1"])
    assert saved["confusion_matrix"] == expected["confusion_matrix"]
    assert saved["n"] == 10
    assert f"macro-F1 {expected['macro_f1']:.3f}" in result.stdout
    assert "expected calibration error" in result.stdout


# -- train ----------------------------------------------------------------------------------


def test_train_is_deterministic_given_a_seed(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("DISCOURSE_SHARED_DATA", str(tmp_path / "no-shared-data"))
    model_dir = tmp_path / "model"
    write_labelled(model_dir / "annotations" / "tiny.jsonl")
    for out in ("a", "b"):
        result = run_cli(
            "stance",
            "train",
            "--model-dir",
            model_dir,
            "--out",
            tmp_path / out,
            "--seed",
            "7",
            "--folds",
            "3",
        )
        assert result.exit_code == 0, result.stderr
    assert "shared dev set is not present" in result.stderr
    first, second = load_model(tmp_path / "a"), load_model(tmp_path / "b")
    probe = ["Residents will run the hall.", "A fig leaf for cuts.", "Rates rose.", "How many?"]
    blank = [""] * len(probe)
    assert np.array_equal(
        first.predict_proba(probe, blank, blank), second.predict_proba(probe, blank, blank)
    )
    card = json.loads((tmp_path / "a" / "model.json").read_text())["metadata"]
    assert card["seed"] == 7 and card["data"]["dev_set"] is None
    assert card["data"]["annotation_files"][0]["counts"] == {
        "support": 6,
        "sceptical": 6,
        "neutral": 6,
        "irrelevant": 6,
    }
    assert "annotations_cv" in card["evaluation"]
    assert (tmp_path / "a" / "MODEL_CARD.md").read_text().startswith("# Stance model card")


def test_train_without_annotations_says_where_to_put_them(run_cli, tmp_path):
    result = run_cli("stance", "train", "--model-dir", tmp_path, "--no-dev")
    assert result.exit_code == 2
    assert "no annotation files" in result.stderr


def test_a_saved_model_predicts_exactly_like_the_fitted_one(tmp_path):
    texts = [t for t, _ in TINY]
    blank = [""] * len(texts)
    fitted = LinearModel(("words", "rules"), C=2.0, rule_weight=2.0).fit(
        texts, blank, blank, [label for _, label in TINY]
    )
    fitted.save(tmp_path)
    assert np.allclose(
        load_model(tmp_path).predict_proba(texts, blank, blank),
        fitted.predict_proba(texts, blank, blank),
        rtol=0,
        atol=1e-12,
    )


# -- annotate -------------------------------------------------------------------------------


@pytest.fixture
def annotation_store(db_path):
    texts = [
        "The council met on Monday. The voluntary sector will deliver more public services. "
        "It opens daily.",
        "Charities say they cannot fill the gaps left by cuts. Inflation fell.",
        "The Big Society was launched in Liverpool. Co-production with service users has "
        "transformed the care service.\nCommunity groups can now bid to run council services "
        "under the right to challenge.",
    ]
    with Store.open(db_path) as store:
        store.add_documents([make_document(n, text=t) for n, t in enumerate(texts, start=1)])
    return db_path


def test_annotate_appends_labels_undoes_and_resumes(
    run_cli, tmp_path, annotation_store, monkeypatch
):
    model_dir = tiny_model_dir(tmp_path / "model")
    out = tmp_path / "labels.jsonl"
    args = (
        "--db",
        annotation_store,
        "stance",
        "annotate",
        "--annotator",
        "ann",
        "--out",
        out,
        "--model",
        model_dir,
    )
    # label the first (support), the second (sceptical), undo it, relabel it neutral, skip, quit
    monkeypatch.setattr("sys.stdin", io.StringIO("s\nk\nu\nn\n\nq\n"))
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    first = read_jsonl(out)
    assert [r["label"] for r in first] == ["support", "neutral"]
    assert all(r["annotator"] == "ann" and r["source"] == "corpus" for r in first)
    assert all(r["annotated_at"].endswith("+00:00") for r in first)
    assert "labelled 2" in result.stdout and "skipped 1" in result.stdout
    shown_first = {r["text"] for r in first}

    monkeypatch.setattr("sys.stdin", io.StringIO("i\ni\ni\ni\ni\n"))
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    second = read_jsonl(out)[2:]
    assert second and not shown_first & {r["text"] for r in second}
    assert len({r["id"] for r in read_jsonl(out)}) == len(read_jsonl(out))  # nothing twice

    monkeypatch.setattr("sys.stdin", io.StringIO("s\n"))
    result = run_cli(*args)
    assert "nothing left to label" in result.stdout
    assert len(read_jsonl(out)) == 5  # the five relevant sentences, each once
    assert "Inflation fell." not in {r["text"] for r in read_jsonl(out)}  # not relevant


def test_uncertainty_ranking_of_a_random_pool_is_deterministic(tmp_path):
    from discourse.analyse.stance.annotate import Candidate, by_uncertainty

    model = load_model(tiny_model_dir(tmp_path / "model"))
    candidates = [
        Candidate(id=f"c{n}", text=text, context_before="", context_after="", document_id=n)
        for n, (text, _) in enumerate(TINY)
    ]
    ranked = by_uncertainty(model, candidates, pool=10, seed=3)
    assert len(ranked) == 10 and len({c.id for c in ranked}) == 10
    assert [c.id for c in ranked] == [
        c.id for c in by_uncertainty(model, candidates, pool=10, seed=3)
    ]
    assert {c.id for c in ranked} != {
        c.id for c in by_uncertainty(model, candidates, pool=10, seed=4)
    }
    everything = by_uncertainty(model, candidates)
    assert sorted(c.id for c in everything) == sorted(c.id for c in candidates)
    probabilities = model.predict_proba([c.text for c in everything], [""] * 24, [""] * 24)
    top_two = np.sort(probabilities, axis=1)[:, -2:]
    margins = top_two[:, 1] - top_two[:, 0]
    assert list(margins) == sorted(margins)  # least sure first


def test_word_features_match_scikit_learns_tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from discourse.analyse.stance.models import WordFeatures

    texts = [
        "The Big Society is big, big news.",
        "Volunteers run the library; volunteers run it well!",
        "Co-operatives and mutuals: the big society",
        "x",
    ]
    reference = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
    vocabulary = sorted(reference.vocabulary_, key=reference.vocabulary_.get)
    ours = WordFeatures(vocabulary, reference.idf_).transform(texts)
    assert np.allclose(ours, reference.transform(texts).toarray(), rtol=0, atol=1e-12)
    assert not ours[3].any()  # no known word: an all-zero row, not NaN


def test_sentence_splitter_breaks_at_full_stops_and_line_breaks():
    from discourse.analyse.stance.annotate import split_sentences

    text = 'Options considered\n\nOption A keeps all. "Option B" moves five to volunteers! 3.\nNext'
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Options considered",
        "Option A keeps all.",
        '"Option B" moves five to volunteers!',
        "3.",
        "Next",
    ]


def test_train_reads_the_dev_set_in_place_and_records_its_hash(run_cli, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    dev = write_labelled(shared / "stance" / "dev.jsonl", TINY[::2])
    monkeypatch.setenv("DISCOURSE_SHARED_DATA", str(shared))
    model_dir = tmp_path / "model"
    write_labelled(model_dir / "annotations" / "tiny.jsonl", TINY[1::2])
    result = run_cli("stance", "train", "--model-dir", model_dir, "--folds", "3", "--no-nested")
    assert result.exit_code == 0, result.stderr
    card = json.loads((model_dir / "model.json").read_text())["metadata"]
    assert card["data"]["dev_set"]["sha256"] == hashlib.sha256(dev.read_bytes()).hexdigest()
    assert card["data"]["training_examples"] == 24
    assert set(card["evaluation"]) == {"dev_cv_selected_configuration"}
    assert card["misclassification"]["basis"] == "out-of-fold predictions on the dev set"
    assert "nested\ncross-validation was skipped" in (model_dir / "MODEL_CARD.md").read_text()
    assert not list(model_dir.glob("**/dev.jsonl"))  # read in place, never copied


def test_annotation_files_name_the_bad_line(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_bytes(
        b'{"text": "a", "label": "support"}\n\n{"text": "caf\xe9", "label": "support"}\n'
    )
    with pytest.raises(UsageError, match=r"labels.jsonl:3: not UTF-8"):
        read_examples(path)
    path.write_text('{"text": "a", "label": "supportive"}\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"labels.jsonl:1: 'label' must be one of support"):
        read_examples(path)
