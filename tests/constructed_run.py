"""An analysis run with hand-written result tables, for testing what outputs draw and print.

The tables use the analysis stages' own declarations, so a change of a stage's columns shows
up here; the numbers are chosen by hand, so every expectation can be exact.
"""

from conftest import make_document

from discourse.analyse.compare import SURVEY_COMPARISON, SURVEY_CORRELATION, SURVEY_SETTINGS
from discourse.analyse.sentiment.stage import BY_GROUP, SETTINGS
from discourse.analyse.stance.stage import MODEL as STANCE_MODEL
from discourse.analyse.stance.stage import SHARES as STANCE_SHARES
from discourse.analyse.topics import TOPIC_COHERENCE, TOPIC_SHARES, TOPIC_SUMMARY, TOPIC_TERMS
from discourse.analyse.trends import KEYNESS, TERM_RATES
from discourse.config import AnalyseFile

NASTY = "<script>window.pwned=1</script>"  # must never reach a page unescaped


def topic_rows():
    rows = []
    for period, documents, shares in (("2010", 3, (0.6, 0.4)), ("2012", 2, (0.25, 0.75))):
        for topic, share in enumerate(shares):
            rows.append(
                dict(
                    period=period,
                    actor_type="all",
                    topic=topic,
                    share=share,
                    ci_low=share - 0.1,
                    ci_high=share + 0.1,
                    documents=documents,
                    units=documents * 2,
                )
            )
            rows.append(
                dict(
                    period=period,
                    actor_type="charity",
                    topic=topic,
                    share=share,
                    ci_low=None,
                    ci_high=None,
                    documents=1,
                    units=2,
                )
            )
    return rows


def stance_rows():
    rows = []
    for actor, period, support, sceptical, docs in (
        ("all", "2010", 0.5, 0.25, 4),
        ("all", "2011", 0.4, 0.4, 3),
        ("local_government", "2010", 0.0, 1.0, 1),
        ("charity", "2010", 2 / 3, 0.0, 3),
        ("charity", "2011", 0.4, 0.4, 3),
    ):
        for method, shift in (("raw", 0.0), ("corrected", 0.1)):
            for metric, value in (
                ("support", max(support - shift, 0.0)),
                ("sceptical", min(sceptical + shift, 1.0)),
                ("neutral", 1 - support - sceptical),
                ("net_stance", support - sceptical - 2 * shift),
            ):
                single = docs == 1
                floor = -1.0 if metric == "net_stance" else 0.0
                rows.append(
                    dict(
                        period=period,
                        actor_type=actor,
                        method=method,
                        metric=metric,
                        estimate=value,
                        ci_low=None if single else max(value - 0.2, floor),
                        ci_high=None if single else min(value + 0.2, 1.0),
                        documents=docs,
                        units=docs * 4 if method == "raw" else docs * 6,
                    )
                )
    return rows


def sentiment_rows():
    rows = []
    for scope in ("all", "target"):
        for actor, period, mean, docs in (
            ("central_government", "2010", 0.3, 2),
            ("central_government", "2011", 0.1, 2),
            ("parliament", "2010", -0.2, 1),
        ):
            for metric, value in (
                ("mean_sentiment", mean),
                ("share_positive", 0.5),
                ("share_negative", 0.2),
            ):
                rows.append(
                    dict(
                        scope=scope,
                        period=period,
                        actor_type=actor,
                        metric=metric,
                        estimate=value,
                        ci_low=None if docs == 1 else value - 0.1,
                        ci_high=None if docs == 1 else value + 0.1,
                        documents=docs,
                        sentences=docs * 5,
                    )
                )
    return rows


def term_rows():
    rows = []
    for term, label, counts in (
        ("big_society", "Big Society", (4, 1)),
        ("localism", "localism and community rights", (0, 2)),
        ("mutuals", "mutuals", (0, 0)),
    ):
        for (period, words, docs), count in zip(
            (("2010", 1000, 3), ("2011", 500, 2)), counts, strict=True
        ):
            rate = count * 10_000 / words
            for actor in ("all", "charity"):
                rows.append(
                    dict(
                        term=term,
                        label=label,
                        period=period,
                        actor_type=actor,
                        per_10k=rate,
                        ci_low=rate / 2,
                        ci_high=rate * 2,
                        count=count,
                        words=words,
                        documents=docs,
                    )
                )
    return rows


def keyness_rows():
    rows = []
    comparison = "actor_type:local_government vs central_government"
    for direction, rank, term, ratio, ll, p in (
        ("target", 1, "council", 3.0, 12.5, 0.0004),
        ("target", 2, "option", 1.5, 2.0, 0.157),
        ("reference", 1, "big_society", -2.0, 8.0, 0.0047),
    ):
        rows.append(
            dict(
                comparison=comparison,
                direction=direction,
                rank=rank,
                term=term,
                target_count=10 if direction == "target" else 1,
                reference_count=1 if direction == "target" else 8,
                target_per_10k=10.0,
                reference_per_10k=1.0,
                log_likelihood=ll,
                log_ratio=ratio,
                p_value=p,
                target_total=900,
                reference_total=1100,
            )
        )
    return rows


def survey_rows():
    common = dict(
        segment=0,
        population_group="public",
        actor_types="*",
        population="GB adults",
        question="Will it work",
        response="will not work",
        n=None,
        n_kind="missing",
        date_basis="fieldwork",
        date_precision="day",
        date_approximate=0,
        documents_date_unsure=0,
        source="https://example.org/poll",
    )
    rows = []
    for line, date, survey_pct, ci, sceptical, docs, point, status in (
        (2, "2011-01-10", 68.0, None, 20.0, 3, 1, "compared"),
        (3, "2011-05-10", 73.0, (70.0, 76.0), 30.0, 4, 1, "compared"),
        (4, "2012-03-10", 73.0, None, None, 0, 0, "no documents of the population in the window"),
    ):
        rows.append(
            dict(
                common,
                series="yougov-will-not-work",
                line=line,
                survey=f"YouGov {NASTY}",
                wave=date[:7],
                survey_pct=survey_pct,
                survey_ci_low=ci[0] if ci else None,
                survey_ci_high=ci[1] if ci else None,
                date_start=date,
                date_end=date,
                window_start="2010-07-10",
                window_end="2012-09-10",
                documents_in_window=docs,
                documents=docs,
                sentences=docs * 3,
                sceptical_pct=sceptical,
                sceptical_ci_low=None if sceptical is None else sceptical - 10,
                sceptical_ci_high=None if sceptical is None else sceptical + 10,
                net_stance=None if sceptical is None else 0.1,
                net_ci_low=None if sceptical is None else -0.2,
                net_ci_high=None if sceptical is None else 0.3,
                point=point,
                status=status,
            )
        )
    return rows


def build_run(store, *, stance=True, survey=True) -> str:
    """A finished analysis run holding every table the charts and the report read."""
    for n, (actor, date) in enumerate(
        (("charity", "2010-03-01"), ("central_government", "2011-06-01")), start=1
    ):
        store.add_document(make_document(n, actor_type=actor, published_at=date))
    config = AnalyseFile.model_validate({"analysis": {"replicates": 200}})
    with store.run("analyse", config=config.model_dump(mode="json"), seed=5) as run:
        run.summary.update(documents=5, sentences=40, relevant_sentences=20, words=1500)
        store.write_results(run.id, TOPIC_SHARES, topic_rows())
        store.write_results(
            run.id,
            TOPIC_SUMMARY,
            [
                dict(
                    topic=0,
                    label="big_society volunteer cuts library",
                    share=0.45,
                    coherence=0.12,
                    documents=4,
                ),
                dict(
                    topic=1,
                    label=f"council budget {NASTY}",
                    share=0.55,
                    coherence=0.08,
                    documents=3,
                ),
            ],
        )
        store.write_results(
            run.id,
            TOPIC_TERMS,
            [
                dict(
                    topic=t,
                    ranking=r,
                    rank=1,
                    term=term,
                    probability=0.1,
                    exclusivity=0.5,
                    frex=0.9,
                )
                for t, term in ((0, "big_society"), (1, "council"))
                for r in ("probability", "frex")
            ],
        )
        store.write_results(
            run.id,
            TOPIC_COHERENCE,
            [
                dict(
                    k=2,
                    measure="c_npmi",
                    coherence=0.1,
                    diversity=0.9,
                    train_units=8,
                    heldout_units=2,
                    chosen=1,
                ),
                dict(
                    k=3,
                    measure="c_npmi",
                    coherence=0.05,
                    diversity=0.8,
                    train_units=8,
                    heldout_units=2,
                    chosen=0,
                ),
            ],
        )
        if stance:
            store.write_results(run.id, STANCE_SHARES, stance_rows())
            store.write_results(
                run.id,
                STANCE_MODEL,
                [dict(key="selected", value="words+rules"), dict(key="cv_macro_f1", value="0.7")],
            )
        store.write_results(run.id, BY_GROUP, sentiment_rows())
        store.write_results(
            run.id,
            SETTINGS,
            [dict(name="method", value="combined"), dict(name="dictionary", value="tone.csv")],
        )
        store.write_results(run.id, TERM_RATES, term_rows())
        store.write_results(run.id, KEYNESS, keyness_rows())
        if survey:
            store.write_results(run.id, SURVEY_COMPARISON, survey_rows())
            store.write_results(
                run.id,
                SURVEY_CORRELATION,
                [
                    dict(
                        series="yougov-will-not-work",
                        segment=0,
                        population_group="public",
                        waves=3,
                        points=2,
                        spearman_rho=None,
                        spearman_p=None,
                        kendall_tau=None,
                        kendall_p=None,
                        status="too few points for a rank correlation: 2 of the 4 needed",
                    ),
                ],
            )
            store.write_results(run.id, SURVEY_SETTINGS, [dict(name="window_months", value="6")])
    return run.id
