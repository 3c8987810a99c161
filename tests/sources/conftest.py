"""Adapter tests run the fixture sites of corpus/sample on a real local HTTP server.

Importing `crawling` first puts corpus/sample on sys.path, so test modules can import the
`fixture_sites` package that also records the sample.
"""

import crawling  # noqa: F401
