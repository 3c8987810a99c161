"""TOML configuration, validated on load.

Each configuration file has a pydantic model; this module loads a file against its model and
turns any problem into one ConfigError naming the file, the line (where it can be found), the
dotted key and what was expected. Models reject unknown keys, so a typo never silently falls
back to a default. The ground floor: imports nothing of the package but errors.
"""

import re
import tomllib
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from discourse.errors import ConfigError


class Section(BaseModel):
    """Base for every configuration table: strict types, no unknown keys, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


M = TypeVar("M", bound=BaseModel)


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, raising ConfigError with the file and position on any problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found", hint="check the path") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: invalid TOML: {exc}", hint="fix the syntax at that line"
        ) from None


def validate(data: dict[str, Any], model: type[M], path: Path, prefix: tuple[str, ...] = ()) -> M:
    """Validate parsed TOML against a model; ConfigError describes the first problems.

    `prefix` is where `data` sits in the file (("sources", "govuk") for a [sources.govuk]
    table validated on its own), so messages name the full dotted key and its line.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        text = _text_or_empty(path)
        problems = [_describe(error, model, text, path, prefix) for error in exc.errors()[:5]]
        more = len(exc.errors()) - len(problems)
        message = "; ".join(problems) + (f"; and {more} more" if more > 0 else "")
        raise ConfigError(message) from None


def load(path: Path, model: type[M]) -> M:
    """Read and validate a TOML configuration file."""
    return validate(read_toml(path), model, Path(path))


def _text_or_empty(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _describe(
    error: dict, model: type[BaseModel], text: str, path: Path, prefix: tuple[str, ...]
) -> str:
    inner = [str(part) for part in error["loc"]]
    loc = [*prefix, *inner]
    key = ".".join(loc)
    line = _line_of(text, loc)
    where = f"{path}:{line}" if line else f"{path}"
    kind = error["type"]
    if kind == "extra_forbidden":
        known = _known_keys(model, inner[:-1])
        expected = f" (expected one of: {', '.join(known)})" if known else ""
        return f"{where}: unknown key '{key}'{expected}"
    if kind == "missing":
        return f"{where}: missing required key '{key}'"
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: key '{key}': {message[:1].lower()}{message[1:]}, got {error['input']!r}"


def _known_keys(model: type[BaseModel], loc: list[str]) -> list[str]:
    """The keys a model accepts at a dotted location (empty if it cannot be followed)."""
    current: Any = model
    for part in loc:
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return []
        current = _model_of(fields[part].annotation)
        if current is None:
            return []
    return sorted(getattr(current, "model_fields", {}))


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _line_of(text: str, loc: list[str]) -> int | None:
    """Best-effort line number of a key: its table header, then the key inside it."""
    if not text or not loc:
        return None
    lines = text.splitlines()
    start = 0
    for depth in range(len(loc) - 1, 0, -1):
        header = re.compile(
            r"^\s*\[\[?\s*" + r"\s*\.\s*".join(map(re.escape, loc[:depth])) + r"\s*\]\]?"
        )
        found = next((i for i, line in enumerate(lines) if header.match(line)), None)
        if found is not None:
            start = found
            break
    key = re.compile(r"^\s*(\[\[?\s*)?([\w.\-]*\.)?" + re.escape(loc[-1]) + r"\s*(=|\])")
    for i in range(start, len(lines)):
        if key.match(lines[i]):
            return i + 1
    return start + 1 if start else None


# -- import mapping -------------------------------------------------------------------------

IMPORTABLE_FIELDS = (
    "id",
    "url",
    "canonical_url",
    "source_kind",
    "actor_type",
    "publisher",
    "author",
    "party",
    "title",
    "published_at",
    "date_precision",
    "retrieved_at",
    "language",
)


class ImportMapping(Section):
    """How the columns of an existing corpus file map onto document fields.

    Columns named exactly like a document field are taken without being listed; `columns`
    maps the others (field = "column"), `defaults` gives a value for every row (for example
    the source_kind of a whole file). Unmapped columns are kept in the document's extra JSON.
    """

    format: Literal["csv", "jsonl", "parquet"] | None = None
    text: str = "text"
    columns: dict[str, str] = {}
    defaults: dict[str, str] = {}
    source: str | None = None

    @field_validator("columns", "defaults")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(IMPORTABLE_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown document field(s) {', '.join(unknown)}; fields are {', '.join(IMPORTABLE_FIELDS)}"
            )
        return value


# -- analysis stages ------------------------------------------------------------------------


class StanceConfig(Section):
    """[stance] in analyse.toml: which trained stance model a run uses and how it reports.

    `model` is a model directory (model.json + weights.npz, as `discourse stance train`
    writes), relative to the working directory. `correction` adds shares corrected by the
    model's misclassification matrix beside the raw ones; `only_relevant` classifies only
    sentences the relevance filter passed (the rest are irrelevant).
    """

    model: str = "models/stance"
    correction: bool = True
    only_relevant: bool = True
