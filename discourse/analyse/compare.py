"""Survey evidence of scepticism beside the discourse of the same population and time.

Each survey wave marked `measure = sceptical` (see survey.py) is set beside the stance of
the documents its population speaks through (`[compare] populations`: council leaders ↔
local_government documents, the public ↔ every document, the sector ↔ charity and think_tank
documents) dated within `window_months` either side of the wave's fieldwork span. The
discourse side is the share of relevant sentences (stance support, sceptical or neutral) that
are sceptical, and the net stance (support − sceptical) / relevant, each with a bootstrap
interval over documents (`aggregate.grouped_ratios`), and beside them the sceptical share
corrected for classifier error with the run's misclassification matrix, as the stance stage
corrects its shares (stance/correction.py). A document whose date is too imprecise
to say whether it falls in the window (dated "2011" for a window ending in June 2011) is left
out and counted.

Across the waves of one series, survey and discourse are rank-correlated (Spearman and
Kendall) when at least four waves have a discourse estimate; fewer gives no coefficient and
says so. A `break_before` starts a new segment: nothing is correlated across a method change.

The comparison is stored with the analysis run it reads (it runs at the end of `discourse
analyse`, or later with `discourse compare`, which replaces the run's earlier comparison),
together with the survey file's SHA-256 and the settings used.
"""

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta
from scipy import stats

from discourse.analyse.aggregate import group_seed, grouped_ratios, ratio_with_ci
from discourse.analyse.pipeline import stable_rows
from discourse.analyse.stance.correction import unit_contributions
from discourse.analyse.stance.stage import CORRECTION, SENTENCES
from discourse.analyse.survey import SurveyRow, SurveyTable, load_surveys, wilson_interval
from discourse.config import AnalyseFile, CompareSection
from discourse.dates import date_span
from discourse.errors import UsageError
from discourse.progress import SILENT, Progress
from discourse.store import ResultTable, Store
from discourse.vocabulary import STANCES

# The stance stage's tables: its sentence labels and its misclassification matrix.
STANCE_SENTENCES = SENTENCES.name
STANCE_CORRECTION = CORRECTION.name
RELEVANT_STANCES = ("support", "sceptical", "neutral")
MIN_POINTS = 4  # waves with a discourse estimate needed for a rank correlation

SURVEY_COMPARISON = ResultTable(
    name="survey_comparison",
    columns=(
        ("series", "TEXT"),
        ("segment", "INTEGER"),
        ("line", "INTEGER"),
        ("population_group", "TEXT"),
        ("actor_types", "TEXT"),
        ("survey", "TEXT"),
        ("wave", "TEXT"),
        ("population", "TEXT"),
        ("question", "TEXT"),
        ("response", "TEXT"),
        ("survey_pct", "REAL"),
        ("survey_ci_low", "REAL"),
        ("survey_ci_high", "REAL"),
        ("n", "INTEGER"),
        ("n_kind", "TEXT"),
        ("date_start", "TEXT"),
        ("date_end", "TEXT"),
        ("date_basis", "TEXT"),
        ("date_precision", "TEXT"),
        ("date_approximate", "INTEGER"),
        ("window_start", "TEXT"),
        ("window_end", "TEXT"),
        ("documents_in_window", "INTEGER"),
        ("documents_date_unsure", "INTEGER"),
        ("documents", "INTEGER"),
        ("sentences", "INTEGER"),
        ("sceptical_pct", "REAL"),
        ("sceptical_ci_low", "REAL"),
        ("sceptical_ci_high", "REAL"),
        ("net_stance", "REAL"),
        ("net_ci_low", "REAL"),
        ("net_ci_high", "REAL"),
        ("sceptical_corrected_pct", "REAL"),
        ("sceptical_corrected_ci_low", "REAL"),
        ("sceptical_corrected_ci_high", "REAL"),
        ("point", "INTEGER"),
        ("status", "TEXT"),
        ("source", "TEXT"),
    ),
    key=("series", "segment", "date_start", "line"),
    description=(
        "One row per survey wave marked sceptical, beside the discourse of its population in a "
        "window around it. survey_pct: the published share of respondents sceptical, with a 95% "
        "Wilson interval when n is one number (n_kind exact, approximate or lower_bound; a "
        "sampling interval only, nominal for self-selected samples). date_*: the wave's span and "
        "its basis (fieldwork dates, publication date or wave label) and precision; window_*: "
        "the span ± window_months. documents_in_window: documents of the population's "
        "actor_types (actor_types) dated inside the window; documents_date_unsure: those whose "
        "date is too imprecise to tell, left out; documents and sentences: documents and "
        "relevant sentences (stance support, sceptical or neutral) the estimate rests on. "
        "sceptical_pct: sceptical share of relevant sentences (percent) and net_stance: "
        "(support - sceptical) / relevant, each with a 95% bootstrap interval over documents; "
        "sceptical_corrected_pct: the sceptical share corrected by the stance model's "
        "misclassification matrix (as the stance_shares 'corrected' rows; empty when the run "
        "has no correction). "
        "point is 1 when the wave enters its series' rank correlation; status says why not. "
        "segment counts break_before marks within the series (no correlation across them)."
    ),
)
SURVEY_CORRELATION = ResultTable(
    name="survey_correlation",
    columns=(
        ("series", "TEXT"),
        ("segment", "INTEGER"),
        ("population_group", "TEXT"),
        ("waves", "INTEGER"),
        ("points", "INTEGER"),
        ("spearman_rho", "REAL"),
        ("spearman_p", "REAL"),
        ("kendall_tau", "REAL"),
        ("kendall_p", "REAL"),
        ("status", "TEXT"),
    ),
    key=("series", "segment"),
    description=(
        "Rank correlation, across the waves of one series segment, between the survey's "
        "sceptical share and the discourse sceptical share: Spearman's rho and Kendall's tau-b "
        "with their p-values, computed only when at least 4 waves have a discourse estimate "
        "(points); otherwise empty, and status says so. Segments are separated by break_before "
        "marks (method changes): nothing is correlated across them."
    ),
)
SURVEY_SETTINGS = ResultTable(
    name="survey_settings",
    columns=(("name", "TEXT"), ("value", "TEXT")),
    key=("name",),
    description=(
        "How the survey comparison was made: the survey table (path, SHA-256, rows), the "
        "window, the population mapping, the minimum documents for a point and the stance "
        "table it read, so the comparison can be traced and repeated."
    ),
)


@dataclass(frozen=True)
class Comparison:
    waves: pd.DataFrame  # SURVEY_COMPARISON columns
    correlations: pd.DataFrame  # SURVEY_CORRELATION columns
    settings: pd.DataFrame  # SURVEY_SETTINGS columns

    def tables(self) -> list[tuple[ResultTable, pd.DataFrame]]:
        return [
            (SURVEY_COMPARISON, self.waves),
            (SURVEY_CORRELATION, self.correlations),
            (SURVEY_SETTINGS, self.settings),
        ]


def compare(
    stance: pd.DataFrame,
    documents: pd.DataFrame,
    surveys: SurveyTable,
    config: CompareSection,
    *,
    seed: int,
    replicates: int = 1000,
    misclassification: np.ndarray | None = None,
) -> Comparison:
    """Align every sceptical survey wave with the discourse of its population.

    `stance`: one row per sentence (every sentence, irrelevant ones too) with `document_id`
    and `stance`; `documents`: `id`, `published_at` and `actor_type` of the documents the
    sentences belong to; `misclassification`: the stance model's P(predicted | true) matrix
    in vocabulary.STANCES order, for the corrected share.
    """
    waves = surveys.measures("sceptical")
    unknown = sorted({w.population_group for w in waves} - set(config.populations))
    if unknown:
        line = next(w.line for w in waves if w.population_group == unknown[0])
        raise UsageError(
            f"{surveys.path}:{line}: column 'population_group': {unknown[0]!r} is not a "
            f"population of [compare] populations ({', '.join(sorted(config.populations))})",
            hint="add it to [compare.populations] with the actor_types that speak for it",
        )
    spans = _document_spans(documents)
    relevant = stance[stance["stance"].isin(RELEVANT_STANCES)]
    units = relevant.assign(
        sceptical=(relevant["stance"] == "sceptical").astype(float),
        net=(relevant["stance"] == "support").astype(float)
        - (relevant["stance"] == "sceptical").astype(float),
    )[["document_id", "sceptical", "net"]]
    contributions = None
    if misclassification is not None:
        # each sentence carries its column of (Mᵀ)⁻¹: summed, the corrected label counts
        predicted = stance["stance"].map(STANCES.index).to_numpy()
        corrected = unit_contributions(misclassification)[:, predicted].T
        contributions = pd.DataFrame(corrected, columns=list(STANCES))
        contributions["document_id"] = stance["document_id"].to_numpy()
    segments = _segments(waves)
    rows, blocks = [], []
    for wave in waves:
        row, members = _align(wave, segments[wave.line], spans, config)
        rows.append(row)
        if members is not None:
            block = units[units["document_id"].isin(members)]
            blocks.append(block.assign(line=wave.line))
            if contributions is not None and not block.empty:
                in_window = contributions[contributions["document_id"].isin(members)]
                _corrected(row, in_window, seed, replicates)
    estimates = _estimates(blocks, seed, replicates)
    for row in rows:
        _fill(row, estimates.get(row["line"]), config.min_documents)
    columns = [c for c, _ in SURVEY_COMPARISON.columns]
    table = pd.DataFrame(rows, columns=columns)
    settings = _settings(surveys, config, corrected=misclassification is not None)
    return Comparison(table, correlations(table), settings)


def _document_spans(documents: pd.DataFrame) -> pd.DataFrame:
    """First and last possible day of each document's date (NaT when undated)."""
    firsts, lasts = [], []
    for value in documents["published_at"]:
        if isinstance(value, str) and value:
            first, last = date_span(value)
            firsts.append(pd.Timestamp(first))
            lasts.append(pd.Timestamp(last))
        else:
            firsts.append(pd.NaT)
            lasts.append(pd.NaT)
    return pd.DataFrame(
        {
            "id": documents["id"].to_numpy(),
            "actor_type": documents["actor_type"].to_numpy(),
            "first": firsts,
            "last": lasts,
        }
    )


def _segments(waves: list[SurveyRow]) -> dict[int, int]:
    """Segment number of each wave: break_before marks counted in file order per series."""
    counters: dict[str, int] = {}
    segment = {}
    for wave in waves:
        key = wave.series or f"line {wave.line}"
        if key in counters and wave.break_before:
            counters[key] += 1
        counters.setdefault(key, 0)
        segment[wave.line] = counters[key]
    return segment


def _align(wave: SurveyRow, segment: int, spans: pd.DataFrame, config: CompareSection):
    actors = config.populations[wave.population_group]
    row = {
        "series": wave.series or f"line {wave.line}",
        "segment": segment,
        "line": wave.line,
        "population_group": wave.population_group,
        "actor_types": ",".join(actors),
        "survey": wave.survey,
        "wave": wave.wave,
        "population": wave.population,
        "question": wave.question,
        "response": wave.response,
        "survey_pct": wave.value_pct,
        "survey_ci_low": None,
        "survey_ci_high": None,
        "n": wave.n,
        "n_kind": wave.n_kind,
        "source": wave.source,
    }
    if wave.value_pct is not None and wave.n is not None:
        row["survey_ci_low"], row["survey_ci_high"] = wilson_interval(wave.value_pct, wave.n)
    timing = wave.timing
    if timing is None:
        row.update(date_basis="none", date_approximate=0, status="wave has no readable date")
        return row, None
    start = pd.Timestamp(timing.start - relativedelta(months=config.window_months))
    end = pd.Timestamp(timing.end + relativedelta(months=config.window_months))
    row.update(
        date_start=timing.start.isoformat(),
        date_end=timing.end.isoformat(),
        date_basis=timing.basis,
        date_precision=timing.precision,
        date_approximate=int(timing.approximate),
        window_start=start.date().isoformat(),
        window_end=end.date().isoformat(),
    )
    population = spans if "*" in actors else spans[spans["actor_type"].isin(actors)]
    dated = population.dropna(subset=["first"])
    inside = (dated["first"] >= start) & (dated["last"] <= end)
    overlaps = (dated["last"] >= start) & (dated["first"] <= end)
    row["documents_in_window"] = int(inside.sum())
    row["documents_date_unsure"] = int((overlaps & ~inside).sum())
    return row, set(dated.loc[inside, "id"].tolist())


def _estimates(blocks: list[pd.DataFrame], seed: int, replicates: int) -> dict[int, dict]:
    if not blocks:
        return {}
    units = pd.concat(blocks, ignore_index=True)
    if units.empty:
        return {}
    frame = grouped_ratios(
        units, values=["sceptical", "net"], groups=["line"], seed=seed, replicates=replicates
    )
    estimates: dict[int, dict] = {}
    for record in frame.to_dict(orient="records"):
        estimates.setdefault(int(record["line"]), {})[record["metric"]] = record
    return estimates


def _corrected(row: dict, contributions: pd.DataFrame, seed: int, replicates: int) -> None:
    """The wave's sceptical share corrected for classifier error, bootstrapped by document."""
    per_document = contributions.groupby("document_id", sort=True).sum()
    relevant = per_document[list(RELEVANT_STANCES)].sum(axis=1).to_numpy()
    estimate, low, high = ratio_with_ci(
        per_document["sceptical"].to_numpy(),
        relevant,
        group_seed(seed, (row["line"], "corrected")),
        replicates=replicates,
    )
    row["sceptical_corrected_pct"] = 100.0 * float(np.clip(estimate, 0.0, 1.0))
    row["sceptical_corrected_ci_low"] = 100.0 * float(np.clip(low, 0.0, 1.0))
    row["sceptical_corrected_ci_high"] = 100.0 * float(np.clip(high, 0.0, 1.0))


def _fill(row: dict, estimate: dict | None, min_documents: int) -> None:
    row.setdefault("documents_in_window", 0 if row.get("date_start") else None)
    row.setdefault("documents_date_unsure", 0 if row.get("date_start") else None)
    row["documents"] = 0
    row["sentences"] = 0
    row["point"] = 0
    if estimate is not None:
        sceptical, net = estimate["sceptical"], estimate["net"]
        row.update(
            documents=int(sceptical["documents"]),
            sentences=int(sceptical["units"]),
            sceptical_pct=100.0 * sceptical["estimate"],
            sceptical_ci_low=100.0 * sceptical["ci_low"],
            sceptical_ci_high=100.0 * sceptical["ci_high"],
            net_stance=net["estimate"],
            net_ci_low=net["ci_low"],
            net_ci_high=net["ci_high"],
        )
    if "status" in row:
        return
    if row["survey_pct"] is None:
        row["status"] = "the source gives no exact figure"
    elif row["documents"] == 0:
        row["status"] = (
            "no documents of the population in the window"
            if row["documents_in_window"] == 0
            else "no relevant sentences in the window's documents"
        )
    elif row["documents"] < min_documents:
        row["status"] = (
            f"only {row['documents']} document(s) with relevant sentences "
            f"(min_documents = {min_documents})"
        )
    else:
        row["status"] = "compared"
        row["point"] = 1


def correlations(waves: pd.DataFrame) -> pd.DataFrame:
    """Spearman and Kendall per series segment, only where at least MIN_POINTS waves count."""
    rows = []
    for (series, segment), block in waves.groupby(["series", "segment"], sort=True):
        points = block[block["point"] == 1]
        row = {
            "series": series,
            "segment": int(segment),
            "population_group": block["population_group"].iloc[0],
            "waves": len(block),
            "points": len(points),
            "spearman_rho": None,
            "spearman_p": None,
            "kendall_tau": None,
            "kendall_p": None,
        }
        survey = points["survey_pct"].to_numpy(dtype=float)
        discourse = points["sceptical_pct"].to_numpy(dtype=float)
        if len(points) < MIN_POINTS:
            row["status"] = (
                f"too few points for a rank correlation: {len(points)} of the {MIN_POINTS} needed"
            )
        elif np.ptp(survey) == 0 or np.ptp(discourse) == 0:
            row["status"] = "no rank correlation: one side does not vary across the waves"
        else:
            spearman = stats.spearmanr(survey, discourse)
            kendall = stats.kendalltau(survey, discourse)
            row.update(
                spearman_rho=float(spearman.statistic),
                spearman_p=float(spearman.pvalue),
                kendall_tau=float(kendall.statistic),
                kendall_p=float(kendall.pvalue),
                status="compared",
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=[c for c, _ in SURVEY_CORRELATION.columns])


def _settings(surveys: SurveyTable, config: CompareSection, *, corrected: bool) -> pd.DataFrame:
    values = {
        "surveys": str(surveys.path),
        "surveys_sha256": surveys.sha256,
        "survey_rows": str(len(surveys.rows)),
        "sceptical_rows": str(len(surveys.measures("sceptical"))),
        "window_months": str(config.window_months),
        "min_documents": str(config.min_documents),
        "min_points": str(MIN_POINTS),
        "populations": json.dumps(config.populations, sort_keys=True),
        "stance_table": STANCE_SENTENCES,
        "corrected_by": STANCE_CORRECTION if corrected else "",
        "relevant_stances": ",".join(RELEVANT_STANCES),
    }
    return pd.DataFrame({"name": list(values), "value": list(values.values())})


def misclassification_matrix(store: Store, run_id: str) -> np.ndarray | None:
    """The P(predicted | true) matrix the run's stance stage corrected with, if it did."""
    if STANCE_CORRECTION not in store.result_names(run_id):
        return None
    table = store.read_results(run_id, STANCE_CORRECTION)
    cells = {
        (t, p): v
        for t, p, v in table[["true_label", "predicted_label", "probability"]].itertuples(
            index=False
        )
    }
    return np.array([[cells[(t, p)] for p in STANCES] for t in STANCES], dtype=float)


def recorded_config(store: Store, run_id: str) -> AnalyseFile:
    """The validated configuration an analysis run was made with."""
    run = store.get_run(run_id)
    if run["kind"] != "analyse":
        raise UsageError(
            f"run {run_id} is a {run['kind']} run, not an analysis",
            hint="`discourse runs` lists the analysis runs",
        )
    return AnalyseFile.model_validate(run["config_json"] or {}, strict=False)


def compare_run(
    store: Store,
    run_id: str,
    config: CompareSection | None = None,
    *,
    write: bool = True,
    progress: Progress = SILENT,
) -> Comparison:
    """Compare a finished analysis run's stance with the survey table; store it under the run.

    The seed and bootstrap replicates are the run's own, so the comparison is as reproducible
    as the run. `config` defaults to the [compare] section the run was made with. With
    `write=False` nothing is stored (to try another window in a notebook, say).
    """
    run = store.get_run(run_id)
    recorded = recorded_config(store, run_id)
    config = config or recorded.compare
    if STANCE_SENTENCES not in store.result_names(run_id):
        raise UsageError(
            f"run {run_id} has no stance results ({STANCE_SENTENCES})",
            hint="the comparison needs the stance stage: re-run `discourse analyse`",
        )
    with progress.task("survey comparison", total=3) as task:
        surveys = load_surveys(config.surveys)
        task.advance()
        stance = store.read_results(run_id, STANCE_SENTENCES)[["document_id", "stance"]]
        matrix = misclassification_matrix(store, run_id)
        documents = store.document_index(include_duplicates=True)
        documents = documents[documents["id"].isin(stance["document_id"].unique())]
        task.advance()
        comparison = compare(
            stance,
            documents,
            surveys,
            config,
            seed=recorded.analysis.seed if run["seed"] is None else int(run["seed"]),
            replicates=recorded.analysis.replicates,
            misclassification=matrix,
        )
        if write:
            for table, frame in comparison.tables():
                store.write_results(run_id, table, stable_rows(table, frame), replace=True)
        task.advance()
    return comparison
