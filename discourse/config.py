"""TOML configuration, validated on load.

Each configuration file has a pydantic model; this module loads a file against its model and
turns any problem into one ConfigError naming the file, the line (where it can be found), the
dotted key and what was expected. Models reject unknown keys, so a typo never silently falls
back to a default. The ground floor: imports nothing of the package but errors and
vocabulary.
"""

import re
import tomllib
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from discourse.errors import ConfigError
from discourse.vocabulary import ACTOR_TYPES, DOCUMENT_METADATA


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

IMPORTABLE_FIELDS = ("id", *DOCUMENT_METADATA)


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


# -- collection: corpus/sources.toml ----------------------------------------------------------

# Keys of a [sources.NAME] table read by the crawl engine; the rest belongs to the adapter.
ENGINE_SOURCE_KEYS = ("adapter", "enabled", "allowed_hosts")


class ProjectSection(Section):
    """Who is crawling: named in the User-Agent so site owners can reach the researcher."""

    name: str
    contact: str  # an email address or a URL

    @field_validator("name")
    @classmethod
    def _name_is_a_token(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
            raise ValueError("use letters, digits, '.', '_' or '-' (it goes in the User-Agent)")
        return value

    @field_validator("contact")
    @classmethod
    def _contact_reaches_someone(cls, value: str) -> str:
        value = value.strip()
        if not (
            re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value)
            or re.fullmatch(r"https?://\S+\.\S+", value)
        ):
            raise ValueError(
                "give an email address or http(s) URL where site owners can reach you "
                "(it is sent in the User-Agent of every request)"
            )
        return value


class FetchSection(Section):
    """How politely and robustly to fetch. Times are in seconds."""

    delay: float = Field(1.0, ge=0)  # idle time between two requests to one host
    concurrency: int = Field(4, ge=1, le=64)  # requests in flight across all hosts
    per_host: int = Field(1, ge=1, le=8)  # requests in flight to one host
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(30.0, gt=0)  # longest silence while reading
    total_timeout: float = Field(300.0, gt=0)  # longest time for one whole response
    retries: int = Field(3, ge=0, le=20)  # further attempts after a retryable failure
    backoff: float = Field(2.0, ge=0)  # first retry wait; doubles each time, with jitter
    max_backoff: float = Field(300.0, ge=0)
    max_retry_after: float = Field(3600.0, ge=0)  # longer Retry-After: give up for this run
    retry_statuses: list[int] = [429, 500, 502, 503, 504]
    max_attempts: int = Field(10, ge=1)  # across runs, before a transient failure is final
    max_bytes: int = Field(50_000_000, ge=1024)  # body cap, compressed and decoded
    max_redirects: int = Field(10, ge=0, le=50)
    robots_ttl: float = Field(86_400.0, gt=0)  # re-read robots.txt after this long
    # Hard ceilings in requests per minute for strict services; a host matches its key or
    # any subdomain of it. Stricter than delay and Crawl-delay when they are shorter.
    ceilings: dict[str, float] = {"web.archive.org": 60.0}
    allow_private: bool = False  # fetch private, loopback and link-local addresses
    # Connect to another address for a host, like curl --resolve: {"host" = "127.0.0.1:8000"}.
    # Hosts listed here count as explicitly allowed even when the address is private.
    resolve: dict[str, str] = {}
    trailing_slash: Literal["keep", "strip"] = "keep"
    drop_query_params: list[str] = []  # dropped in canonical URLs, beside utm_* and click ids
    revisit_after_days: float = Field(30.0, ge=0)  # re-fetch pages that gave documents after
    # longest an adapter may work on one response (parsing, extraction) before the request
    # fails with that reason; extraction's own per-document limits are shorter
    handle_timeout: float = Field(600.0, gt=0)

    @field_validator("resolve")
    @classmethod
    def _resolve_targets(cls, value: dict[str, str]) -> dict[str, str]:
        for host, target in value.items():
            address, sep, port = target.rpartition(":")
            if not sep or not address or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"resolve.{host} must be ADDRESS:PORT, like '127.0.0.1:8000'")
        return {host.lower(): target for host, target in value.items()}

    @field_validator("ceilings")
    @classmethod
    def _positive_ceilings(cls, value: dict[str, float]) -> dict[str, float]:
        for host, per_minute in value.items():
            if per_minute <= 0:
                raise ValueError(f"ceilings.{host} must be a positive number of requests/minute")
        return {host.lower(): per_minute for host, per_minute in value.items()}


class ArchiveSection(Section):
    """Where the WARC files go (relative paths are relative to the sources file)."""

    dir: str = "archive"
    rotate_mb: float = Field(1000.0, gt=0)  # start a new file past this size
    prefix: str = "discourse"


class DedupSection(Section):
    """Exact and near-duplicate detection across the whole store after each crawl."""

    enabled: bool = True
    threshold: float = Field(0.8, gt=0, le=1)  # Jaccard similarity of word shingles
    shingle_words: int = Field(5, ge=1, le=20)
    min_words: int = Field(30, ge=1)  # shorter texts are only compared exactly


class SourcesFile(Section):
    """corpus/sources.toml: the crawl's settings and one [sources.NAME] table per source.

    Source tables stay raw dicts here: each names its `adapter`, whose own Config validates
    the rest (discourse.collect.sources.build), apart from the engine's keys
    (ENGINE_SOURCE_KEYS): `enabled` (default true) and `allowed_hosts` (hosts the source may
    fetch from besides those of its start requests; "*.example.org" admits subdomains).
    """

    project: ProjectSection
    fetch: FetchSection = FetchSection()
    archive: ArchiveSection = ArchiveSection()
    dedup: DedupSection = DedupSection()
    sources: dict[str, dict[str, Any]] = {}

    @field_validator("sources")
    @classmethod
    def _sources_name_an_adapter(cls, value: dict[str, dict[str, Any]]) -> dict[str, Any]:
        for name, table in value.items():
            if not isinstance(table, dict):
                raise ValueError(f"sources.{name} must be a table ([sources.{name}])")
            if not isinstance(table.get("adapter"), str):
                raise ValueError(f'[sources.{name}] needs adapter = "..." naming its adapter')
            if not isinstance(table.get("enabled", True), bool):
                raise ValueError(f"sources.{name}.enabled must be true or false")
            hosts = table.get("allowed_hosts", [])
            if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
                raise ValueError(f"sources.{name}.allowed_hosts must be a list of host names")
        return value


# -- analysis (analyse.toml) ----------------------------------------------------------------
# One model per section of analyse.toml, composed into AnalyseFile. The sentiment and stance
# stages add their own sections the same way.

_PERIOD = Literal["month", "quarter", "year"]


class AnalysisSection(Section):
    """[analysis]: what a run reads and how its estimates are made."""

    seed: int = 2010
    period: _PERIOD = "year"
    replicates: int = Field(1000, ge=0, le=100_000)  # bootstrap replicates for every CI
    include_duplicates: bool = False
    workers: int = Field(2, ge=1)  # processes splitting documents and matching concepts


class RelevanceSection(Section):
    """[relevance]: the scored filter for the codebook's target."""

    lexicon: str | None = None  # a concepts TOML of your own; default: the packaged one
    threshold: float = 2.0  # a sentence is relevant when its score reaches this
    context_weight: float = Field(0.25, ge=0.0, le=1.0)  # share of the neighbours' scores added
    model: str | None = None  # a learned scorer from `discourse relevance train` replaces the score
    model_threshold: float = Field(0.5, ge=0.0, le=1.0)  # P(relevant) needed with a model


class PreprocessSection(Section):
    """[preprocess]: tokens for topics and trends."""

    pipeline: str = "blank"  # "blank" (sentencizer + lookup lemmas) or an installed spaCy package
    lemmatize: bool = True
    min_length: int = Field(2, ge=1)
    stop_words: list[str] = []  # added to the built-in English and boilerplate lists
    keep_words: list[str] = []  # removed from the stop lists
    phrases: bool = True
    phrases_min_count: int = Field(5, ge=1)
    phrases_threshold: float = Field(0.5, gt=-1.0, le=1.0)  # NPMI scoring
    batch_size: int = Field(512, ge=1)


class TopicsSection(Section):
    """[topics]: LDA with K chosen by held-out coherence."""

    enabled: bool = True
    k: list[int] = [5, 10, 15, 20, 25, 30]
    coherence: Literal["c_npmi", "c_v"] = "c_npmi"
    holdout: float = Field(0.2, gt=0.0, lt=1.0)
    unit_words: int = Field(120, ge=10)  # consecutive sentences of a document grouped to ~this
    passes: int = Field(3, ge=1)  # of the final model
    iterations: int = Field(50, ge=1)
    selection_passes: int = Field(1, ge=1)  # of each candidate model while choosing k
    selection_units: int = Field(2000, ge=10)  # candidates are fitted on at most this many units
    workers: int = Field(1, ge=1)  # >1 uses LdaMulticore and is not byte-reproducible
    no_below: int = Field(
        5, ge=1
    )  # keep terms in at least this many units (capped on tiny corpora)
    no_above: float = Field(0.5, gt=0.0, le=1.0)
    top_terms: int = Field(15, ge=3)
    coherence_terms: int = Field(10, ge=3)
    representative: int = Field(5, ge=1)

    @field_validator("k")
    @classmethod
    def _k_range(cls, value: list[int]) -> list[int]:
        if not value or any(k < 2 for k in value):
            raise ValueError("k must list topic numbers of at least 2, e.g. [5, 10, 15]")
        return sorted(set(value))


class KeynessComparison(Section):
    """One keyness comparison: documents whose `column` is `target` against `reference`."""

    column: Literal["actor_type", "source_kind", "period"] = "actor_type"
    target: str
    reference: str  # a value of `column`, or "*" for everything else


class TrendsSection(Section):
    """[trends]: concept-term rates per 10,000 words and keyness between groups."""

    concepts: bool = True  # count every concept of the relevance lexicon
    terms: dict[str, list[str]] = {}  # label = [patterns]; * at a word's end matches any ending
    keyness: list[KeynessComparison] = [
        KeynessComparison(target="local_government", reference="central_government")
    ]
    keyness_top: int = Field(50, ge=1)
    keyness_min_count: int = Field(5, ge=1)


# -- sentiment --------------------------------------------------------------------------------


class SentimentConfig(Section):
    """`[sentiment]`: how sentences are scored (see discourse/analyse/sentiment).

    `dictionary` is the path to a Lexicoder-format dictionary of your own (LSD2015 as CSV,
    .lc3 or WordStat .cat, or a weighted pattern,weight CSV); without it the bundled
    political-tone dictionary is used. The Lexicoder Sentiment Dictionary is licensed for
    non-commercial academic use only, so it is never bundled: point to your own copy.
    """

    method: Literal["combined", "vader", "dictionary"] = "combined"
    dictionary: str | None = None
    political_vader: bool = True  # VADER adapted to political text (courtesies, UK spelling)
    vader_weight: float = 0.5  # weight of VADER in the combined score (the dictionary has 1 - w)
    negation_window: int = 3  # a negator this many words before a dictionary match flips it
    neutral_band: float = 0.05  # |score| at or below this is labelled neutral
    # processes scoring sentences alongside the stages ahead (0: in turn, in-process); any
    # number gives the same scores
    workers: int = Field(1, ge=0)

    @field_validator("vader_weight")
    @classmethod
    def _weight_in_unit_interval(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:
            raise ValueError("must be between 0 and 1")
        return value

    @field_validator("neutral_band")
    @classmethod
    def _band_in_range(cls, value: float) -> float:
        if not 0.0 <= value < 1.0:
            raise ValueError("must be at least 0 and below 1")
        return value

    @field_validator("negation_window")
    @classmethod
    def _window_in_range(cls, value: int) -> int:
        if not 0 <= value <= 20:
            raise ValueError("must be between 0 and 20 words")
        return value


# -- stance ------------------------------------------------------------------------


class StanceConfig(Section):
    """[stance] in analyse.toml: which trained stance model a run uses and how it reports.

    `model` is a model directory (model.json + weights.npz, as `discourse stance train`
    writes), relative to the working directory; unset, the shipped models/stance. `correction` adds shares corrected by the
    model's misclassification matrix beside the raw ones; `only_relevant` classifies only
    sentences the relevance filter passed (the rest are irrelevant). `workers` processes
    classify while the stages ahead run (0: classify in turn, in this process).
    """

    model: str | None = None
    correction: bool = True
    only_relevant: bool = True
    workers: int = Field(1, ge=0)


# -- survey comparison -----------------------------------------------------------------------


class CompareSection(Section):
    """`[compare]`: published survey figures set beside the discourse of the same population.

    `populations` maps each `population_group` of the survey table to the actor_types whose
    documents speak for it ("*" for every actor). A survey wave is compared with the documents
    dated within `window_months` either side of its fieldwork (or publication) span.
    """

    enabled: bool = True  # run the comparison at the end of `discourse analyse`
    surveys: str | None = None  # a survey table of your own; default: the bundled figures
    window_months: int = Field(6, ge=0, le=120)
    min_documents: int = Field(2, ge=1)  # a wave is a correlation point only with this many
    populations: dict[str, list[str]] = {
        "council_leaders": ["local_government"],
        "public": ["*"],
        "sector": ["charity", "think_tank"],
    }

    @field_validator("populations")
    @classmethod
    def _known_actor_types(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for group, actors in value.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]*", group):
                raise ValueError(f"population group {group!r} must be lower_snake_case")
            if not actors:
                raise ValueError(f"population group {group!r} lists no actor_type")
            unknown = [a for a in actors if a != "*" and a not in ACTOR_TYPES]
            if unknown:
                raise ValueError(
                    f"population group {group!r}: unknown actor_type(s) {', '.join(unknown)}; "
                    f'use {", ".join(ACTOR_TYPES)} or "*"'
                )
        return value


class AnalyseFile(Section):
    """analyse.toml: one section per stage; every key has a default."""

    analysis: AnalysisSection = AnalysisSection()
    relevance: RelevanceSection = RelevanceSection()
    preprocess: PreprocessSection = PreprocessSection()
    topics: TopicsSection = TopicsSection()
    trends: TrendsSection = TrendsSection()
    sentiment: SentimentConfig = SentimentConfig()
    stance: StanceConfig = StanceConfig()
    compare: CompareSection = CompareSection()
