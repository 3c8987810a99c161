"""One self-contained HTML report of an analysis run: what was read, how, what came out.

The report is a single file a researcher can email or archive with a paper: no scripts, no
web fonts, no stylesheet or image fetched from anywhere (charts are inlined as SVG, the CSS
is in the page). It shows the corpus coverage, every chart with its caption, the topics, the
stance shares, the survey comparison, the methods with versions and configuration, and how
to cite the run. Every piece of text from the corpus, the configuration or the store is
escaped.
"""

import html
import json
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from discourse.outputs.charts import ALL, STANCE_TABLE, Chart, RunResults, build_charts
from discourse.store import Store

DEFAULT_DIR = Path("outputs/report")

CSS = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1a1a1a;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ccc; }
h3 { font-size: 1rem; margin-top: 1.4rem; }
p.lead { color: #444; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.82rem; }
th, td { padding: 0.2rem 0.5rem; text-align: left; vertical-align: top;
         border-bottom: 1px solid #e3e3e3; }
th { border-bottom: 1px solid #888; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5rem 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #333; margin-top: 0.4rem; }
.cite { background: #f5f5f5; border-left: 3px solid #0072B2; padding: 0.6rem 0.9rem; }
pre { background: #f7f7f7; padding: 0.6rem; overflow-x: auto; font-size: 0.78rem; }
.note { color: #555; font-size: 0.85rem; }
details summary { cursor: pointer; color: #0072B2; }
"""


def write_report(store: Store, run_id: str | None = None, out_dir: Path = DEFAULT_DIR) -> Path:
    """Write report-RUN_ID.html for a run (default: the latest ok analysis) and return it."""
    results = RunResults(store, run_id) if run_id else RunResults.latest(store)
    charts = build_charts(results)
    page = render_report(results, charts)
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"report-{results.id}.html"
    path.write_text(page, encoding="utf-8")
    return path


def render_report(results: RunResults, charts: Sequence[Chart]) -> str:
    run = results.run
    summary = run.get("summary") or {}
    sections = [
        f"<h1>Discourse analysis run {_e(results.id)}</h1>",
        f'<p class="lead">{_e(_lead(run, summary))}</p>',
        _citation(results),
        _coverage(results),
        _figures(charts),
        _topics(results),
        _stance(results),
        _survey(results),
        _methods(results),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>discourse report {_e(results.id)}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(s for s in sections if s)
        + "\n</body>\n</html>\n"
    )


def _lead(run: dict, summary: dict) -> str:
    parts = [f"finished {run.get('finished_at') or 'not yet'}"]
    if summary:
        parts.insert(
            0,
            f"{summary.get('documents', 0):,} documents, {summary.get('sentences', 0):,} sentences "
            f"({summary.get('relevant_sentences', 0):,} about the target), "
            f"{summary.get('words', 0):,} words",
        )
    return "; ".join(parts) + "."


# -- sections -------------------------------------------------------------------------------


def _citation(results: RunResults) -> str:
    run = results.run
    text = (
        f"discourse {run['package_version']}, analysis run {results.id} (config sha256 "
        f"{run.get('config_hash')}, seed {run.get('seed')}; corpus of "
        f"{run['corpus_documents']:,} documents retrieved up to "
        f"{run.get('corpus_max_retrieved_at') or 'unknown'}, fingerprint "
        f"{run['corpus_fingerprint']})."
    )
    return (
        "<h2>How to cite this run</h2>\n"
        f'<p class="cite">{_e(text)}</p>\n'
        '<p class="note">The configuration hash and corpus fingerprint identify exactly what was '
        "measured: the same corpus, configuration and seed give the same result tables "
        "(<code>discourse export --run RUN_ID</code>). Library versions are listed under "
        "Methods.</p>"
    )


def _coverage(results: RunResults) -> str:
    store = results.store
    coverage = store.coverage()
    note = ""
    snapshot = store.corpus_snapshot()
    if snapshot["corpus_fingerprint"] != results.run["corpus_fingerprint"]:
        note = (
            '<p class="note">The store has changed since this run: it now holds '
            f"{snapshot['corpus_documents']:,} documents, the run read "
            f"{results.run['corpus_documents']:,}. The table shows the store now.</p>"
        )
    if coverage.empty:
        return "<h2>Corpus coverage</h2>\n<p>The store holds no documents.</p>"
    pivot = coverage.pivot_table(
        index=["source_kind", "actor_type"],
        columns="year",
        values="documents",
        aggfunc="sum",
        fill_value=0,
    )
    years = list(pivot.columns)
    rows = []
    for (kind, actor), counts in pivot.iterrows():
        cells = [_e(kind), _e(actor)] + [
            f'<td class="num">{int(counts[y]) if counts[y] else "·"}</td>' for y in years
        ]
        rows.append(
            f"<tr><td>{cells[0]}</td><td>{cells[1]}</td>{''.join(cells[2:])}"
            f'<td class="num">{int(counts.sum())}</td></tr>'
        )
    totals = pivot.sum(axis=0)
    head = "".join(f'<th class="num">{_e(str(y))}</th>' for y in years)
    foot = "".join(f'<td class="num">{int(totals[y])}</td>' for y in years)
    return (
        "<h2>Corpus coverage</h2>\n"
        "<p>Documents by source kind, actor type and year of publication (latest versions, "
        "duplicates left out).</p>\n"
        f"{note}<table><thead><tr><th>source kind</th><th>actor type</th>{head}"
        '<th class="num">all</th></tr></thead><tbody>'
        + "".join(rows)
        + f'<tr><th colspan="2">all</th>{foot}<td class="num">{int(totals.sum())}</td></tr>'
        "</tbody></table>"
    )


def _figures(charts: Sequence[Chart]) -> str:
    parts = ["<h2>Figures</h2>"]
    for chart in charts:
        if chart.figure is None:
            parts.append(f'<p class="note">{_e(chart.caption)}</p>')
            continue
        parts.append(
            f'<figure id="{_e(chart.name)}">\n{_inline_svg(chart.svg(), chart.name)}\n'
            f"<figcaption>{_e(chart.caption)}</figcaption>\n</figure>"
        )
    parts.append(
        '<p class="note">Each figure is also written by <code>discourse charts</code> as PDF, '
        "SVG and 300-dpi PNG, with a CSV of the numbers drawn.</p>"
    )
    return "\n".join(parts)


def _inline_svg(svg: str, prefix: str) -> str:
    """An SVG document as an element for HTML: no XML prolog or doctype, and its ids prefixed
    so the figures of one page never share an id."""
    svg = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'(href="#|url\(#)([^")]+)', rf"\1{prefix}-\2", svg)
    return svg.strip()


def _topics(results: RunResults) -> str:
    summary = results.table("topic_summary")
    if summary is None:
        return "<h2>Topics</h2>\n<p>This run has no topic model.</p>"
    terms = results.table("topic_terms")
    top: dict[tuple[int, str], str] = {}
    if terms is not None:
        for (topic, ranking), block in terms.groupby(["topic", "ranking"]):
            words = block.sort_values("rank")["term"].head(10)
            top[(int(topic), ranking)] = ", ".join(w.replace("_", " ") for w in words)
    frame = summary.assign(
        name=[f"T{int(t) + 1}" for t in summary["topic"]],
        frex=[top.get((int(t), "frex"), "") for t in summary["topic"]],
        probability=[top.get((int(t), "probability"), "") for t in summary["topic"]],
    )
    table = _table(
        frame,
        [
            ("name", "topic", str),
            ("share", "share of words", _pct),
            ("documents", "documents", _int),
            ("coherence", "coherence", _num),
            ("frex", "top terms by exclusivity (FREX)", str),
            ("probability", "top terms by probability", str),
        ],
    )
    coherence = results.table("topic_coherence")
    choice = ""
    if coherence is not None and not coherence.empty:
        choice = "<h3>Choosing the number of topics</h3>\n" + _table(
            coherence,
            [
                ("k", "K", _int),
                ("measure", "measure", str),
                ("coherence", "held-out coherence", _num),
                ("diversity", "topic diversity", _num),
                ("train_units", "training passages", _int),
                ("heldout_units", "held-out passages", _int),
                ("chosen", "chosen", lambda v: "✓" if v == 1 else ""),
            ],
        )
    return "<h2>Topics</h2>\n" + table + choice


def _stance(results: RunResults) -> str:
    table = results.table(STANCE_TABLE)
    if table is None:
        return "<h2>Stance</h2>\n<p>This run has no stance results.</p>"
    metrics = [
        m for m in ("support", "sceptical", "neutral", "net_stance") if m in set(table["metric"])
    ]
    units = "sentences" if "sentences" in table.columns else "units"
    keys = ["period", "actor_type", "method"]
    rows = []
    for (period, actor, method), block in table.groupby(keys, sort=True):
        values = block.set_index("metric")
        cells = [
            _interval(
                values.at[m, "estimate"],
                values.at[m, "ci_low"],
                values.at[m, "ci_high"],
                _signed if m == "net_stance" else _pct,
            )
            if m in values.index
            else ""
            for m in metrics
        ]
        first = block.iloc[0]
        rows.append((period, actor, method, cells, int(first["documents"]), int(first[units])))
    rows.sort(key=lambda r: (r[1] != ALL, r[1], r[0], r[2] != "raw"))
    head = "".join(f"<th>{_e(m.replace('_', ' '))}</th>" for m in metrics)

    def render(selection):
        body = "".join(
            f"<tr><td>{_e(p)}</td><td>{_e(a)}</td><td>{_e(m)}</td>"
            + "".join(f"<td>{_e(c)}</td>" for c in cells)
            + f'<td class="num">{d:,}</td><td class="num">{u:,}</td></tr>'
            for p, a, m, cells, d, u in selection
        )
        return (
            f"<table><thead><tr><th>period</th><th>actor type</th><th>method</th>{head}"
            '<th class="num">documents</th><th class="num">sentences</th></tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )

    intro = (
        "<p>Shares of the sentences about the target in each stance, and net stance "
        "(support − sceptical) / relevant, with 95% bootstrap intervals over documents in "
        "brackets. <em>raw</em> counts the classifier's labels; <em>corrected</em> adjusts them "
        "by the model's cross-validated misclassification matrix (its own uncertainty is not "
        "in the interval). Sentences: relevant sentences (raw) or all sentences (corrected).</p>"
    )
    pooled = [r for r in rows if r[1] == ALL]
    model = results.table("stance_model")
    about = (
        _settings_table("Stance model", model.rename(columns={"key": "name"}))
        if model is not None
        else ""
    )
    if pooled:
        by_actor = [r for r in rows if r[1] != ALL]
        return (
            "<h2>Stance</h2>\n"
            + intro
            + "<h3>All actors</h3>"
            + render(pooled)
            + "<details><summary>By actor type</summary>"
            + render(by_actor)
            + "</details>"
            + about
        )
    return "<h2>Stance</h2>\n" + intro + render(rows) + about


def _survey(results: RunResults) -> str:
    waves = results.table("survey_comparison")
    if waves is None:
        return (
            "<h2>Survey comparison</h2>\n<p>This run has no survey comparison "
            "(run <code>discourse compare</code>).</p>"
        )
    frame = waves.assign(
        survey_cell=[
            _interval(v, lo, hi, lambda x: f"{x:.0f}%") if not _missing(v) else "no exact figure"
            for v, lo, hi in zip(
                waves["survey_pct"], waves["survey_ci_low"], waves["survey_ci_high"], strict=True
            )
        ],
        discourse_cell=[
            _interval(v, lo, hi, lambda x: f"{x:.0f}%")
            for v, lo, hi in zip(
                waves["sceptical_pct"],
                waves["sceptical_ci_low"],
                waves["sceptical_ci_high"],
                strict=True,
            )
        ],
        corrected_cell=[
            _interval(v, lo, hi, lambda x: f"{x:.0f}%")
            for v, lo, hi in zip(
                waves["sceptical_corrected_pct"],
                waves["sceptical_corrected_ci_low"],
                waves["sceptical_corrected_ci_high"],
                strict=True,
            )
        ],
        net_cell=[
            _interval(v, lo, hi, _signed)
            for v, lo, hi in zip(
                waves["net_stance"], waves["net_ci_low"], waves["net_ci_high"], strict=True
            )
        ],
        window=[
            f"{a} to {b}" if isinstance(a, str) else "—"
            for a, b in zip(waves["window_start"], waves["window_end"], strict=True)
        ],
        when=[
            f"{w} ({basis})" for w, basis in zip(waves["wave"], waves["date_basis"], strict=True)
        ],
    )
    table = _table(
        frame,
        [
            ("series", "series", str),
            ("segment", "segment", _int),
            ("survey", "survey", str),
            ("when", "wave (dated by)", str),
            ("population_group", "population", str),
            ("question", "question", str),
            ("response", "response", str),
            ("survey_cell", "survey sceptical", str),
            ("n", "n", _int),
            ("window", "document window", str),
            ("documents", "documents", _int),
            ("sentences", "relevant sentences", _int),
            ("discourse_cell", "discourse sceptical", str),
            ("corrected_cell", "discourse sceptical, corrected", str),
            ("net_cell", "net stance", str),
            ("status", "status", str),
        ],
    )
    correlations = results.table("survey_correlation")
    rank = ""
    if correlations is not None and not correlations.empty:
        rank = "<h3>Rank correlations within series</h3>\n" + _table(
            correlations,
            [
                ("series", "series", str),
                ("segment", "segment", _int),
                ("population_group", "population", str),
                ("waves", "waves", _int),
                ("points", "compared waves", _int),
                ("spearman_rho", "Spearman rho", _signed),
                ("spearman_p", "p", _num),
                ("kendall_tau", "Kendall tau", _signed),
                ("kendall_p", "p", _num),
                ("status", "status", str),
            ],
        )
    settings = results.table("survey_settings")
    sources = (
        "<h3>Survey sources</h3>\n<ul>"
        + "".join(
            f"<li>{_e(s)}, {_e(w)}: {_e(src)}</li>"
            for s, w, src in waves[["survey", "wave", "source"]]
            .drop_duplicates()
            .itertuples(index=False)
        )
        + "</ul>"
    )
    return (
        "<h2>Survey comparison</h2>\n"
        "<p>Published survey figures of scepticism beside the sceptical share of the sentences "
        "about the target in documents of the matching population, dated in a window around "
        "each wave's fieldwork. Survey intervals are 95% Wilson sampling intervals (only where a "
        "single n is reported); discourse intervals are 95% bootstrap intervals over documents. "
        "Correlations are computed within a series only, never across a method change, and only "
        "with at least four compared waves.</p>\n"
        + table
        + rank
        + sources
        + (_settings_table("Comparison settings", settings) if settings is not None else "")
    )


def _methods(results: RunResults) -> str:
    run = results.run
    summary = run.get("summary") or {}
    facts = [
        ("run id", results.id),
        ("kind", run["kind"]),
        ("status", run["status"]),
        ("started", run["started_at"]),
        ("finished", run.get("finished_at") or ""),
        ("command", run.get("command") or ""),
        ("discourse version", run["package_version"]),
        ("seed", str(run.get("seed"))),
        ("configuration sha256", run.get("config_hash") or ""),
        ("corpus documents at the start", f"{run['corpus_documents']:,}"),
        ("corpus fingerprint", run["corpus_fingerprint"]),
    ]
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in facts)
    versions = run.get("library_versions") or {}
    libraries = "".join(
        f"<tr><td>{_e(name)}</td><td>{_e(str(version))}</td></tr>"
        for name, version in sorted(versions.items())
    )
    seconds = summary.get("seconds") or {}
    timing = ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items())
    sentiment = results.table("sentiment_settings")
    config = json.dumps(results.config, indent=2, sort_keys=True)
    return (
        "<h2>Methods</h2>\n"
        "<p>Documents were split into sentences; each sentence was scored for relevance to the "
        "target of the stance codebook (a weighted concept lexicon), then measured by every "
        "stage below. Every aggregate is a ratio over the units of a group with a 95% "
        "percentile bootstrap interval that resamples whole documents.</p>\n"
        f"<table><tbody>{rows}</tbody></table>\n"
        + (f'<p class="note">Stage times: {_e(timing)}.</p>\n' if timing else "")
        + "<h3>Library versions</h3>\n"
        f"<table><thead><tr><th>library</th><th>version</th></tr></thead><tbody>{libraries}"
        "</tbody></table>\n"
        + (_settings_table("Sentiment settings", sentiment) if sentiment is not None else "")
        + "<h3>Configuration (as validated and recorded with the run)</h3>\n"
        f"<pre>{_e(config)}</pre>"
    )


# -- formatting -----------------------------------------------------------------------------


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _pct(value) -> str:
    return "" if _missing(value) else f"{100 * float(value):.1f}%"


def _signed(value) -> str:
    return "" if _missing(value) else f"{float(value):+.2f}"


def _num(value) -> str:
    if _missing(value):
        return ""
    value = float(value)
    return "∞" if math.isinf(value) else f"{value:.3g}"


def _int(value) -> str:
    return "" if _missing(value) else f"{int(value):,}"


def _interval(estimate, low, high, formatter: Callable) -> str:
    if _missing(estimate):
        return "—"
    if _missing(low) or _missing(high):
        return f"{formatter(estimate)} [no interval]"
    return f"{formatter(estimate)} [{formatter(low)} to {formatter(high)}]"


def _table(frame: pd.DataFrame, columns: list[tuple[str, str, Callable]]) -> str:
    numeric = {c for c, _, f in columns if f in (_int, _num, _pct, _signed)}
    head = "".join(
        f"<th{' class=num' if c in numeric else ''}>{_e(label)}</th>".replace(
            "class=num", 'class="num"'
        )
        for c, label, _ in columns
    )
    body = []
    for record in frame.to_dict(orient="records"):
        cells = []
        for column, _, formatter in columns:
            value = record.get(column)
            text = "" if _missing(value) and formatter is str else formatter(value)
            css = ' class="num"' if column in numeric else ""
            cells.append(f"<td{css}>{_e(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _settings_table(title: str, settings: pd.DataFrame) -> str:
    rows = "".join(
        f"<tr><th>{_e(n)}</th><td>{_e(v)}</td></tr>"
        for n, v in zip(settings["name"], settings["value"], strict=True)
    )
    return f"<h3>{_e(title)}</h3>\n<table><tbody>{rows}</tbody></table>\n"
