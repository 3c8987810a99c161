"""Analysis: turn the stored corpus into per-run result tables."""
