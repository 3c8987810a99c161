"""The filters every adapter shares, the registry, and config validation."""

import datetime as dt
from pathlib import Path

import pytest
from crawling import make_adapter

from discourse.collect.model import Skip
from discourse.collect.sources import ADAPTERS, build
from discourse.collect.sources.common import Keywords, html_text
from discourse.dates import PartialDate
from discourse.errors import ConfigError
from discourse.store import Document

ENGLISH = (
    "The council has agreed to hand the running of the branch library to a group of local "
    "volunteers, who say they will keep it open for longer hours than before and will work "
    "with the library service to train new helpers over the coming year."
)


OURS = sorted(
    name
    for name, adapter in ADAPTERS.items()
    if adapter.__module__.startswith("discourse.collect.sources.")
)  # tests elsewhere register adapters of their own


def test_every_source_family_is_registered_when_the_package_is_imported():
    assert OURS == [
        "feed",
        "files",
        "govuk",
        "hansard",
        "moderngov",
        "pages",
        "sitemap",
        "wayback",
        "wordpress",
    ]


def test_keywords_match_whole_words_phrases_across_hyphens_and_wildcards():
    keywords = Keywords(["big society", "volunteer*", "charit*", "co-production"])
    assert keywords.found("The Big-Society agenda") == ["big society"]
    assert keywords.found("Volunteering and charities") == ["volunteer*", "charit*"]
    assert keywords.found("an uncharitable view") == []
    assert keywords.found("co production in care", None) == ["co-production"]
    assert keywords.found("BIG\nSOCIETY") == ["big society"]


def test_html_text_decodes_entities_and_keeps_paragraphs():
    fragment = (
        "<div class='govspeak'><h2>Rights &amp; duties</h2><p>It&#8217;s our&nbsp;aim.</p>"
        "<script>var x = 1;</script><ul><li>one</li><li>two<br>lines</li></ul>tail</div>"
    )
    assert (
        html_text(fragment) == "Rights & duties\n\nIt\u2019s our aim.\n\none\n\ntwo\nlines\n\ntail"
    )
    assert html_text(None) == ""
    assert html_text("   ") == ""


def _pages(**table):
    return make_adapter({"adapter": "pages", "urls": [], "actor_type": "charity", **table})


def test_partial_date_bounds_cover_their_whole_period():
    adapter = _pages(since="2010", until="2015-06")
    assert adapter.config.since == dt.date(2010, 1, 1)
    assert adapter.config.until == dt.date(2015, 6, 30)
    toml_dates = _pages(since=dt.date(2011, 2, 3), until=dt.datetime(2012, 1, 1, 9, 0))
    assert (toml_dates.config.since, toml_dates.config.until) == (
        dt.date(2011, 2, 3),
        dt.date(2012, 1, 1),
    )


def test_reversed_date_range_is_a_config_error_naming_the_source(tmp_path):
    with pytest.raises(ConfigError, match=r"sources.toml: .*since \(2014-01-01\) is after until"):
        _pages(since="2014", until="2012")


def test_unknown_key_is_a_config_error_with_the_dotted_key(tmp_path):
    config = tmp_path / "sources.toml"
    config.write_text(
        '[sources.blog]\nadapter = "pages"\nurls = []\nactor_type = "charity"\nurl = "x"\n'
    )
    table = {"adapter": "pages", "urls": [], "actor_type": "charity", "url": "x"}
    with pytest.raises(ConfigError, match=r"sources.toml:5: unknown key 'sources.blog.url'"):
        build("blog", table, config)


def test_bad_actor_type_and_keyword_are_config_errors():
    with pytest.raises(ConfigError, match="sources.test.actor_type"):
        _pages(actor_type="lobbyist")
    with pytest.raises(ConfigError, match="keyword '\\*' has no words"):
        _pages(keywords=["*"])


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    adapter = make_adapter({"adapter": "files", "folder": "docs"}, base_dir=tmp_path)
    assert adapter.local_path("docs") == tmp_path / "docs"
    assert adapter.local_path("/abs/x.csv") == Path("/abs/x.csv")


def test_document_filters_report_why_an_item_is_left_out():
    adapter = _pages(
        since="2010-05-01",
        until="2015",
        keywords=["library", "big society"],
        extra={"synthetic": True},
    )
    day = PartialDate("2011-03-04", "day")
    url = "http://x.sample.invalid/a"
    assert adapter.document(url=url, text="  \n ", date=day) == Skip(url, "empty text")
    assert adapter.document(url=url, text=ENGLISH, date=None) == Skip(url, "no publication date")
    assert adapter.document(url=url, text=ENGLISH, date=PartialDate("2009-12-31", "day")) == Skip(
        url, "published 2009-12-31, outside 2010-05-01 to 2015-12-31"
    )
    assert adapter.document(url=url, text=ENGLISH.replace("library", "park"), date=day) == Skip(
        url, "no keyword match"
    )
    welsh = (
        "Mae'r llywodraeth yn awyddus i weld cymunedau yn cymryd mwy o gyfrifoldeb am y "
        "gwasanaethau lleol sydd yn bwysig iddyn nhw. Bydd y gronfa newydd yn helpu grwpiau "
        "gwirfoddol i ddatblygu eu sgiliau ac i gynllunio ar gyfer y dyfodol, ac mae hyn yn "
        "bwysig i bawb yn y llyfrgell."
    )
    assert adapter.document(url=url, text=welsh, date=day, language="en") == Skip(
        url, "language 'cy' is not one of en"
    )
    kept = adapter.document(
        url=url, text=ENGLISH, date=day, title="A library saved", author="A. B."
    )
    assert isinstance(kept, Document)
    assert (kept.actor_type, kept.source_kind, kept.published_at, kept.date_precision) == (
        "charity",
        "blog",
        "2011-03-04",
        "day",
    )
    assert kept.language == "en"
    assert kept.extra == {"matched_keywords": ["library"], "synthetic": True}


def test_a_month_dated_item_overlapping_the_range_start_is_kept():
    adapter = _pages(since="2010-05-15")
    kept = adapter.document(url="http://x/a", text=ENGLISH, date=PartialDate("2010-05", "month"))
    assert isinstance(kept, Document) and kept.published_at == "2010-05"
    assert adapter.document(
        url="http://x/b", text=ENGLISH, date=PartialDate("2010-04", "month")
    ) == Skip("http://x/b", "published 2010-04, outside 2010-05-15 to …")


def test_undated_items_are_kept_when_the_source_says_so():
    adapter = _pages(keep_undated=True)
    kept = adapter.document(url="http://x/a", text=ENGLISH)
    assert isinstance(kept, Document) and kept.published_at is None and kept.date_precision is None


def test_keywords_become_search_terms_without_wildcards():
    from discourse.collect.sources.common import search_terms

    assert search_terms(["big society", "volunteer*", "co-produc*", "volunteer", "*"]) == [
        "big society",
        "volunteer",
        "co-produc",
    ]
    adapter = make_adapter(
        {
            "adapter": "wordpress",
            "site": "http://wp.sample.invalid",
            "actor_type": "charity",
            "keywords": ["charit*"],
        }
    )
    assert [r.data["search"] for r in adapter.start()] == ["charit"]


def test_the_default_sources_file_names_real_sources_every_adapter_accepts():
    from discourse.collect.crawl import _build
    from discourse.config import SourcesFile, read_toml, validate

    path = Path(__file__).resolve().parents[2] / "corpus" / "sources.toml"
    data = read_toml(path)
    data["project"]["contact"] = "researcher@example.org"  # left empty on purpose in the file
    config = validate(data, SourcesFile, path)
    built = {name: _build(name, table, path)[0] for name, table in config.sources.items()}
    assert {a.name for a in built.values()} == set(OURS) - {"feed", "pages"}
    starts = [r.url for name, a in built.items() if a.name != "files" for r in a.start()]
    assert all(url.startswith("https://") and ".sample.invalid" not in url for url in starts)
    assert built["councils"].config.councils[0].url == "https://democracy.kent.gov.uk/"
