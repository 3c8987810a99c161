"""One module per benchmark family; each defines BENCHMARKS, a list of harness.Benchmark."""
