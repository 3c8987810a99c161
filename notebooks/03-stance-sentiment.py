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
# # 03 · Stance and sentiment over time
#
# Stance toward state–civil-society blurring (support, sceptical, neutral; see
# `docs/stance-codebook.md`) and the tone of what was said, per period and actor type, from
# the latest analysis run. Shares come with 95% intervals from a bootstrap over documents: a
# group resting on one document has none, and should be read as an anecdote.

# %%
import os
from pathlib import Path

import pandas as pd

from discourse.outputs.charts import RunResults, STANCE_TABLE, sentiment_chart, stance_chart
from discourse.store import Store

DB = Path(os.environ.get("DISCOURSE_DB", "../corpus/demo.sqlite"))
store = Store.open(DB, create=False, readonly=True)
results = RunResults.latest(store)
print(results.citation())

# %% [markdown]
# ## Stance
# Figure 2: support and sceptical shares of the sentences about the target, per actor type.

# %%
chart = stance_chart(results)
print(chart.caption)
chart

# %%
stance = results.table(STANCE_TABLE)
if stance is None:
    print("This run has no stance results.")
else:
    # raw: the classifier's labels counted; corrected: adjusted for its error rates
    wide = stance.pivot_table(
        index=["actor_type", "period"], columns=["method", "metric"], values="estimate"
    )
    display(wide.round(3))

# %% [markdown]
# ## Sentiment
# Figure 3: mean sentence sentiment of the sentences about the target, with the key events of
# the Big Society story marked.

# %%
chart = sentiment_chart(results)
print(chart.caption)
chart

# %%
sentiment = results.table("sentiment_by_group")
sentiment[sentiment["metric"] == "mean_sentiment"].pivot_table(
    index=["actor_type", "period"], columns="scope", values="estimate"
).round(3)

# %% [markdown]
# ## Reading the sentences behind the numbers
# The most negative and most positive sentences about the target, with their documents: a
# check that the scores mean what the chart says.

# %%
scored = results.table("sentiment_sentences")
about = scored[scored["relevant"] == 1].sort_values("sentiment", kind="mergesort")
picked = pd.concat([about.head(5), about.tail(5)])
texts = store.passage_texts(picked["passage_id"]).set_index("passage_id")["text"]
documents = store.document_index().set_index("id")
for row in picked.itertuples():
    doc = documents.loc[row.document_id]
    print(f"{row.sentiment:+.2f} {doc['actor_type']:<18} {doc['published_at']}  "
          f"{texts.get(row.passage_id, '')[:160]}")
