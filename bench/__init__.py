"""Benchmarks: quality, speed and memory of discourse against real data and peer tools."""
