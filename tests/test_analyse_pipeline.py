"""The analysis run end to end: sentence table, stored tables, reproducibility, CLI, diff."""

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_document

from discourse.analyse.pipeline import analyse, build_sentences, document_groups
from discourse.analyse.preprocess import TokenCache, Tokenizer, cached_tokens
from discourse.analyse.relevance import LexiconScorer, load_lexicon
from discourse.analyse.stage import SENTENCE_COLUMNS
from discourse.config import AnalyseFile, TopicsSection
from discourse.store import Store

TEXTS = [
    (
        "Ministers launched the Big Society.\n\nVolunteers will run the library. It opens daily.",
        "central_government",
        "speech",
        "2010-07-19",
    ),
    (
        "The big society is a cover for cuts. Charities are being hollowed out.",
        "parliament",
        "debate",
        "2010-10-20",
    ),
    (
        "Cabinet is asked to note the report. Community groups will take over two libraries.",
        "local_government",
        "council",
        "2011-03-02",
    ),
    (
        "Our volunteers ran the food bank. Demand rose again this winter.",
        "charity",
        "blog",
        "2011-12-01",
    ),
    (
        "The council agreed the budget. Parking charges rise in April.",
        "local_government",
        "council",
        "2012-02-14",
    ),
    (
        "Personal budgets give people choice and control. Take-up grew.",
        "central_government",
        "speech",
        "2012-05-03",
    ),
]
CONFIG = AnalyseFile.model_validate(
    {
        "analysis": {"replicates": 50},
        "topics": {"k": [2, 3], "passes": 2, "selection_passes": 1, "iterations": 20},
        "trends": {"keyness_min_count": 1},
    }
)


def fill(store: Store, texts=TEXTS) -> None:
    store.add_documents(
        make_document(i + 1, text=text, actor_type=actor, source_kind=kind, published_at=date)
        for i, (text, actor, kind, date) in enumerate(texts)
    )


@pytest.fixture
def filled(db_path):
    with Store.open(db_path) as store:
        fill(store)
    return db_path


def test_sentence_table_has_context_offsets_and_relevance(store):
    fill(store)
    analyse(store, CONFIG)  # splits the documents
    scorer = LexiconScorer(load_lexicon(), 0.25)
    table, matches = build_sentences(store, CONFIG, scorer)
    assert matches.shape == (len(table), len(scorer.concepts))
    assert tuple(table.columns) == SENTENCE_COLUMNS
    first = table[table["document_id"] == 1]
    assert first["text"].tolist() == [
        "Ministers launched the Big Society.",
        "Volunteers will run the library.",
        "It opens daily.",
    ]
    assert first["context_before"].tolist() == ["", *first["text"].tolist()[:2]]
    assert first["context_after"].tolist() == [*first["text"].tolist()[1:], ""]
    assert first["period"].tolist() == ["2010"] * 3
    assert first["words"].tolist() == [5, 5, 3]
    # volunteering (1.5) is lifted by its Big Society neighbour (+0.25 × 3); "It opens daily."
    # gets only a quarter of its neighbour's 1.5
    assert first["relevance"].tolist() == [3.375, 2.25, 0.375]
    assert first["relevant"].tolist() == [True, True, False]
    parking = table[table["text"] == "Parking charges rise in April."]
    assert parking["relevant"].tolist() == [False]
    assert table["document_id"].is_monotonic_increasing
    # concepts matched in two forked workers, batch by batch, or here: the same table
    one = CONFIG.model_copy(update={"analysis": CONFIG.analysis.model_copy(update={"workers": 1})})
    alone, alone_matches = build_sentences(store, one, scorer, batch=2)
    together, together_matches = build_sentences(store, CONFIG, scorer, batch=2)
    pd.testing.assert_frame_equal(alone, table)
    pd.testing.assert_frame_equal(together, table)
    assert (alone_matches == matches).all() and (together_matches == matches).all()


def test_a_run_stores_every_table_and_a_summary(store):
    fill(store)
    report = analyse(store, CONFIG, command="test")
    assert set(store.result_names(report.run_id)) == {
        "relevance_shares",
        "relevance_concepts",
        "topic_coherence",
        "topic_terms",
        "topic_summary",
        "topic_shares",
        "topic_documents",
        "topic_passages",
        "term_rates",
        "keyness",
        "sentiment_settings",
        "sentiment_sentences",
        "sentiment_by_group",
        "stance_sentences",
        "stance_shares",
        "stance_correction",
        "stance_model",
    }
    run = store.get_run(report.run_id)
    assert run["status"] == "ok" and run["seed"] == 2010
    assert run["summary"]["sentences"] == 13 and run["summary"]["documents"] == 6
    assert run["summary"]["preprocess"]["tokenised"] == 13
    shares = store.read_results(report.run_id, "relevance_shares")
    by_sentence = shares[(shares["metric"] == "relevant_sentences")]
    assert set(by_sentence["period"]) == {"2010", "2011", "2012"}
    # document 1 (central_government, 2010): two of its three sentences, 10 of its 13 words
    speech = shares[(shares["period"] == "2010") & (shares["actor_type"] == "central_government")]
    assert speech[["metric", "estimate", "documents", "units"]].values.tolist() == [
        ["relevant_sentences", pytest.approx(2 / 3), 1, 3],
        ["relevant_words", pytest.approx(10 / 13), 1, 3],
    ]


def test_second_run_after_adding_documents_processes_only_the_new_ones(store):
    fill(store, TEXTS[:4])
    first = analyse(store, CONFIG)
    fill(store, TEXTS)  # the first four are unchanged
    second = analyse(store, CONFIG)
    assert first.summary["documents_split"] == 4
    assert second.summary["documents_split"] == 2
    assert first.summary["preprocess"]["tokenised"] == 9
    assert second.summary["preprocess"]["cached"] == 9
    assert second.summary["preprocess"]["tokenised"] == 4


def test_tokens_the_split_cached_are_those_of_tokenising_each_sentence(store):
    # the split tokenises each document once and caches its sentences' tokens by text hash;
    # preprocessing then reads them back instead of tokenising the sentences again
    fill(store)
    analyse(store, CONFIG)
    assert store.read("SELECT count(*) FROM document_tokens")[0][0] == len(TEXTS) + 1  # + stop list
    table, _ = build_sentences(store, CONFIG, LexiconScorer(load_lexicon(), 0.25))
    tokenizer = Tokenizer(CONFIG.preprocess)
    groups = document_groups(store, table["document_id"].to_numpy())
    cache = TokenCache(store, tokenizer)
    cached, counts = cached_tokens(
        store, table["text"].tolist(), tokenizer, groups=groups, cache=cache
    )
    assert counts == {"texts": 13, "cached": 13, "tokenised": 0}
    assert list(cached) == list(tokenizer.tokenize(table["text"].tolist()))
    assert list(cached)[:2] == [
        ["minister", "launch", "the", "big", "society"],
        ["volunteer", "will", "run", "the", "library"],
    ]


def test_same_corpus_config_and_seed_give_identical_bytes(run_cli, filled, tmp_path):
    config = tmp_path / "analyse.toml"
    config.write_text(
        "[analysis]\nreplicates = 50\n[topics]\nk = [2, 3]\npasses = 2\nselection_passes = 1\n"
    )
    runs = []
    for _ in range(2):
        result = run_cli("--db", filled, "-q", "analyse", "--config", config)
        assert result.exit_code == 0, result.stderr
        runs.append(result.stdout.strip())
    exports = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    for run_id, out in zip(runs, exports, strict=True):
        assert (
            run_cli(
                "--db", filled, "export", "--run", run_id, "--format", "jsonl", "--out", out
            ).exit_code
            == 0
        )
    assert exports[0].read_bytes() == exports[1].read_bytes()
    assert b'"table":"topic_terms"' in exports[0].read_bytes()
    diff = run_cli("--db", filled, "diff", *runs)
    assert diff.exit_code == 0
    assert "config: identical" in diff.stdout and "topic_terms: identical" in diff.stdout


def test_analyse_cli_prints_the_run_and_diff_reports_changes(run_cli, filled, tmp_path):
    config = tmp_path / "analyse.toml"
    config.write_text("[analysis]\nreplicates = 20\n[topics]\nenabled = false\n")
    first = run_cli("--db", filled, "analyse", "--config", config)
    assert first.exit_code == 0
    run_a = first.stdout.strip()
    assert f"analysis run {run_a}: 6 documents, 13 sentences" in first.stderr
    assert "term_rates:" in first.stderr and "topic_terms" not in first.stderr
    config.write_text(
        "[analysis]\nreplicates = 20\n[topics]\nenabled = false\n[relevance]\nthreshold = 4.0\n"
    )
    run_b = run_cli(
        "--db", filled, "-q", "analyse", "--config", config, "--seed", "3"
    ).stdout.strip()
    text = run_cli("--db", filled, "diff", run_a, run_b).stdout
    assert "relevance.threshold: 2.0 → 4.0" in text
    assert "analysis.seed: 2010 → 3" in text
    assert "relevance_shares:" in text and "changed" in text
    as_json = json.loads(run_cli("--db", filled, "diff", run_a, run_b, "--json").stdout)
    assert {"key": "relevance.threshold", "a": 2.0, "b": 4.0} in as_json["config"]
    table = next(t for t in as_json["tables"] if t["table"] == "relevance_shares")
    assert table["changed"] > 0 and table["only_a"] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[topics]\nk = [1, 5]\n", "analyse.toml:2: key 'topics.k': k must list topic numbers"),
        ("[analysis]\nperiod = 'week'\n", "key 'analysis.period'"),
        (
            "[analysis]\nseeds = 3\n",
            "analyse.toml:2: unknown key 'analysis.seeds' (expected one of:",
        ),
        ("[trends\n", "analyse.toml: invalid TOML"),
        ("[relevance]\nthreshold = 'high'\n", "key 'relevance.threshold'"),
    ],
)
def test_malformed_config_is_one_line_and_exit_2(run_cli, filled, tmp_path, content, message):
    config = tmp_path / "analyse.toml"
    config.write_text(content)
    result = run_cli("--db", filled, "analyse", "--config", config)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_analyse_errors(run_cli, tmp_path):
    missing = run_cli("--db", tmp_path / "none.sqlite", "analyse")
    assert missing.exit_code == 2 and "no store here" in missing.stderr
    empty = tmp_path / "empty.sqlite"
    Store.open(empty).close()
    result = run_cli("--db", empty, "analyse")
    assert result.exit_code == 2 and "no documents to analyse" in result.stderr
    assert Store.open(empty).list_runs() == []
    unknown = run_cli("--db", empty, "diff", "nope", "other")
    assert unknown.exit_code == 2 and "no run with id 'nope'" in unknown.stderr
    absent = run_cli("--db", empty, "analyse", "--config", tmp_path / "absent.toml")
    assert absent.exit_code == 2 and "configuration file not found" in absent.stderr


def test_integer_settings_are_accepted_where_floats_are_expected(tmp_path):
    from discourse.config import load

    path = tmp_path / "analyse.toml"
    path.write_text("[relevance]\nthreshold = 3\n")
    assert load(path, AnalyseFile).relevance.threshold == 3.0
    assert AnalyseFile().topics == TopicsSection()


def test_demo_sample_analyses_with_the_shipped_config(run_cli, db_path):
    """The bundled 22-document sample is tiny: k falls back to what it can support."""
    root = Path(__file__).resolve().parent.parent
    imported = run_cli(
        "--db",
        db_path,
        "-q",
        "import",
        root / "corpus/sample/sample.jsonl",
        "--mapping",
        root / "corpus/sample/mapping.toml",
    )
    assert imported.exit_code == 0
    result = run_cli("--db", db_path, "-q", "analyse", "--config", root / "analyse.toml")
    assert result.exit_code == 0, result.stderr
    with Store.open(db_path) as store:
        selection = store.read_results(result.stdout.strip(), "topic_coherence")
        assert selection["k"].tolist() == [5] and selection["chosen"].tolist() == [1]


def test_a_failing_stage_fails_the_run_and_leaves_no_results(store, monkeypatch):
    from discourse.analyse import trends

    fill(store)

    def broken(self, data):
        raise RuntimeError("trends broke")

    monkeypatch.setattr(trends.TrendsStage, "run", broken)
    with pytest.raises(RuntimeError, match="trends broke"):
        analyse(store, CONFIG)
    [run] = store.list_runs("analyse")
    assert run["status"] == "failed" and run["error"] == "trends broke"
    assert store.result_names(run["id"]) == []  # relevance and topics had written theirs
