"""discourse: collect and measure UK discourse on the Big Society and co-production."""

__version__ = "0.1.0"
