"""The project's controlled vocabulary (see docs/design.md): one definition for code and store."""

SOURCE_KINDS = ("speech", "debate", "blog", "council", "news", "report", "other")
ACTOR_TYPES = (
    "central_government",
    "parliament",
    "local_government",
    "think_tank",
    "charity",
    "media",
    "academic",
    "other",
)
STANCES = ("support", "sceptical", "neutral", "irrelevant")
DATE_PRECISIONS = ("day", "month", "year")


def check_term(field: str, value: str, allowed: tuple[str, ...]) -> str:
    """Return value if it is in the vocabulary, else raise ValueError naming the choices."""
    if value not in allowed:
        raise ValueError(f"{field} must be one of {', '.join(allowed)}; got {value!r}")
    return value


# What a document says about itself beside its text: filled by adapters and imports alike.
DOCUMENT_METADATA = (
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
