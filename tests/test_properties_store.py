"""Property-based tests (hypothesis) for date parsing and the store's upsert idempotence."""

import datetime as dt

from conftest import make_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse.dates import parse_date, period_of
from discourse.store import Store, normalise_text

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_written_form_of_a_day_parses_to_that_day(day):
    expected = day.isoformat()
    for text in (
        expected,
        f"{day.day} {MONTHS[day.month - 1]} {day.year}",
        day.strftime("%d/%m/%Y"),
        f"{expected}T12:00:00Z",
    ):
        parsed = parse_date(text)
        assert (parsed.iso, parsed.precision) == (expected, "day")


@given(st.integers(1900, 2100), st.integers(1, 12))
def test_month_forms_keep_month_precision(year, month):
    for text in (f"{year}-{month:02d}", f"{MONTHS[month - 1]} {year}"):
        parsed = parse_date(text)
        assert (parsed.iso, parsed.precision) == (f"{year}-{month:02d}", "month")
    assert period_of(f"{year}-{month:02d}", "quarter") == f"{year}-Q{(month - 1) // 3 + 1}"


@given(st.text(max_size=40))
def test_parse_date_either_parses_consistently_or_raises_value_error(text):
    try:
        parsed = parse_date(text)
    except ValueError:
        return
    assert len(parsed.iso) == {"year": 4, "month": 7, "day": 10}[parsed.precision]
    assert parse_date(parsed.iso) == parsed  # the stored form reads back as itself


texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60
).filter(lambda t: t.strip())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.integers(0, 5), texts), min_size=1, max_size=12))
def test_upsert_versions_follow_text_changes_and_readding_is_idempotent(
    tmp_path_factory, additions
):
    path = tmp_path_factory.mktemp("prop") / "store.sqlite"
    expected_versions: dict[int, list[str]] = {}
    for (
        n,
        text,
    ) in additions:  # a new version whenever the (normalised) text differs from the latest
        history = expected_versions.setdefault(n, [])
        if not history or history[-1] != normalise_text(text):
            history.append(normalise_text(text))
    with Store.open(path) as store:
        for n, text in additions:
            store.add_document(make_document(n, text=text))
        for n, history in expected_versions.items():
            rows = store.read(
                "SELECT version, is_latest, text FROM documents WHERE canonical_url = ? ORDER BY version",
                (f"https://example.org/doc/{n}",),
            )
            assert [r["text"] for r in rows] == history
            assert [r["version"] for r in rows] == list(range(1, len(history) + 1))
            assert [r["is_latest"] for r in rows] == [0] * (len(history) - 1) + [1]
        count = store.read("SELECT count(*) FROM documents")[0][0]
        for n, history in expected_versions.items():
            assert store.add_document(make_document(n, text=history[-1])).status == "unchanged"
        assert store.read("SELECT count(*) FROM documents")[0][0] == count
        assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
