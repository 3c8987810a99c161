"""The analysis pipeline on real text: relevance quality, topic quality, speed, memory, re-runs.

- relevance_dev: precision/recall/F1 of the relevance filter (relevant = support, sceptical
  or neutral) on the stance dev set, beside a plain keyword rule. The lexicon was written from
  the codebook and checked against this dev set: it is a development figure; held-out sets
  verify it.
- analysis_manifesto: `analyse` end to end on the UK manifesto sentences 1945–2010 grouped
  into documents of 50 consecutive sentences. Reports words/s against a bare
  `spacy.blank("en").pipe` + gensim LdaMulticore run on the same text (same k, gensim
  defaults otherwise); mean NPMI and topic diversity of the final topics against gensim
  LdaModel with default settings fitted on the same tokens, both scored over the same texts;
  and the preprocessing cost of re-running after adding 1% new documents. Throughput (beside
  the same baseline) and peak RSS are also measured at 2× and 4× the corpus (replicated under
  new URLs), one harness process per size: a curve of both against corpus size. The quick
  run uses every 16th document. Each pipeline run is a separate process so its RSS is its own.
"""

import csv
import gzip
import json
import re
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench.harness import Benchmark, Context

MANIFESTOS = "text/uk-manifesto-sentences-1945-2010.csv.gz"
STANCE_DEV = "stance/dev.jsonl"
SENTENCES_PER_DOCUMENT = 50
_KEYWORDS = re.compile(
    r"\b(big society|volunteer\w*|voluntary|charit\w*|community|communities|localism|"
    r"social enterprise\w*|co-production)\b",
    re.IGNORECASE,
)


def bench_config():
    """Shipped defaults, with keyness on a column the manifesto corpus has (2010 vs the rest)."""
    from discourse.config import AnalyseFile, KeynessComparison

    config = AnalyseFile()
    keyness = [KeynessComparison(column="period", target="2010", reference="*")]
    return config.model_copy(
        update={"trends": config.trends.model_copy(update={"keyness": keyness})}
    )


# -- relevance ------------------------------------------------------------------------------


def relevance_dev(context: Context) -> list[dict]:
    from discourse.analyse.relevance import LexiconScorer, load_lexicon, precision_recall_f1

    rows = [json.loads(line) for line in context.dataset(STANCE_DEV).open(encoding="utf-8")]
    actual = [row["label"] != "irrelevant" for row in rows]
    config = bench_config().relevance
    scorer = LexiconScorer(load_lexicon(config.lexicon), config.context_weight)
    start = time.perf_counter()
    scores = scorer.score(
        [r["text"] for r in rows],
        [r.get("context_before") or "" for r in rows],
        [r.get("context_after") or "" for r in rows],
    )
    seconds = time.perf_counter() - start
    ours = precision_recall_f1(scores >= config.threshold, actual)
    keyword = precision_recall_f1([bool(_KEYWORDS.search(r["text"])) for r in rows], actual)
    notes = (
        f"threshold {config.threshold}, context_weight {config.context_weight}; "
        f"{sum(actual)} relevant of {len(rows)}; dev set (lexicon checked against it)"
    )
    from discourse.analyse.relevance import cross_validated

    learned = cross_validated(
        scorer.concepts,
        [r["text"] for r in rows],
        [r.get("context_before") or "" for r in rows],
        [r.get("context_after") or "" for r in rows],
        actual,
        folds=5,
        seed=0,
    )
    rows_out = [
        {
            "dataset": STANCE_DEV,
            "metric": f"relevance {metric}, learned scorer (5-fold cross-validation)",
            "value": learned[metric],
            "baseline": "lexicon scorer (same data, no training)",
            "baseline_value": ours[metric],
            "n": len(rows),
            "notes": "logistic regression on TF-IDF words + lexicon concepts; folds seeded (0)",
        }
        for metric in ("precision", "recall", "f1")
    ]
    return [
        {
            "dataset": STANCE_DEV,
            "metric": f"relevance {metric}",
            "value": ours[metric],
            "baseline": "keyword rule (big society|volunteer*|voluntary|charit*|community|...)",
            "baseline_value": keyword[metric],
            "n": len(rows),
            "seconds": seconds,
            "notes": notes,
        }
        for metric in ("precision", "recall", "f1")
    ] + rows_out


# -- the manifesto corpus -------------------------------------------------------------------


def manifesto_documents(path: Path, copies: int = 1, keep=lambda i: True):
    """Documents of 50 consecutive sentences of one manifesto (party × year)."""
    from discourse.store import Document

    by_manifesto = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            party, year, number = row["doc_id"].rsplit("_", 2)
            if row["text"].strip():
                by_manifesto[(party, year)].append((int(number), row["text"].strip()))
    documents = []
    index = 0
    for copy in range(copies):
        for (party, year), sentences in sorted(by_manifesto.items()):
            ordered = [text for _, text in sorted(sentences)]
            for start in range(0, len(ordered), SENTENCES_PER_DOCUMENT):
                if keep(index):
                    documents.append(
                        Document(
                            url=f"urn:manifesto:{party}:{year}:{start}:{copy}",
                            text="\n".join(ordered[start : start + SENTENCES_PER_DOCUMENT]),
                            source_kind="other",
                            actor_type="other",
                            party=party,
                            published_at=year,
                            date_precision="year",
                        )
                    )
                index += 1
    return documents


def _fill(path: Path, documents) -> int:
    from discourse.store import Store

    with Store.open(path) as store:
        store.add_documents(documents)
        return store.totals()["words"]


def _child_run(store: Path) -> dict:
    """`analyse` in a fresh process: its summary, wall time and peak RSS."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.benchmarks.analysis", str(store)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    if completed.returncode != 0:
        raise RuntimeError(f"analyse child failed: {completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _bare_baseline(documents, k: int) -> float:
    """Seconds for spacy.blank("en").pipe + Dictionary + LdaMulticore (gensim defaults)."""
    import logging

    import spacy
    from gensim.corpora import Dictionary
    from gensim.models import LdaMulticore

    logging.getLogger("gensim").setLevel(logging.ERROR)
    start = time.perf_counter()
    nlp = spacy.blank("en")
    texts = [
        [t.lower_ for t in doc if t.is_alpha and not t.is_stop]
        for doc in nlp.pipe((d.text for d in documents), batch_size=64)
    ]
    dictionary = Dictionary(texts)
    dictionary.filter_extremes(no_below=5, no_above=0.5)
    corpus = [dictionary.doc2bow(t) for t in texts]
    LdaMulticore(corpus, id2word=dictionary, num_topics=k, random_state=1)
    return time.perf_counter() - start


def _topic_quality(store_path: Path, run_id: str, seed: int) -> dict:
    """Mean NPMI and diversity of the run's topics and of LdaModel defaults on the same tokens."""
    import logging

    from gensim.models import LdaModel

    from discourse.analyse.pipeline import Resources, build_sentences
    from discourse.analyse.relevance import LexiconScorer, load_lexicon
    from discourse.analyse.topics import coherence, diversity, make_units, prepare, top_terms
    from discourse.store import Store

    logging.getLogger("gensim").setLevel(logging.ERROR)
    config = bench_config()
    with Store.open(store_path) as store:
        scorer = LexiconScorer(load_lexicon(), config.relevance.context_weight)
        sentences, matches = build_sentences(store, config, scorer)
        terms = Resources(store, config, sentences, scorer, matches).terms
        prepared = prepare(terms, make_units(sentences, config.topics.unit_words), config.topics)
        table = store.read_results(run_id, "topic_terms")
    table = table[table["ranking"] == "probability"].sort_values(["topic", "rank"])
    ours = [list(group["term"]) for _, group in table.groupby("topic")]
    k = len(ours)
    nonempty = np.flatnonzero(prepared.bow.terms() > 0)
    baseline = LdaModel(
        prepared.bow.subset(nonempty), id2word=prepared.dictionary, num_topics=k, random_state=seed
    )
    theirs = top_terms(baseline, 25)
    texts = prepared.sequences
    n = 10
    return {
        "k": k,
        "units": len(nonempty),
        "ours_npmi": float(np.nanmean(coherence(ours, texts, prepared.dictionary, "c_npmi", n))),
        "base_npmi": float(np.nanmean(coherence(theirs, texts, prepared.dictionary, "c_npmi", n))),
        "ours_diversity": diversity(ours, 15),
        "base_diversity": diversity(theirs, 15),
    }


def _share(context: Context, index: int) -> bool:
    """Whether a manifesto document is part of this run's corpus (every 16th when quick)."""
    return index % 16 == 0 if context.quick else True


def _throughput_rows(dataset: str, run: dict, words: int, bare: float, k: int) -> list[dict]:
    """words/s beside bare spaCy + gensim, and peak RSS: the points of the scaling curve."""
    return [
        {
            "dataset": dataset,
            "metric": "analyse words/s end to end (cold caches)",
            "value": words / run["seconds"],
            "baseline": f'bare spacy.blank("en").pipe + LdaMulticore (defaults, k={k})',
            "baseline_value": words / bare,
            "n": words,
            "seconds": run["seconds"],
            "peak_rss_mb": run["peak_rss_mb"],
            "notes": "ratio of times = baseline_value / value; stage seconds: "
            + json.dumps(run["summary"]["seconds"]),
            "curve": True,
        },
        {
            "dataset": dataset,
            "metric": "analyse peak RSS MB",
            "value": run["peak_rss_mb"],
            "n": words,
            "seconds": run["seconds"],
            "peak_rss_mb": run["peak_rss_mb"],
            "curve": True,
        },
        {
            "dataset": dataset,
            "metric": "analyse peak RSS MB of the largest worker process",
            "value": run["workers_peak_rss_mb"],
            "n": words,
            "seconds": run["seconds"],
            "peak_rss_mb": run["peak_rss_mb"],
            "notes": "forked split/sentiment workers; pages shared with the parent since the "
            "fork count in both figures, so their sum overstates the memory used",
            "curve": True,
        },
    ]


def _scaled(context: Context, path: Path) -> list[dict]:
    """2× and 4×: the corpus replicated, analysed cold, beside the same baseline."""
    documents = manifesto_documents(path, copies=context.scale, keep=lambda i: _share(context, i))
    store = context.work / "manifestos.sqlite"
    words = _fill(store, documents)
    run = _child_run(store)
    k = int(run["summary"]["chosen_k"])
    dataset = f"UK manifesto sentences ×{context.scale} (replicated), {len(documents):,} documents"
    return _throughput_rows(dataset, run, words, _bare_baseline(documents, k), k)


def analysis_manifesto(context: Context) -> list[dict]:
    path = context.dataset(MANIFESTOS)
    if context.scale > 1:
        return _scaled(context, path)
    work = context.work
    # 1× corpus less 1% of its documents, analysed cold
    held_back = lambda i: i % 100 == 0  # noqa: E731
    first = manifesto_documents(path, keep=lambda i: _share(context, i) and not held_back(i))
    extra = manifesto_documents(path, keep=lambda i: _share(context, i) and held_back(i))
    store = work / "manifestos.sqlite"
    words_first = _fill(store, first)
    cold = _child_run(store)
    # add 1% new documents and re-run
    _fill(store, extra)
    warm = _child_run(store)
    k = int(warm["summary"]["chosen_k"])
    bare = _bare_baseline(first, k)
    quality = _topic_quality(store, warm["run_id"], bench_config().analysis.seed)

    def preprocessing(run):
        s = run["summary"]["seconds"]
        p = run["summary"]["preprocess"]
        return s["passages"] + p["seconds_tokens"]

    dataset = f"UK manifesto sentences, {len(first) + len(extra):,} documents of 50 sentences"
    if context.quick:
        dataset += " (every 16th)"
    notes = f"k chosen by held-out NPMI: {k}; {quality['units']:,} modelling units"
    return [
        {
            "dataset": dataset,
            "metric": "topics: mean NPMI of top-10 terms",
            "value": quality["ours_npmi"],
            "baseline": f"gensim LdaModel defaults, same tokens, k={k}",
            "baseline_value": quality["base_npmi"],
            "n": quality["units"],
            "notes": notes,
        },
        {
            "dataset": dataset,
            "metric": "topics: diversity (unique share of top-15 terms)",
            "value": quality["ours_diversity"],
            "baseline": f"gensim LdaModel defaults, same tokens, k={k}",
            "baseline_value": quality["base_diversity"],
            "n": quality["units"],
        },
        *_throughput_rows(dataset, cold, words_first, bare, k),
        {
            "dataset": dataset,
            "metric": "re-run after adding 1% documents: preprocessing seconds",
            "value": preprocessing(warm),
            "baseline": "full run's preprocessing seconds (split + tokenise)",
            "baseline_value": preprocessing(cold),
            "n": warm["summary"]["documents_split"],
            "seconds": warm["seconds"],
            "peak_rss_mb": warm["peak_rss_mb"],
            "notes": (
                f"{warm['summary']['documents_split']} documents split and "
                f"{warm['summary']['preprocess']['tokenised']:,} sentences tokenised on the re-run; "
                f"whole re-run {warm['seconds']:.0f} s vs {cold['seconds']:.0f} s (topics are refitted)"
            ),
        },
    ]


BENCHMARKS = [
    Benchmark(
        "relevance_dev",
        relevance_dev,
        quick=True,
        description="relevance filter P/R/F1 on the stance dev set vs a keyword rule",
    ),
    Benchmark(
        "analysis_manifesto",
        analysis_manifesto,
        quick=True,
        description="analyse on manifestos: topic NPMI/diversity, re-runs, and words/s and "
        "peak RSS at 1×, 2×, 4× corpus",
        scales=(1, 2, 4),
    ),
]


def _main(store: str) -> None:
    """Child process: one `analyse` run, printed as JSON with wall time and peak RSS."""
    from discourse.analyse.pipeline import analyse
    from discourse.store import Store

    with Store.open(store) as opened:
        start = time.perf_counter()
        report = analyse(opened, bench_config())
        seconds = time.perf_counter() - start
        selection = opened.read_results(report.run_id, "topic_coherence")
    summary = dict(report.summary)
    summary["chosen_k"] = int(selection.loc[selection["chosen"] == 1, "k"].iloc[0])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # the split and sentiment workers are forked children: their peak is not in RUSAGE_SELF
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "run_id": report.run_id,
                "summary": summary,
                "seconds": seconds,
                "peak_rss_mb": peak,
                "workers_peak_rss_mb": workers,
            }
        )
    )


if __name__ == "__main__":
    _main(sys.argv[1])
