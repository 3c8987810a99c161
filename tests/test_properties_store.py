"""Property-based tests (hypothesis) for date parsing, partial dates and the evidence for them,
and the store's upsert: idempotent, versions for new text, metadata corrected in place."""

import datetime as dt

from conftest import make_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse.collect.extract.metadata import evidenced_date
from discourse.collect.sources.common import date_span, try_date
from discourse.dates import PartialDate, parse_date, period_of, utc_now
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


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_a_partial_date_stands_for_a_span_holding_every_day_it_was_cut_from(day):
    for precision, cut in (("day", 10), ("month", 7), ("year", 4)):
        date = PartialDate(day.isoformat()[:cut], precision)
        first, last = date_span(date)
        assert first <= day <= last
        assert period_of(date.iso, "year") == str(day.year)
        assert date_span(parse_date(date.iso)) == (first, last)
    assert date_span(PartialDate(f"{day.year}", "year"))[1] == dt.date(day.year, 12, 31)


FORMS = (
    "{d:%Y-%m-%d}",
    "{d:%Y%m%d}",
    "{d:%d/%m/%Y}",
    "{d.day} {month} {d.year}",
    "{month} {d.day}, {d.year}",
    "{d.day}st {month} {d.year}",
    "<time datetime='{d:%Y-%m-%d}T10:00:00Z'>",
)


@given(
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.sampled_from(FORMS),
    st.text(alphabet="abc xyz.,;<>/", max_size=30),
)
def test_a_guessed_first_of_the_month_keeps_day_precision_only_with_evidence(day, form, noise):
    first = day.replace(day=1)
    guess = PartialDate(first.isoformat(), "day")
    spelled = form.format(d=first, month=MONTHS[first.month - 1])
    assert evidenced_date(guess, f"{noise} {spelled} {noise}") == guess
    assert evidenced_date(guess, noise) == PartialDate(str(first.year), "year")
    month = f"{MONTHS[first.month - 1]} {first.year}"
    assert evidenced_date(guess, noise, month) == PartialDate(first.isoformat()[:7], "month")
    if day.day != 1:
        other = PartialDate(day.isoformat(), "day")
        assert evidenced_date(other, noise) == other


@given(st.lists(st.one_of(st.text(max_size=30), st.dates().map(str)), max_size=4))
def test_try_date_gives_the_first_plausible_value_and_never_a_future_one(values):
    today = utc_now()[:10]
    found = try_date(*values)
    plausible = []
    for value in values:
        try:
            parsed = parse_date(value)
        except ValueError:
            continue
        if parsed.iso <= today[: len(parsed.iso)]:
            plausible.append(parsed)
    assert found == (plausible[0] if plausible else None)


META = st.fixed_dictionaries(
    {
        "title": st.sampled_from(["Title A", "Title B", None]),
        "author": st.sampled_from(["Ann Able", "Bob Baker", None]),
        "published_at": st.sampled_from(["2011-05-02", "2011-05", None]),
        "party": st.sampled_from(["Labour", None]),
    }
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(META, min_size=1, max_size=8))
def test_metadata_only_changes_update_in_place_and_never_add_versions(tmp_path_factory, metas):
    path = tmp_path_factory.mktemp("meta") / "store.sqlite"
    text = "The volunteers kept the library open; the council kept the building."
    with Store.open(path) as store:
        current = None
        for meta in metas:
            precision = {10: "day", 7: "month"}.get(len(meta["published_at"] or ""))
            document = make_document(1, text=text, date_precision=precision, **meta)
            status = store.add_document(document).status
            expected = "added" if current is None else "unchanged" if meta == current else "updated"
            assert status == expected
            current = meta
        (row,) = store.read("SELECT * FROM documents")
        assert (row["version"], row["is_latest"]) == (1, 1)
        assert {key: row[key] for key in current} == current
        if current["title"]:
            (hit,) = store.read(
                "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?",
                (f'title:"{current["title"]}"',),
            )
            assert hit[0] == row["id"]
        store.connection.execute(
            "INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')"
        )
