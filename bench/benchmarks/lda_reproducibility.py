"""Is gensim LDA reproducible with a fixed seed, and what does reproducibility cost?

Fits the same model twice with LdaModel (what `analyse` uses with workers = 1) and with
LdaMulticore at 1 and 2 workers, on the UK manifesto sentences (lower-cased whitespace tokens,
the same corpus for all), and reports the seconds per fit and whether the two fits gave
byte-identical topic-term matrices. The quick run fits the first 2,500 sentences.
"""

import csv
import gzip
import hashlib
import logging
import time

from bench.harness import Benchmark, Context

MANIFESTOS = "text/uk-manifesto-sentences-1945-2010.csv.gz"


def lda_reproducibility(context: Context) -> list[dict]:
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel, LdaMulticore

    logging.getLogger("gensim").setLevel(logging.ERROR)
    with gzip.open(context.dataset(MANIFESTOS), "rt", encoding="utf-8") as handle:
        texts = [row["text"].lower().split() for row in csv.DictReader(handle)]
    size = 2_500 if context.quick else 20_000
    texts = texts[:size]
    dictionary = Dictionary(texts)
    dictionary.filter_extremes(no_below=5, no_above=0.5)
    corpus = [dictionary.doc2bow(t) for t in texts]
    common = dict(corpus=corpus, id2word=dictionary, num_topics=10, passes=2, random_state=1)

    def fit(kind: str):
        start = time.perf_counter()
        if kind == "LdaModel":
            model = LdaModel(**common)
        else:
            model = LdaMulticore(workers=int(kind[-1]), **common)
        seconds = time.perf_counter() - start
        return hashlib.sha256(model.get_topics().tobytes()).hexdigest(), seconds

    results = []
    for kind in ("LdaModel", "LdaMulticore workers=1", "LdaMulticore workers=2"):
        (first, a), (second, b) = fit(kind), fit(kind)
        results.append(
            {
                "dataset": f"UK manifesto sentences (first {size:,}; k=10, 2 passes)",
                "metric": f"{kind}: seconds per fit",
                "value": (a + b) / 2,
                "n": len(corpus),
                "notes": "two fits with the same seed "
                + ("gave identical topics" if first == second else "gave DIFFERENT topics"),
            }
        )
    return results


BENCHMARKS = [
    Benchmark(
        "lda_reproducibility",
        lda_reproducibility,
        quick=True,
        description="fit time and same-seed reproducibility of LdaModel vs LdaMulticore",
    )
]
