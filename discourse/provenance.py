"""What a reported number needs to be traced: code version, library versions, config hash."""

import hashlib
import json
import platform
from importlib import metadata

from discourse import __version__

# Libraries whose version can change a result; recorded with every run.
TRACKED_LIBRARIES = (
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "onnxruntime",  # runs the MiniLM encoder of the stance model
    "spacy",
    "spacy-lookups-data",
    "gensim",
    "vaderSentiment",
    "trafilatura",
    "htmldate",
    "pdfminer.six",
    "warcio",
    "matplotlib",
)


def package_version() -> str:
    return __version__


def library_versions() -> dict[str, str]:
    """Installed versions of the tracked libraries (missing ones are left out)."""
    versions = {"python": platform.python_version()}
    for name in TRACKED_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def canonical_json(value) -> str:
    """JSON with sorted keys and no whitespace: the same value always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def config_hash(config) -> str:
    """SHA-256 of the canonical JSON of a (validated) configuration; comments do not count."""
    return hashlib.sha256(canonical_json(config).encode("utf-8")).hexdigest()
