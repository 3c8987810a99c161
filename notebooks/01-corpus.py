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
# # 01 · What was collected
#
# The corpus in the store: how many documents, from which kinds of source and actors, over
# which years, and a full-text search to read what they say. Everything is read through the
# `discourse` package, never with SQL of our own, so the numbers are the ones the command line
# and the report show.
#
# The store is `$DISCOURSE_DB` if set, else the demo store `make demo` builds.

# %%
import os
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from discourse.outputs.style import SERIES_COLOURS, SINGLE_COLUMN, Inline, project_style
from discourse.store import Store

DB = Path(os.environ.get("DISCOURSE_DB", "../corpus/demo.sqlite"))
store = Store.open(DB, create=False, readonly=True)
store.totals()

# %% [markdown]
# ## Coverage by source and year
# Documents by source kind × actor type × year of publication (latest versions, duplicates
# left out). `undated` counts documents whose date could not be read.

# %%
coverage = store.coverage()
table = coverage.pivot_table(
    index=["source_kind", "actor_type"], columns="year", values="documents", aggfunc="sum",
    fill_value=0, margins=True, margins_name="all",
)
table

# %%
by_year = coverage.pivot_table(
    index="year", columns="source_kind", values="documents", aggfunc="sum", fill_value=0
)
with project_style():
    figure = Figure(figsize=(SINGLE_COLUMN, SINGLE_COLUMN * 0.6), layout="constrained")
    ax = figure.add_subplot()
    bottom = pd.Series(0, index=by_year.index)
    for colour, kind in zip(SERIES_COLOURS * 2, by_year.columns):
        ax.bar(by_year.index, by_year[kind], bottom=bottom, color=colour, label=kind)
        bottom += by_year[kind]
    ax.set_ylabel("documents")
    ax.legend(ncols=2)
Inline(figure)

# %% [markdown]
# ## The documents
# Metadata of every document (no text): publisher, date and its precision, URL.

# %%
documents = store.document_index()
documents[["id", "published_at", "date_precision", "source_kind", "actor_type", "publisher",
           "title", "word_count"]].head(20)

# %% [markdown]
# ## Search
# Full-text search (SQLite FTS5, stemmed: `volunteer` finds *volunteers*, *volunteering*).
# Quote phrases, combine with `AND`, `OR`, `NOT`.

# %%
def kwic(query: str, limit: int = 15) -> pd.DataFrame:
    """Keyword-in-context lines for a search, one per match."""
    lines = store.search(query, limit=limit, width=50)
    return pd.DataFrame(
        {
            "document": [line.document_id for line in lines],
            "date": [line.published_at for line in lines],
            "left": [line.left for line in lines],
            "match": [line.match for line in lines],
            "right": [line.right for line in lines],
        }
    )


kwic('"big society"')

# %%
kwic("volunteer* AND cuts")

# %% [markdown]
# ## Runs
# Every import, collection and analysis is a run with its configuration hash, seed and corpus
# fingerprint: cite the analysis run your numbers come from.

# %%
pd.DataFrame(store.list_runs())[["id", "kind", "status", "started_at", "corpus_documents",
                                 "config_hash", "seed"]]
