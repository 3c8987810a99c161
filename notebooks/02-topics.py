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
# # 02 · Topics
#
# The topic model of the latest analysis run: how the number of topics K was chosen, what
# each topic is about (its top terms and the passages most made of it), and how topic shares
# moved over time and between actors. All numbers are the run's stored results
# (`discourse analyse`); to fit another model, change `[topics]` in `analyse.toml` (for
# example `k = [8]` to force K = 8) and run the analysis again.

# %%
import os
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from discourse.outputs.charts import RunResults, topic_shares_chart
from discourse.outputs.style import SERIES_COLOURS, SINGLE_COLUMN, Inline, project_style
from discourse.store import Store

DB = Path(os.environ.get("DISCOURSE_DB", "../corpus/demo.sqlite"))
store = Store.open(DB, create=False, readonly=True)
results = RunResults.latest(store)
print(results.citation())
has_topics = results.has("topic_summary")
if not has_topics:
    print("This run has no topic model (topics disabled, or too little text to fit one).")

# %% [markdown]
# ## Picking K
# Each candidate K was fitted on part of the documents and scored by the coherence of its top
# terms on the held-out rest; the run kept the best. Topic diversity (share of distinct
# words among all topics' top terms) warns when a high K only repeats topics.

# %%
coherence = results.table("topic_coherence")
coherence

# %%
if coherence is not None and len(coherence) > 1:
    with project_style():
        figure = Figure(figsize=(SINGLE_COLUMN, SINGLE_COLUMN * 0.55), layout="constrained")
        ax = figure.add_subplot()
        ax.plot(coherence["k"], coherence["coherence"], marker="o", color=SERIES_COLOURS[0])
        chosen = coherence[coherence["chosen"] == 1]
        ax.scatter(chosen["k"], chosen["coherence"], s=40, facecolors="none",
                   edgecolors=SERIES_COLOURS[3], zorder=3, label="chosen")
        ax.set_xlabel("K (topics)")
        ax.set_ylabel(f"held-out {coherence['measure'].iloc[0]}")
        ax.legend()
    display(Inline(figure))

# %% [markdown]
# ## What the topics are about
# Top terms by probability (what a topic says most) and by FREX (what it says that others do
# not), its share of all modelled words and its coherence.

# %%
if has_topics:
    terms = results.table("topic_terms")
    top = (
        terms[terms["rank"] <= 10]
        .groupby(["topic", "ranking"])["term"]
        .apply(lambda words: ", ".join(words))
        .unstack("ranking")
    )
    summary = results.table("topic_summary").set_index("topic")
    display(summary.join(top))

# %% [markdown]
# ## Representative passages
# The passages with the highest share of each topic: read them before naming a topic.

# %%
if has_topics:
    passages = results.table("topic_passages")
    for topic, block in passages.groupby("topic"):
        print(f"— topic {topic + 1}: {summary.loc[topic, 'label']}")
        for row in block.head(3).itertuples():
            print(f"  [{row.share:.2f}] document {row.document_id}: {row.text[:300]}")

# %% [markdown]
# ## Shares over time
# The share of all modelled words in each topic per period, with 95% intervals from a
# bootstrap over documents: Figure 1 of the report.

# %%
chart = topic_shares_chart(results)
print(chart.caption)
chart

# %% [markdown]
# ### By actor type
# The same shares per actor type (a period × actor group with one document has no interval).

# %%
if has_topics:
    shares = results.table("topic_shares")
    by_actor = shares[shares["actor_type"] != "all"].pivot_table(
        index=["actor_type", "period"], columns="topic", values="share"
    )
    by_actor.round(3)
