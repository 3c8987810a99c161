"""Source adapters, one module per source family, registered by their `adapter` name.

A [sources.NAME] table in corpus/sources.toml says `adapter = "..."`; `build` validates the
rest of the table against that adapter's Config and returns the adapter.
"""

from pathlib import Path
from typing import Any

from discourse.collect.model import Adapter
from discourse.config import validate
from discourse.errors import ConfigError

ADAPTERS: dict[str, type[Adapter]] = {}


def register(adapter: type[Adapter]) -> type[Adapter]:
    """Class decorator adding an adapter to the registry under its `name`."""
    if adapter.name in ADAPTERS:
        raise ValueError(f"adapter name {adapter.name!r} registered twice")
    ADAPTERS[adapter.name] = adapter
    return adapter


def build(source: str, table: dict[str, Any], path: Path) -> Adapter:
    """The adapter for one [sources.NAME] table, its config validated (ConfigError if not)."""
    settings = dict(table)
    name = settings.pop("adapter", None)
    if name not in ADAPTERS:
        known = ", ".join(sorted(ADAPTERS)) or "none registered"
        raise ConfigError(
            f"{path}: [sources.{source}] adapter = {name!r} is not a known adapter",
            hint=f"use one of: {known}",
        )
    adapter = ADAPTERS[name]
    built = adapter(source, validate(settings, adapter.Config, path, prefix=("sources", source)))
    # files a source names (a members list, a folder, WARCs) are relative to its config file
    built.base_dir = Path(path).parent
    return built


# Every adapter module registers itself on import; importing them here means importing the
# package is enough for `build` to know them all. They import `register` from this module,
# which is defined above, so the cycle is harmless.
from discourse.collect.sources import (  # noqa: E402
    blogs,
    files,
    govuk,
    hansard,
    moderngov,
    wayback,
)

__all__ = [
    "ADAPTERS",
    "blogs",
    "build",
    "files",
    "govuk",
    "hansard",
    "moderngov",
    "register",
    "wayback",
]
