"""The Hansard adapter against ParlParse-shaped debate XML served over local HTTP."""

import datetime as dt
import json

import pytest
from crawling import drive, make_adapter
from fixture_sites import TWFY, hansard_site, people_json
from fixture_sites.model import Debate, Member, SittingDay, Speech
from fixture_sites.web import FixtureWeb, serve

from discourse.errors import ConfigError

ROOT = f"http://{TWFY}/pwdata/scrapedxml/"
MEMBERS = [
    Member(
        "uk.org.publicwhip/person/90001",
        "uk.org.publicwhip/member/95001",
        "Ann Able",
        "Conservative",
        "commons",
    ),
    Member(
        "uk.org.publicwhip/person/90002",
        "uk.org.publicwhip/member/95002",
        "Bob Baker",
        "Labour",
        "commons",
        end="2012-12-31",
    ),
    Member(
        "uk.org.publicwhip/person/90002",
        "uk.org.publicwhip/member/95003",
        "Bob Baker",
        "Independent",
        "commons",
        start="2013-01-01",
    ),
    Member(
        "uk.org.publicwhip/person/92001",
        "uk.org.publicwhip/lord/191001",
        "Lord Carr",
        "Crossbench",
        "lords",
    ),
]


def day(chamber: str, when: dt.date, letter: str = "a", typo: bool = False) -> SittingDay:
    prefix = when.isoformat() + "a"
    word = "teh" if typo else "the"
    relevant = Debate(
        "Big Society",
        f"uk.org.publicwhip/debate/{prefix}.10.0",
        [
            Speech(
                f"{prefix}.10.1",
                "Ann Able",
                MEMBERS[0].person_id,
                [
                    f"The Big Society is working in {word} towns.",
                    "Volunteers & charities \u2014 thriving.",
                ],
                time="14:31:00",
                colnum="10",
            ),
            Speech(
                f"{prefix}.10.2",
                "Bob Baker",
                MEMBERS[1].member_id,
                ["Cuts are hurting charities."],
                colnum="11",
                old_style_id=True,
            ),
            Speech(f"{prefix}.10.3", "Mr Speaker", None, ["Order."], colnum="11"),
        ],
        subheading="Community Organisers",
    )
    other = Debate(
        "Rail Franchising",
        f"uk.org.publicwhip/debate/{prefix}.20.0",
        [
            Speech(
                f"{prefix}.20.1",
                "Ann Able",
                MEMBERS[0].person_id,
                ["The timetable changes in May."],
                colnum="20",
            )
        ],
        oral=True,
    )
    if chamber == "lords":
        relevant.speeches = [
            Speech(
                f"{prefix}.5.1",
                "Lord Carr",
                MEMBERS[3].person_id,
                ["My Lords, the Big Society needs charities."],
                colnum="5",
            )
        ]
    return SittingDay(chamber, when, [other, relevant], letter)


def site(days: list[SittingDay]) -> FixtureWeb:
    web = FixtureWeb()
    web.add(TWFY, hansard_site(days, MEMBERS))
    return web


@pytest.fixture
def members_file(tmp_path):
    path = tmp_path / "people.json"
    path.write_text(json.dumps(people_json(MEMBERS)))
    return path


def run(days, tmp_path, **table):
    adapter = make_adapter(
        {
            "adapter": "hansard",
            "base_url": ROOT,
            "speech_url": "http://twfy.sample.invalid/{section}/?id={gid}",
            "keywords": ["big society", "charit*"],
            "members": "people.json",
            **table,
        },
        base_dir=tmp_path,
    )
    web = site(days)
    with serve(web) as server:
        return drive(adapter, server.port)


def test_index_discovery_reads_the_latest_issue_of_each_day_in_range(tmp_path, members_file):
    corrected = day("commons", dt.date(2011, 1, 17), "b")
    corrected.superseded = day("commons", dt.date(2011, 1, 17), "a", typo=True)
    days = [day("commons", dt.date(2010, 6, 8)), corrected, day("lords", dt.date(2011, 6, 16))]
    result = run(days, tmp_path, since="2010-05-01", until="2015-12-31")
    assert [u for u in result.fetched if u.endswith(".xml")] == [
        f"{ROOT}debates/debates2010-06-08a.xml",
        f"{ROOT}debates/debates2011-01-17b.xml",
        f"{ROOT}lordspages/daylord2011-06-16a.xml",
    ]
    assert not any("2009-12-01" in u or "2016-01-12" in u for u in result.fetched)
    texts = [d.text for d in result.documents]
    assert not any("teh" in t for t in texts)


def test_one_document_per_matching_speech_with_its_debate(tmp_path, members_file):
    result = run([day("commons", dt.date(2010, 6, 8))], tmp_path)
    docs = result.by_url()
    first = docs["http://twfy.sample.invalid/debates/?id=2010-06-08a.10.1"]
    assert (
        first.text
        == "The Big Society is working in the towns.\n\nVolunteers & charities \u2014 thriving."
    )
    assert (first.title, first.author, first.party, first.publisher) == (
        "Big Society \u2014 Community Organisers",
        "Ann Able",
        "Conservative",
        "House of Commons",
    )
    assert (first.source_kind, first.actor_type, first.published_at, first.date_precision) == (
        "debate",
        "parliament",
        "2010-06-08",
        "day",
    )
    assert first.extra["debate_id"] == "uk.org.publicwhip/debate/2010-06-08a.10.0"
    assert first.extra["speech_id"] == "uk.org.publicwhip/debate/2010-06-08a.10.1"
    assert first.extra["debate_heading"] == "Big Society"
    assert first.extra["subheading"] == "Community Organisers"
    assert first.extra["time"] == "14:31:00"
    assert first.extra["member_id"] == "uk.org.publicwhip/person/90001"
    # the old speakerid (a membership id) finds its party too
    assert docs["http://twfy.sample.invalid/debates/?id=2010-06-08a.10.2"].party == "Labour"
    # the heading carries the keyword: the Speaker's call to order is part of that debate
    assert docs["http://twfy.sample.invalid/debates/?id=2010-06-08a.10.3"].author == "Mr Speaker"
    assert result.reasons() == {
        "http://twfy.sample.invalid/debates/?id=2010-06-08a.20.1": "no keyword match"
    }


def test_party_follows_the_date_of_the_speech(tmp_path, members_file):
    later = day("commons", dt.date(2013, 6, 5))
    later.debates[1].speeches[1].old_style_id = False
    later.debates[1].speeches[1].member_id = MEMBERS[1].person_id
    result = run([later], tmp_path)
    assert (
        result.by_url()["http://twfy.sample.invalid/debates/?id=2013-06-05a.10.2"].party
        == "Independent"
    )


def test_lords_speeches_link_to_the_lords_section(tmp_path, members_file):
    result = run([day("lords", dt.date(2012, 2, 9))], tmp_path)
    doc = result.by_url()["http://twfy.sample.invalid/lords/?id=2012-02-09a.5.1"]
    assert (doc.publisher, doc.party, doc.extra["chamber"]) == (
        "House of Lords",
        "Crossbench",
        "lords",
    )


def test_date_discovery_tries_weekdays_and_follows_reissues(tmp_path, members_file):
    corrected = day("commons", dt.date(2011, 1, 17), "b")
    corrected.superseded = day("commons", dt.date(2011, 1, 17), "a", typo=True)
    result = run(
        [corrected],
        tmp_path,
        discovery="dates",
        chambers=["commons"],
        since="2011-01-14",
        until="2011-01-18",
    )
    assert result.fetched == [
        f"{ROOT}debates/debates2011-01-14a.xml",
        f"{ROOT}debates/debates2011-01-17a.xml",
        f"{ROOT}debates/debates2011-01-18a.xml",
        f"{ROOT}debates/debates2011-01-17b.xml",
    ]
    assert result.failures == {}
    assert result.reasons() == {
        f"{ROOT}debates/debates2011-01-14a.xml": "no sitting on 2011-01-14 (commons)",
        f"{ROOT}debates/debates2011-01-18a.xml": "no sitting on 2011-01-18 (commons)",
        "http://twfy.sample.invalid/debates/?id=2011-01-17a.20.1": "no keyword match",
    }
    assert len(result.documents) == 3 and not any("teh" in d.text for d in result.documents)


def test_members_csv_and_missing_file(tmp_path):
    (tmp_path / "members.csv").write_text(
        "person_id,party,start_date,end_date\nuk.org.publicwhip/person/90001,Green,2010-01-01,\n"
    )
    result = run([day("commons", dt.date(2010, 6, 8))], tmp_path, members="members.csv")
    assert (
        result.by_url()["http://twfy.sample.invalid/debates/?id=2010-06-08a.10.1"].party == "Green"
    )
    adapter = make_adapter({"adapter": "hansard", "members": "nowhere.json"}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match="nowhere.json: members file not found"):
        list(adapter.start())  # read when the crawl starts, once the config's folder is known


def test_date_discovery_needs_a_range():
    with pytest.raises(ConfigError, match='discovery = "dates" needs both since and until'):
        make_adapter({"adapter": "hansard", "discovery": "dates"})
