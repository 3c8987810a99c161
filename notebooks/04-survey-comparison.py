# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Survey evidence of scepticism beside the discourse
#
# Published survey figures (council leaders, the public, the voluntary sector; 2010–2012) set
# beside the sceptical share of what the matching actors said in a window around each survey's
# fieldwork. The survey table ships with the package
# (`discourse/data/surveys/big-society-surveys.csv`, every figure with its source); its README
# explains which rows are marked as scepticism measures and why.

# %%
import os
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from discourse.analyse.compare import STANCE_SENTENCES, compare_run
from discourse.analyse.survey import load_surveys
from discourse.config import CompareSection
from discourse.outputs.charts import RunResults, survey_chart
from discourse.outputs.style import SERIES_COLOURS, SINGLE_COLUMN, Inline, project_style
from discourse.store import Store

DB = Path(os.environ.get("DISCOURSE_DB", "../corpus/demo.sqlite"))
store = Store.open(DB, create=False, readonly=True)
results = RunResults.latest(store)
print(results.citation())

# %% [markdown]
# ## The survey table
# The rows marked `measure = sceptical`, with how each wave's date was read (fieldwork dates,
# else the publication date, else the wave label) and whether its sample size is usable for a
# sampling interval.

# %%
surveys = load_surveys()
print(f"{len(surveys.rows)} published figures, sha256 {surveys.sha256[:12]}")
pd.DataFrame(
    [
        {
            "line": r.line,
            "series": r.series,
            "group": r.population_group,
            "survey": r.label,
            "question": r.question,
            "response": r.response,
            "value_pct": r.value_pct,
            "n": r.n_text,
            "n used": r.n_kind,
            "dated by": r.timing.basis if r.timing else "no date",
            "from": r.timing.start if r.timing else None,
            "to": r.timing.end if r.timing else None,
        }
        for r in surveys.measures("sceptical")
    ]
)

# %% [markdown]
# ## The comparison stored with the run
# One row per wave: the survey's share with its sampling interval, and the discourse of its
# population in the window with a bootstrap interval over documents. `status` says why a wave
# is not a point of the correlation.

# %%
waves = results.table("survey_comparison")
if waves is None:
    print("This run has no survey comparison: run `discourse compare` (it needs stance results).")
else:
    display(waves[["series", "segment", "wave", "population_group", "survey_pct",
                   "documents", "sentences", "sceptical_pct", "sceptical_ci_low",
                   "sceptical_ci_high", "net_stance", "status"]])

# %% [markdown]
# Rank correlations are computed within a series segment only (never across a method change)
# and only with at least four compared waves.

# %%
results.table("survey_correlation")

# %%
chart = survey_chart(results)
print(chart.caption)
chart

# %% [markdown]
# ## Another window
# The same comparison with documents from ±12 months around fieldwork, computed here without
# storing it (`discourse compare --window-months 12` stores it with the run).

# %%
if results.has(STANCE_SENTENCES):
    wider = compare_run(store, results.id, CompareSection(window_months=12), write=False)
    display(wider.waves[["series", "wave", "documents", "sceptical_pct", "status"]])
    display(wider.correlations[["series", "segment", "points", "spearman_rho", "status"]])
else:
    print("This run has no stance results to compare.")

# %% [markdown]
# ## Context: volunteering rates and a method change
# Formal volunteering at least once a year. The Community Life Survey moved from face-to-face
# interviews to an online/paper design (a `break_before` in the table): the two designs give
# different levels, so the series is drawn in segments and never joined across the break.

# %%
rows = [r for r in surveys.rows if r.series == "formal-volunteering-annual"]
segment, segments = 0, []
for r in rows:
    segment += int(r.break_before)
    segments.append(segment)
volunteering = pd.DataFrame(
    {
        "wave": [r.wave for r in rows],
        "middle": [r.timing.start + (r.timing.end - r.timing.start) / 2 for r in rows],
        "value_pct": [r.value_pct for r in rows],
        "segment": segments,
        "design": [
            r.survey + (", online/paper" if "online" in r.wave else
                        ", face-to-face" if "face-to-face" in r.wave else "")
            for r in rows
        ],
    }
)
with project_style():
    figure = Figure(figsize=(SINGLE_COLUMN, SINGLE_COLUMN * 0.6), layout="constrained")
    ax = figure.add_subplot()
    for colour, (number, block) in zip(SERIES_COLOURS, volunteering.groupby("segment")):
        ax.plot(block["middle"], block["value_pct"], marker="o", color=colour,
                label=block["design"].iloc[0])
    ax.set_ylim(0, 60)
    ax.set_ylabel("formal volunteering in the year (%)")
    ax.legend(loc="lower left")
Inline(figure)
