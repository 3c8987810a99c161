"""Publication charts of one analysis run, each with its numbers and its caption.

Every chart is drawn from the run's stored result tables only (never recomputed), in the
project style (style.py), and written as vector PDF and SVG, a 300-dpi PNG, a tidy CSV of
exactly the numbers drawn, and a caption (.txt) stating what is shown, the n, the period, the
method and the run id. A chart whose results the run does not have, or that has nothing to
draw, is not faked: it is listed with the reason instead of a figure.

Sparse data is drawn as it is: a period with one document has no interval (nothing to
resample), a missing period breaks the line rather than bridging it, and panels without data
are left out with a note in the caption.
"""

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from io import StringIO
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedFormatter, FixedLocator, NullFormatter, PercentFormatter

from discourse.dates import period_span
from discourse.errors import UsageError
from discourse.outputs.style import (
    CM,
    DOUBLE_COLUMN,
    GREY,
    LIGHT_GREY,
    MARKERS,
    OKABE_ITO,
    SERIES_COLOURS,
    SINGLE_COLUMN,
    STANCE_COLOURS,
    project_style,
    render,
)
from discourse.store import Store
from discourse.vocabulary import ACTOR_TYPES

DEFAULT_DIR = Path("outputs/charts")
FORMATS = ("pdf", "svg", "png")
ALL = "all"  # actor_type of result rows that pool every actor
DASHED = (0, (3, 1.5))


@dataclass(frozen=True)
class Event:
    day: dt.date
    label: str


# Moments of the Big Society story marked on the sentiment chart.
KEY_EVENTS = (
    Event(dt.date(2010, 5, 6), "general election (6 May 2010)"),
    Event(dt.date(2010, 7, 19), "Big Society launch (19 July 2010)"),
    Event(dt.date(2010, 10, 20), "Spending Review (20 October 2010)"),
    Event(dt.date(2011, 11, 15), "Localism Act (Royal Assent 15 November 2011)"),
    Event(dt.date(2015, 5, 7), "general election (7 May 2015)"),
)

# The stance stage's aggregate table and the labels drawn from it: the two sides (the neutral
# share is the remainder, in the table and the report but not drawn).
STANCE_TABLE = "stance_shares"
STANCE_DRAWN = ("support", "sceptical")
STANCE_METHODS = ("raw", "corrected")


class RunResults:
    """One analysis run's record and result tables, each read from the store once."""

    def __init__(self, store: Store, run_id: str):
        self.store = store
        self.run = store.get_run(run_id)
        if self.run["kind"] != "analyse":
            raise UsageError(
                f"run {run_id} is a {self.run['kind']} run, not an analysis",
                hint="`discourse runs` lists the analysis runs",
            )
        self.id = run_id
        self._names = set(store.result_names(run_id))
        self._tables: dict[str, pd.DataFrame] = {}

    @classmethod
    def latest(cls, store: Store) -> "RunResults":
        return cls(store, store.latest_run("analyse")["id"])

    def has(self, name: str) -> bool:
        return name in self._names

    def table(self, name: str) -> pd.DataFrame | None:
        """The run's rows of a result table, or None when the run has none."""
        if name not in self._names:
            return None
        if name not in self._tables:
            self._tables[name] = self.store.read_results(self.id, name)
        return self._tables[name]

    @cached_property
    def config(self) -> dict:
        return self.run.get("config_json") or {}

    @property
    def period(self) -> str:
        return self.config.get("analysis", {}).get("period", "year")

    @property
    def replicates(self) -> int:
        return int(self.config.get("analysis", {}).get("replicates", 1000))

    def citation(self) -> str:
        """The run as a caption cites it."""
        return (
            f"Run {self.id} (config sha256 {str(self.run.get('config_hash') or '')[:12]}, "
            f"discourse {self.run['package_version']})."
        )


@dataclass
class Chart:
    number: int
    name: str  # file stem, e.g. "fig1-topic-shares"
    title: str
    caption: str
    data: pd.DataFrame  # tidy: exactly the numbers drawn
    figure: Figure | None = None  # None when there is nothing honest to draw
    reason: str = ""  # why it was not drawn
    files: list[Path] = field(default_factory=list)

    def render(self, fmt: str) -> bytes:
        if self.figure is None:
            raise ValueError(f"{self.name}: not drawn ({self.caption})")
        return render(self.figure, fmt)

    def svg(self) -> str:
        """The chart as an SVG document (for inlining in HTML or a notebook)."""
        return self.render("svg").decode("utf-8")

    def _repr_svg_(self) -> str | None:
        return self.svg() if self.figure is not None else None

    def csv(self) -> str:
        out = StringIO()
        self.data.to_csv(out, index=False, lineterminator="\n", float_format="%.10g")
        return out.getvalue()


def build_charts(results: RunResults) -> list[Chart]:
    """Every chart of a run, in figure order (missing results give an undrawn chart)."""
    with project_style():
        return [
            topic_shares_chart(results),
            stance_chart(results),
            sentiment_chart(results),
            survey_chart(results),
            term_trends_chart(results),
            keyness_chart(results),
        ]


def write_charts(
    store: Store, run_id: str | None = None, out_dir: Path = DEFAULT_DIR
) -> list[Chart]:
    """Write a run's charts to OUT_DIR/RUN_ID/: PDF, SVG, PNG, CSV and caption for each."""
    results = RunResults(store, run_id) if run_id else RunResults.latest(store)
    target = Path(out_dir) / results.id
    target.mkdir(parents=True, exist_ok=True)
    charts = build_charts(results)
    for chart in charts:
        caption = target / f"{chart.name}.txt"
        caption.write_text(chart.caption + "\n", encoding="utf-8")
        chart.files = [caption]
        if chart.figure is None:
            continue
        for fmt in FORMATS:
            path = target / f"{chart.name}.{fmt}"
            path.write_bytes(chart.render(fmt))
            chart.files.append(path)
        data = target / f"{chart.name}.csv"
        data.write_text(chart.csv(), encoding="utf-8")
        chart.files.append(data)
    (target / "index.json").write_text(chart_index(charts) + "\n", encoding="utf-8")
    return charts


# -- 1. topic shares ------------------------------------------------------------------------


def topic_shares_chart(results: RunResults) -> Chart:
    number, name, title = 1, "fig1-topic-shares", "Topic shares over time"
    shares = results.table("topic_shares")
    summary = results.table("topic_summary")
    if shares is None or summary is None:
        return _undrawn(
            number,
            name,
            title,
            "the run has no topic model (topics disabled, or too little text to fit one)",
            results,
        )
    pooled = shares[shares["actor_type"] == ALL]
    if pooled.empty:
        return _undrawn(number, name, title, "no dated documents were modelled", results)
    labels = {
        int(t): _topic_label(int(t), label)
        for t, label in zip(summary["topic"], summary["label"], strict=True)
    }
    periods = _ordered_periods(pooled["period"])
    data = pd.DataFrame(
        {
            "topic": pooled["topic"].astype(int),
            "label": [labels[int(t)] for t in pooled["topic"]],
            "period": pooled["period"],
            "x": [_midpoint(p).isoformat() for p in pooled["period"]],
            "share": pooled["share"],
            "ci_low": pooled["ci_low"],
            "ci_high": pooled["ci_high"],
            "documents": pooled["documents"].astype(int),
        }
    ).sort_values(["topic", "period"], ignore_index=True)
    topics = sorted(data["topic"].unique())
    figure, axes, width = _panel_grid(len(topics), panel_height=3.0)
    for ax, topic in zip(axes, topics, strict=False):
        block = data[data["topic"] == topic]
        _band_series(ax, periods, block, "share", SERIES_COLOURS[0])
        _panel_title(ax, labels[topic], width)
    _finish_time_panels(figure, axes, periods, width, ylabel="share of words", percent=True)
    documents = int(data[data["topic"] == topics[0]]["documents"].sum())
    config = results.config.get("topics", {})
    coherence = results.table("topic_coherence")
    chosen = _chosen_k(coherence)
    caption = (
        f"Figure {number}. {title}. Share of the modelled words of all documents assigned to each "
        f"of {len(topics)} topics, {_period_note(periods, results.period)}, one panel per topic "
        f"labelled by its top terms by exclusivity (FREX). Topics from LDA (gensim) with "
        f"K = {chosen} chosen from {config.get('k', '?')} by held-out {config.get('coherence', 'c_npmi')} "
        f"coherence; ribbons are 95% bootstrap intervals over documents "
        f"({results.replicates} replicates; none where a period rests on one document). "
        f"n = {documents} documents. {results.citation()}"
    )
    return Chart(number, name, title, caption, data, figure)


def _topic_label(topic: int, label: str, terms: int = 3) -> str:
    words = [w.replace("_", " ") for w in str(label).split()][:terms]
    return f"T{topic + 1}: {', '.join(words)}"


def _chosen_k(coherence: pd.DataFrame | None) -> str:
    if coherence is None or coherence.empty:
        return "?"
    chosen = coherence[coherence["chosen"] == 1]
    return str(int(chosen["k"].iloc[0])) if not chosen.empty else "?"


# -- 2. stance ------------------------------------------------------------------------------


def stance_chart(results: RunResults) -> Chart:
    number, name, title = (
        2,
        "fig2-stance-by-actor",
        "Stance toward state–civil-society blurring, by actor",
    )
    table = results.table(STANCE_TABLE)
    if table is None:
        return _undrawn(
            number, name, title, f"the run has no stance results ({STANCE_TABLE})", results
        )
    rows = table[table["metric"].isin(STANCE_DRAWN) & table["method"].isin(STANCE_METHODS)].dropna(
        subset=["period"]
    )
    actors = _actor_panels(rows[rows["method"] == "raw"]["actor_type"])
    if rows.empty or not actors:
        return _undrawn(number, name, title, "no relevant sentences in dated documents", results)
    raw = rows["method"] == "raw"
    data = pd.DataFrame(
        {
            "actor_type": rows["actor_type"],
            "stance": rows["metric"],
            "method": rows["method"],
            "period": rows["period"],
            "x": [_midpoint(p).isoformat() for p in rows["period"]],
            "share": rows["estimate"],
            # intervals are drawn for the raw shares only (the corrected ones are in the table)
            "ci_low": rows["ci_low"].where(raw),
            "ci_high": rows["ci_high"].where(raw),
            "documents": rows["documents"].astype(int),
            "sentences": rows[_units_column(rows)].astype(int),
        }
    )
    # the corrected shares are drawn for the pooled panel only: per actor they mostly echo the
    # raw ones at twice the clutter (all of them are in the stance table and the report)
    data = data[data["actor_type"].isin(actors)]
    data = data[(data["method"] == "raw") | (data["actor_type"] == ALL)]
    data["stance_key"] = data["stance"].map({label: i for i, label in enumerate(STANCE_DRAWN)})
    data["method_key"] = data["method"].map({m: i for i, m in enumerate(STANCE_METHODS)})
    data = (
        _order_actors(data, actors)
        .sort_values(["actor_key", "stance_key", "method_key", "period"])
        .drop(columns=["actor_key", "stance_key", "method_key"])
        .reset_index(drop=True)
    )
    corrected = bool((data["method"] == "corrected").any())
    periods = _ordered_periods(data["period"])
    figure, axes, width = _panel_grid(len(actors), panel_height=3.0)
    for ax, actor in zip(axes, actors, strict=False):
        for i, stance in enumerate(STANCE_DRAWN):
            block = data[(data["actor_type"] == actor) & (data["stance"] == stance)]
            colour = STANCE_COLOURS[stance]
            _band_series(
                ax,
                periods,
                block[block["method"] == "raw"],
                "share",
                colour,
                marker=MARKERS[i],
                label=stance,
            )
            if corrected:
                _plain_series(ax, periods, block[block["method"] == "corrected"], "share", colour)
        _panel_title(ax, _actor_title(actor), width)
    _finish_time_panels(
        figure,
        axes,
        periods,
        width,
        ylabel="share of relevant sentences",
        percent=True,
        ylim=(0, 1),
    )
    extra = [Line2D([], [], color=GREY, linestyle=DASHED, linewidth=0.9)] if corrected else []
    _legend_below(figure, axes[0], extra, ["corrected for classifier error"] if corrected else [])
    raw_rows = data[data["method"] == "raw"]
    documents, sentences = _partition_counts(raw_rows, actors, key="stance", value="support")
    correction = (
        " Dashed lines (all actors): the same shares corrected for the classifier's "
        "cross-validated misclassification rates (per actor and with intervals in the stance "
        "table)."
        if corrected
        else ""
    )
    caption = (
        f"Figure {number}. {title}. Share of the sentences about the target (social outcomes "
        f"achieved by the state and citizens, communities and the voluntary sector together, as "
        f"defined by the project's stance codebook) that the stance classifier labels support or "
        f"sceptical, per actor type, {_period_note(periods, results.period)}; the rest are "
        f"neutral. Ribbons: 95% bootstrap intervals over documents ({results.replicates} "
        f"replicates); a period with one document has none, a period without documents breaks "
        f"the line.{correction} Actor types without relevant sentences are omitted"
        f"{_omitted_actors(actors)}. n = {documents} documents, {sentences} relevant sentences. "
        f"{results.citation()}"
    )
    return Chart(number, name, title, caption, data, figure)


# -- 3. sentiment ---------------------------------------------------------------------------


def sentiment_chart(results: RunResults) -> Chart:
    number, name, title = 3, "fig3-sentiment", "Sentiment over time, with key events"
    table = results.table("sentiment_by_group")
    if table is None:
        return _undrawn(number, name, title, "the run has no sentiment results", results)
    rows = table[(table["metric"] == "mean_sentiment") & (table["scope"] == "target")]
    scope = "sentences about the target"
    if rows.empty:
        rows = table[(table["metric"] == "mean_sentiment") & (table["scope"] == "all")]
        scope = "all sentences (none was about the target)"
    rows = rows.dropna(subset=["period"])
    actors = _actor_panels(rows["actor_type"])
    if rows.empty:
        return _undrawn(number, name, title, "no dated sentences were scored", results)
    estimates = pd.DataFrame(
        {
            "layer": "estimate",
            "actor_type": rows["actor_type"],
            "period": rows["period"],
            "x": [_midpoint(p).isoformat() for p in rows["period"]],
            "mean_sentiment": rows["estimate"],
            "ci_low": rows["ci_low"],
            "ci_high": rows["ci_high"],
            "documents": rows["documents"].astype("Int64"),
            "sentences": rows["sentences"].astype("Int64"),
            "event": "",
        }
    )
    estimates = (
        _order_actors(estimates, actors)
        .sort_values(["actor_key", "period"])
        .drop(columns="actor_key")
    )
    periods = _ordered_periods(estimates["period"])
    first, last = period_span(periods[0])[0], period_span(periods[-1])[1]
    events = [e for e in KEY_EVENTS if first <= e.day <= last]
    event_rows = pd.DataFrame(
        {
            "layer": "event",
            "actor_type": "",
            "period": "",
            "x": [e.day.isoformat() for e in events],
            "mean_sentiment": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "documents": pd.array([pd.NA] * len(events), dtype="Int64"),
            "sentences": pd.array([pd.NA] * len(events), dtype="Int64"),
            "event": [f"{i}: {e.label}" for i, e in enumerate(events, start=1)],
        }
    )
    data = pd.concat([estimates, event_rows], ignore_index=True)
    figure, axes, width = _panel_grid(len(actors), panel_height=3.0)
    limit = _symmetric_limit(
        estimates[["mean_sentiment", "ci_low", "ci_high"]].to_numpy(dtype=float)
    )
    for index, (ax, actor) in enumerate(zip(axes, actors, strict=False)):
        ax.axhline(0, color=LIGHT_GREY, linewidth=0.6, zorder=0)
        for number_, event in enumerate(events, start=1):
            ax.axvline(event.day, color=GREY, linewidth=0.5, linestyle=(0, (2, 2)), zorder=0)
            if index < _columns(axes):
                ax.annotate(
                    str(number_),
                    xy=(event.day, 1.0),
                    xycoords=("data", "axes fraction"),
                    xytext=(0, 1 + 6 * (number_ % 2)),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    color=GREY,
                )
        block = estimates[estimates["actor_type"] == actor]
        _band_series(ax, periods, block, "mean_sentiment", SERIES_COLOURS[0])
        ax.set_title(
            _actor_title(actor), fontsize=7, pad=14 if index < _columns(axes) and events else 3
        )
    _finish_time_panels(
        figure, axes, periods, width, ylabel="mean sentiment (−1 to 1)", ylim=(-limit, limit)
    )
    documents, sentences = _partition_counts(estimates, actors)
    settings = results.table("sentiment_settings")
    method = _sentiment_method(settings)
    marks = "; ".join(f"{i} {e.label}" for i, e in enumerate(events, start=1)) or "none in range"
    caption = (
        f"Figure {number}. {title}. Mean sentence sentiment ({method}; −1 negative to +1 positive) "
        f"of {scope}, per actor type, {_period_note(periods, results.period)}. Ribbons: 95% "
        f"bootstrap intervals over documents ({results.replicates} replicates); a period with one "
        f"document has none. Dashed lines mark events: {marks}. "
        f"n = {documents} documents, {sentences} sentences. {results.citation()}"
    )
    return Chart(number, name, title, caption, data, figure)


def _sentiment_method(settings: pd.DataFrame | None) -> str:
    if settings is None:
        return "sentence scores"
    values = dict(zip(settings["name"], settings["value"], strict=True))
    method = values.get("method", "combined")
    if method == "combined":
        return f"VADER and the {values.get('dictionary', 'dictionary')} dictionary combined"
    if method == "vader":
        return "VADER"
    return f"the {values.get('dictionary', '')} dictionary"


# -- 4. survey comparison -------------------------------------------------------------------


def survey_chart(results: RunResults) -> Chart:
    number, name, title = (
        4,
        "fig4-survey-vs-discourse",
        "Scepticism in surveys and in the discourse",
    )
    waves = results.table("survey_comparison")
    if waves is None:
        return _undrawn(
            number, name, title, "the run has no survey comparison (`discourse compare`)", results
        )
    points = waves[waves["point"] == 1].sort_values(["date_start", "line"], ignore_index=True)
    if points.empty:
        return _undrawn(
            number,
            name,
            title,
            f"none of the {len(waves)} sceptical survey waves had enough documents of its "
            "population in its window",
            results,
        )
    data = pd.DataFrame(
        {
            "point": range(1, len(points) + 1),
            "series": points["series"],
            "segment": points["segment"].astype(int),
            "population_group": points["population_group"],
            "wave": [_wave_label(row) for row in points.itertuples()],
            "survey_pct": points["survey_pct"],
            "survey_ci_low": points["survey_ci_low"],
            "survey_ci_high": points["survey_ci_high"],
            "sceptical_pct": points["sceptical_pct"],
            "sceptical_ci_low": points["sceptical_ci_low"],
            "sceptical_ci_high": points["sceptical_ci_high"],
            "documents": points["documents"].astype(int),
            "sentences": points["sentences"].astype(int),
        }
    )
    groups = list(dict.fromkeys(sorted(data["population_group"])))
    height = 7.0 * CM
    figure = Figure(figsize=(SINGLE_COLUMN, height), layout="constrained")
    ax = figure.add_subplot()
    top = np.nanmax(data[["sceptical_pct", "sceptical_ci_high"]].to_numpy(dtype=float))
    ylim = min(100.0, max(10.0, math.ceil((top + 4) / 10) * 10))
    for i, group in enumerate(groups):
        block = data[data["population_group"] == group]
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        x = block["survey_pct"].to_numpy(float)
        y = block["sceptical_pct"].to_numpy(float)
        xerr = _errors(x, block["survey_ci_low"], block["survey_ci_high"])
        yerr = _errors(y, block["sceptical_ci_low"], block["sceptical_ci_high"])
        ax.errorbar(
            x, y, xerr=xerr, yerr=yerr, fmt="none", ecolor=colour, elinewidth=0.6, alpha=0.7
        )
        ax.scatter(
            x,
            y,
            s=14,
            color=colour,
            marker=MARKERS[i % len(MARKERS)],
            label=group.replace("_", " "),
            zorder=3,
            clip_on=False,
        )
    _label_points(
        ax,
        data["survey_pct"].to_numpy(float),
        data["sceptical_pct"].to_numpy(float),
        [str(p) for p in data["point"]],
        (100.0, ylim),
        (SINGLE_COLUMN - 2.0 * CM, height - 1.8 * CM),
    )
    ax.set_xlim(0, 100)
    ax.set_ylim(0, ylim)
    ax.xaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    ax.set_xlabel("survey: respondents sceptical")
    ax.set_ylabel("discourse: sceptical share of\nrelevant sentences")
    ax.legend(loc="upper left", handletextpad=0.3, borderaxespad=0.2)
    correlations = results.table("survey_correlation")
    settings = results.table("survey_settings")
    window = _setting(settings, "window_months", "?")
    keys = "; ".join(f"{p} {w}" for p, w in zip(data["point"], data["wave"], strict=True))
    left_out = len(waves) - len(points)
    caption = (
        f"Figure {number}. {title}. Each point is one survey wave marked sceptical: the published "
        f"share of respondents sceptical of the idea (x; bars: 95% Wilson sampling interval where n "
        f"is reported) against the sceptical share of relevant sentences in documents of the "
        f"matching population dated within ±{window} months of fieldwork (y; bars: 95% bootstrap "
        f"interval over documents). The scales measure different things, so no identity line is "
        f"drawn. Points: {keys}. {left_out} of {len(waves)} waves are not drawn (no exact figure, "
        f"no readable date, or too few documents in the window; see the survey comparison table). "
        f"{_correlation_note(correlations)} n = {len(points)} waves resting on "
        f"{data['documents'].min()}–{data['documents'].max()} documents each (windows may overlap). "
        f"{results.citation()}"
    )
    return Chart(number, name, title, caption, data, figure)


def _label_points(ax, xs, ys, labels, span, size) -> None:
    """Number the points without overlaps: points drawn on top of each other share one label
    ("5,6"), and each label takes the first free side (right, left, below, above)."""
    scale = (size[0] * 72 / span[0], size[1] * 72 / span[1])  # points per data unit
    clusters: list[tuple[float, float, list[str]]] = []
    for x, y, label in zip(xs, ys, labels, strict=True):
        near = next(
            (c for c in clusters if abs(c[0] - x) * scale[0] < 5 and abs(c[1] - y) * scale[1] < 5),
            None,
        )
        if near is None:
            clusters.append((x, y, [label]))
        else:
            near[2].append(label)
    marks = [(x * scale[0], y * scale[1]) for x, y, _ in clusters]
    placed: list[tuple[float, float, float, float]] = []
    for x, y, members in clusters:
        text = ",".join(members)
        w, h = 4.3 * len(text), 7.0  # label size in points at 7 pt
        px, py = x * scale[0], y * scale[1]
        sides = [  # (ha, va, offset, box relative to the point)
            ("left", "center", (3, 0), (3, -h / 2, 3 + w, h / 2)),
            ("right", "center", (-3, 0), (-3 - w, -h / 2, -3, h / 2)),
            ("center", "top", (0, -3), (-w / 2, -3 - h, w / 2, -3)),
            ("center", "bottom", (0, 3), (-w / 2, 3, w / 2, 3 + h)),
        ]

        def free(box, px=px, py=py):
            absolute = (px + box[0], py + box[1], px + box[2], py + box[3])
            others = [m for m in marks if m != (px, py)]
            return not any(_overlap(absolute, p) for p in placed) and not any(
                absolute[0] - 2 < mx < absolute[2] + 2 and absolute[1] - 2 < my < absolute[3] + 2
                for mx, my in others
            )

        ha, va, offset, box = next((side for side in sides if free(side[3])), sides[0])
        placed.append((px + box[0], py + box[1], px + box[2], py + box[3]))
        ax.annotate(
            text, (x, y), xytext=offset, textcoords="offset points", ha=ha, va=va, fontsize=7
        )


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _wave_label(row) -> str:
    survey = str(row.survey).split("(")[0].split(":")[0].strip()
    when = str(row.date_start)[:7] if isinstance(row.date_start, str) else "undated"
    return f"{survey}, {when} ({row.series})"


def _correlation_note(correlations: pd.DataFrame | None) -> str:
    if correlations is None or correlations.empty:
        return ""
    done = correlations[correlations["status"] == "compared"]
    parts = [
        f"{row.series}: Spearman rho {row.spearman_rho:+.2f} (p = {row.spearman_p:.2f}), "
        f"Kendall tau {row.kendall_tau:+.2f}, {row.points} waves"
        for row in done.itertuples()
    ]
    few = len(correlations) - len(done)
    note = "Rank correlations within a series (never across a method change): "
    note += "; ".join(parts) if parts else "none computed"
    if few:
        note += f"; {few} series segment(s) have too few waves (at least 4 needed)"
    return note + "."


def _setting(settings: pd.DataFrame | None, name: str, default: str) -> str:
    if settings is None:
        return default
    values = dict(zip(settings["name"], settings["value"], strict=True))
    return values.get(name, default)


# -- 5. term trends -------------------------------------------------------------------------


def term_trends_chart(results: RunResults) -> Chart:
    number, name, title = 5, "fig5-term-trends", "Concept terms per 10,000 words"
    rates = results.table("term_rates")
    if rates is None:
        return _undrawn(number, name, title, "the run has no term rates", results)
    pooled = rates[(rates["actor_type"] == ALL)].dropna(subset=["period"])
    used = pooled.groupby("term")["count"].sum()
    terms = [t for t in used.index if used[t] > 0]
    if not terms:
        return _undrawn(
            number, name, title, "no concept term occurs in the dated documents", results
        )
    order = used[terms].sort_values(ascending=False, kind="mergesort").index.tolist()
    pooled = pooled[pooled["term"].isin(order)]
    data = pd.DataFrame(
        {
            "term": pooled["term"],
            "label": pooled["label"],
            "period": pooled["period"],
            "x": [_midpoint(p).isoformat() for p in pooled["period"]],
            "per_10k": pooled["per_10k"],
            "ci_low": pooled["ci_low"],
            "ci_high": pooled["ci_high"],
            "count": pooled["count"].astype(int),
            "words": pooled["words"].astype(int),
            "documents": pooled["documents"].astype(int),
        }
    )
    data["rank"] = data["term"].map({t: i for i, t in enumerate(order)})
    data = data.sort_values(["rank", "period"], ignore_index=True).drop(columns="rank")
    periods = _ordered_periods(data["period"])
    figure, axes, width = _panel_grid(len(order), panel_height=2.8, sharey=False)
    labels = dict(zip(data["term"], data["label"], strict=False))
    for ax, term in zip(axes, order, strict=False):
        block = data[data["term"] == term]
        _band_series(ax, periods, block, "per_10k", SERIES_COLOURS[0])
        _panel_title(ax, labels[term], width)
        ax.set_ylim(bottom=0)
    _finish_time_panels(figure, axes, periods, width, ylabel="per 10,000 words", sharey=False)
    first_term = data[data["term"] == order[0]]
    absent = sorted(set(rates["term"]) - set(order))
    caption = (
        f"Figure {number}. {title}. Mentions of each concept of the relevance lexicon (phrase "
        f"patterns) per 10,000 words of all documents, {_period_note(periods, results.period)}; "
        f"panels ordered by total mentions, each with its own y scale starting at zero. Ribbons: "
        f"95% bootstrap intervals over documents ({results.replicates} replicates)."
        f"{' Concepts never mentioned are omitted: ' + ', '.join(absent) + '.' if absent else ''} "
        f"n = {int(first_term['documents'].sum())} documents, {int(first_term['words'].sum()):,} "
        f"words. {results.citation()}"
    )
    return Chart(number, name, title, caption, data, figure)


# -- 6. keyness -----------------------------------------------------------------------------


def keyness_chart(results: RunResults, comparison: str | None = None, top: int = 10) -> Chart:
    number, name, title = 6, "fig6-keyness", "Keyness: terms that set one actor group apart"
    table = results.table("keyness")
    if table is None or table.empty:
        return _undrawn(number, name, title, "the run has no keyness comparison", results)
    comparison = comparison or sorted(table["comparison"].unique())[0]
    rows = table[table["comparison"] == comparison]
    if rows.empty:
        return _undrawn(
            number, name, title, f"the run has no keyness comparison {comparison!r}", results
        )
    target, reference = _groups_of(comparison)
    picked = pd.concat(
        [
            rows[rows["direction"] == "target"].nsmallest(top, "rank"),
            rows[rows["direction"] == "reference"].nsmallest(top, "rank"),
        ]
    )
    data = pd.DataFrame(
        {
            "comparison": comparison,
            "direction": picked["direction"],
            "term": picked["term"],
            "log_ratio": picked["log_ratio"],
            "log_likelihood": picked["log_likelihood"],
            "p_value": picked["p_value"],
            "significant": (picked["p_value"] < 0.05).astype(int),
            "target_count": picked["target_count"].astype(int),
            "reference_count": picked["reference_count"].astype(int),
        }
    ).sort_values("log_ratio", ascending=True, kind="mergesort", ignore_index=True)
    height = max(4.0, 0.42 * len(data) + 1.6) * CM
    figure = Figure(figsize=(SINGLE_COLUMN, height), layout="constrained")
    ax = figure.add_subplot()
    colours = {"target": OKABE_ITO["blue"], "reference": OKABE_ITO["orange"]}
    y = np.arange(len(data))
    for direction, colour in colours.items():
        for significant in (1, 0):
            mask = (data["direction"] == direction) & (data["significant"] == significant)
            ax.barh(
                y[mask.to_numpy()],
                data.loc[mask, "log_ratio"],
                height=0.7,
                color=colour if significant else "white",
                edgecolor=colour,
                linewidth=0.8,
                label=(
                    _group_name(target if direction == "target" else reference)
                    if significant
                    else None
                ),
            )
    ax.axvline(0, color="#333333", linewidth=0.6)
    ax.set_yticks(y, [t.replace("_", " ") for t in data["term"]])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("log₂ ratio of relative frequencies")
    limit = max(1.0, math.ceil(float(np.nanmax(np.abs(data["log_ratio"])))))
    ax.set_xlim(-limit, limit)
    figure.legend(
        loc="outside lower center",
        title="more frequent in",
        title_fontsize=7,
        ncols=2,
        handlelength=1.0,
    )
    totals = rows.iloc[0]
    caption = (
        f"Figure {number}. {title}. The {len(data[data['direction'] == 'target'])} terms most "
        f"characteristic of {_group_name(target)} documents and the "
        f"{len(data[data['direction'] == 'reference'])} most characteristic of "
        f"{_group_name(reference)} documents, ranked by log-likelihood (Dunning's G²), drawn by "
        f"effect size: the log₂ ratio of their relative frequencies (1 = twice as frequent). "
        f"Filled bars: p < 0.05 (G², 1 df, uncorrected); open bars: not significant. Counts are of "
        f"analysis terms (lemmas, phrases joined, stop words removed), all periods pooled. "
        f"n = {int(totals['target_total']):,} terms ({_group_name(target)}) and "
        f"{int(totals['reference_total']):,} terms ({_group_name(reference)}). {results.citation()}"
    )
    return Chart(number, name, title, caption, data, figure)


def _groups_of(comparison: str) -> tuple[str, str]:
    """('local_government', 'central_government') from 'actor_type:local_government vs …'."""
    body = comparison.split(":", 1)[-1]
    target, _, reference = body.partition(" vs ")
    return target.strip(), (reference.strip() or "the rest")


def _group_name(group: str) -> str:
    return "all other" if group == "*" else group.replace("_", " ")


# -- shared drawing helpers -----------------------------------------------------------------


def _undrawn(number: int, name: str, title: str, reason: str, results: RunResults) -> Chart:
    caption = f"Figure {number}. {title}. Not drawn: {reason}. {results.citation()}"
    return Chart(number, name, title, caption, pd.DataFrame(), reason=reason)


def _midpoint(period: str) -> dt.date:
    first, last = period_span(period)
    return first + (last - first) / 2


def _ordered_periods(values) -> list[str]:
    return sorted({v for v in values if isinstance(v, str) and v})


def _period_note(periods: list[str], kind: str) -> str:
    unit = {"year": "by year", "quarter": "by quarter", "month": "by month"}.get(kind, f"by {kind}")
    if len(periods) == 1:
        return f"{periods[0]} only"
    return f"{periods[0]}–{periods[-1]}, {unit}"


def _actor_panels(values) -> list[str]:
    """Actor types with data, pooled 'all' first, then in the vocabulary's order."""
    present = {v for v in values if isinstance(v, str)}
    order = [ALL, *ACTOR_TYPES]
    return [a for a in order if a in present] + sorted(present - set(order))


def _order_actors(frame: pd.DataFrame, actors: list[str]) -> pd.DataFrame:
    rank = {a: i for i, a in enumerate(actors)}
    return frame.assign(actor_key=frame["actor_type"].map(rank))


def _actor_title(actor: str) -> str:
    return "all actors" if actor == ALL else actor.replace("_", " ")


def _omitted_actors(actors: list[str]) -> str:
    missing = [a for a in ACTOR_TYPES if a not in actors]
    return f" ({', '.join(a.replace('_', ' ') for a in missing)})" if missing else ""


def _units_column(frame: pd.DataFrame) -> str:
    return "sentences" if "sentences" in frame.columns else "units"


def _partition_counts(data: pd.DataFrame, actors: list[str], key: str | None = None, value=None):
    """Documents and units behind a chart: from the pooled rows if drawn, else summed over
    actors (each document belongs to one actor and one period)."""
    rows = data if key is None else data[data[key] == value]
    rows = rows[rows["actor_type"] == ALL] if ALL in actors else rows
    units = "sentences" if "sentences" in rows.columns else "units"
    return int(rows["documents"].sum()), int(rows[units].sum())


def _panel_grid(count: int, *, panel_height: float, sharey: bool = True):
    """A grid of small multiples at single-column width for up to 6 panels, double beyond."""
    width = SINGLE_COLUMN if count <= 6 else DOUBLE_COLUMN
    columns = 1 if count == 1 else 2 if width == SINGLE_COLUMN else 4
    rows = math.ceil(count / columns)
    figure = Figure(figsize=(width, rows * panel_height * CM + 1.2 * CM), layout="constrained")
    grid = figure.subplots(rows, columns, sharex=True, sharey=sharey, squeeze=False)
    axes = list(grid.flat)
    for ax in axes[count:]:
        figure.delaxes(ax)
    return figure, axes[:count], width / columns


def _columns(axes) -> int:
    return axes[0].get_subplotspec().get_gridspec().ncols


def _band_series(ax, periods, block, value, colour, *, marker="o", label=None):
    """A line over the periods (broken where a period has no data), its 95% ribbon, and an
    error bar for an interval with no neighbour to join a ribbon to."""
    indexed = block.set_index("period").reindex(periods)
    x = [_midpoint(p) for p in periods]
    y = indexed[value].to_numpy(dtype=float)
    low = indexed["ci_low"].to_numpy(dtype=float)
    high = indexed["ci_high"].to_numpy(dtype=float)
    finite = np.isfinite(low) & np.isfinite(high)
    ax.fill_between(
        x,
        np.where(finite, low, np.nan),
        np.where(finite, high, np.nan),
        color=colour,
        alpha=0.18,
        linewidth=0,
    )
    for i in np.flatnonzero(finite):
        before = i > 0 and finite[i - 1]
        after = i < len(finite) - 1 and finite[i + 1]
        if not before and not after:
            ax.errorbar(
                [x[i]],
                [y[i]],
                yerr=[[y[i] - low[i]], [high[i] - y[i]]],
                fmt="none",
                ecolor=colour,
                elinewidth=0.8,
                alpha=0.6,
            )
    ax.plot(
        x, y, color=colour, marker=marker, markersize=2.6, linewidth=1.0, label=label, clip_on=False
    )


def _plain_series(ax, periods, block, value, colour) -> None:
    """A dashed line without interval (a secondary estimate beside a main one)."""
    y = block.set_index("period").reindex(periods)[value].to_numpy(dtype=float)
    x = [_midpoint(p) for p in periods]
    ax.plot(
        x,
        y,
        color=colour,
        linestyle=DASHED,
        linewidth=0.9,
        marker="o",
        markersize=1.6,
        clip_on=False,
    )


def _finish_time_panels(
    figure, axes, periods, panel_width, *, ylabel, percent=False, ylim=None, sharey=True
):
    """Time axes on every panel (labels on each, so no panel is read off another's axis) and
    one y label for the figure."""
    first = period_span(periods[0])[0]
    last = period_span(periods[-1])[1]
    for ax in axes:
        _time_axis(ax, first, last, panel_width)
        if percent:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.tick_params(axis="x", which="both", labelbottom=True)
    if ylim is None and sharey and percent:
        axes[0].set_ylim(bottom=0)
    if len(axes) == 1:
        axes[0].set_ylabel(ylabel)
    else:
        figure.supylabel(ylabel, fontsize=7)


def _panel_title(ax, text: str, panel_width: float) -> None:
    """A panel title wrapped to the panel's width (about 0.15 cm a character at 7 pt)."""
    ax.set_title(_wrap(text, max(12, int(panel_width / CM / 0.15))), fontsize=7)


def _time_axis(ax, first: dt.date, last: dt.date, panel_width: float) -> None:
    """Year boundaries as ticks, year labels between them, thinned to fit the panel.

    Fixed locators: matplotlib's rrule-based date locators cost seconds per figure.
    """
    ax.set_xlim(first, last)
    years = list(range(first.year, last.year + 1))
    room = max(1, int(panel_width / CM / 0.8))  # a four-digit label needs about 0.8 cm at 7 pt
    step = next(s for s in (1, 2, 5, 10, 20, 50) if math.ceil(len(years) / s) <= room)
    boundaries = [dt.date(y, 1, 1) for y in years] + [dt.date(years[-1] + 1, 1, 1)]
    labelled = [y for y in years if y % step == 0]
    # labels as major ticks (so constrained layout makes room for them), boundaries as minor
    ax.xaxis.set_major_locator(FixedLocator(mdates.date2num([dt.date(y, 7, 2) for y in labelled])))
    ax.xaxis.set_major_formatter(FixedFormatter([str(y) for y in labelled]))
    ax.xaxis.set_minor_locator(FixedLocator(mdates.date2num(boundaries)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.tick_params(axis="x", which="major", length=0)
    ax.tick_params(axis="x", which="minor", length=2.5)


def _legend_below(figure, ax, extra_handles=(), extra_labels=()) -> None:
    handles, labels = ax.get_legend_handles_labels()
    handles, labels = [*handles, *extra_handles], [*labels, *extra_labels]
    if handles:
        figure.legend(
            handles, labels, loc="outside lower center", ncols=len(handles), handlelength=1.6
        )


def _symmetric_limit(values: np.ndarray) -> float:
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.25
    return min(1.0, max(0.25, math.ceil(top * 4 + 1e-9) / 4))


def _errors(centre: np.ndarray, low, high) -> np.ndarray | None:
    low = np.asarray(low, dtype=float)
    high = np.asarray(high, dtype=float)
    if not np.isfinite(low).any():
        return None
    return np.vstack(
        [np.where(np.isfinite(low), centre - low, 0), np.where(np.isfinite(high), high - centre, 0)]
    )


def _wrap(text: str, width: int) -> str:
    words, lines, line = str(text).split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")


def chart_index(charts: list[Chart]) -> str:
    """A JSON list of the charts written (name, title, files, drawn or why not)."""
    return json.dumps(
        [
            {
                "figure": c.number,
                "name": c.name,
                "title": c.title,
                "drawn": c.figure is not None,
                "caption": c.caption,
                "files": [p.name for p in c.files],
            }
            for c in charts
        ],
        indent=2,
    )
