"""Outputs: charts, reports and exports made from the store and its runs."""
