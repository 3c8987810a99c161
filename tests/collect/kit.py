"""Settings and helpers shared by the collection-engine tests."""

from discourse.collect.fetch import Fetcher
from discourse.collect.transport import LiveTransport
from discourse.config import FetchSection, ProjectSection

PROJECT = ProjectSection(name="test-study", contact="researcher@example.org")


def fetch_settings(**overrides) -> FetchSection:
    """Fast settings for tests: no delay, quick retries, local addresses allowed."""
    values = dict(delay=0.0, backoff=0.02, max_backoff=0.1, allow_private=True, retries=2)
    values.update(overrides)
    return FetchSection(**values)


def live_fetcher(settings: FetchSection, archive=None) -> Fetcher:
    return Fetcher(settings, PROJECT, LiveTransport.from_settings(settings), archive)
