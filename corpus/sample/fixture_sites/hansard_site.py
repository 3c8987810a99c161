"""ParlParse's published debate XML (as TheyWorkForYou serves it under /pwdata/scrapedxml/).

Directory listings in Apache's autoindex style; one file per chamber and sitting day, named
`debates<date><letter>.xml` (Commons) or `daylord<date><letter>.xml` (Lords), whose root
`<publicwhip>` says `latest="no"` when a later letter supersedes it; headings and speeches in
document order. Also the members file in ParlParse's people.json (Popolo) shape.
"""

import datetime as dt
import json
from xml.sax.saxutils import escape, quoteattr

from fixture_sites.model import Debate, Member, SittingDay, Speech
from fixture_sites.web import Query, Reply, html

ROOT = "/pwdata/scrapedxml/"
FOLDERS = {
    "commons": ("debates/", "debates", "debate"),
    "lords": ("lordspages/", "daylord", "lords"),
}


def _speech(speech: Speech, prefix: str) -> str:
    who = ""
    if speech.speaker:
        attribute = "speakerid" if speech.old_style_id else "person_id"
        if speech.member_id:
            who = f" {attribute}={quoteattr(speech.member_id)}"
        who += f" speakername={quoteattr(speech.speaker)}"
    else:
        who = ' nospeaker="true"'
    paragraphs = "\n".join(
        f'<p pid="a{speech.colnum}.{n}">{_xml_text(p)}</p>'
        for n, p in enumerate(speech.paragraphs, start=1)
    )
    return (
        f'<speech id="uk.org.publicwhip/{prefix}/{speech.gid}"{who} colnum="{speech.colnum}" '
        f'time="{speech.time or ""}" url="">\n{paragraphs}\n</speech>'
    )


def _xml_text(text: str) -> str:
    """Escaped text with the numeric character references ParlParse writes for dashes and quotes."""
    out = escape(text)
    return (
        out.replace("\u2014", "&#8212;").replace("\u2019", "&#8217;").replace("\u2013", "&#8211;")
    )


def day_xml(day: SittingDay, latest: bool = True) -> bytes:
    _, _, prefix = FOLDERS[day.chamber]
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<publicwhip scraperversion="{day.letter}" latest="{"yes" if latest else "no"}">',
    ]
    for debate in day.debates:
        parts.append(_debate(debate, prefix))
    parts.append("</publicwhip>")
    return "\n".join(parts).encode("utf-8")


def _debate(debate: Debate, prefix: str) -> str:
    base, column, _ = debate.heading_gid.rsplit(".", 2)
    out = []
    if debate.oral:
        out.append(
            f'<oral-heading id="{base}.{int(column) - 1}.0" nospeaker="true" colnum="{column}" time="" url="">'
            "Oral Answers to Questions</oral-heading>"
        )
    out.append(
        f'<major-heading id="{debate.heading_gid}" nospeaker="true" colnum="{column}" time="" url="">'
        f" {_xml_text(debate.heading)} </major-heading>"
    )
    if debate.subheading:
        out.append(
            f'<minor-heading id="{base}.{column}.99" nospeaker="true">{_xml_text(debate.subheading)}</minor-heading>'
        )
    out += [_speech(s, prefix) for s in debate.speeches]
    return "\n".join(out)


def file_name(day: SittingDay) -> str:
    _, name, _ = FOLDERS[day.chamber]
    return f"{name}{day.date.isoformat()}{day.letter}.xml"


def _listing(folder: str, files: list[tuple[str, int]]) -> Reply:
    rows = "\n".join(
        f'<a href="{name}">{name}</a>{" " * max(1, 30 - len(name))}2015-06-01 08:{n % 60:02d}  {size // 1024}K'
        for n, (name, size) in enumerate(files)
    )
    return html(
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html>\n<head>\n'
        f"<title>Index of {folder}</title>\n</head>\n<body>\n<h1>Index of {folder}</h1>\n"
        f'<pre>      Name                    Last modified      Size  <hr><a href="../">Parent Directory</a>\n{rows}\n</pre><hr></body></html>'
    )


def people_json(members: list[Member]) -> dict:
    """Members in ParlParse's people.json shape: persons, organizations, memberships."""
    persons = {
        m.person_id: {"id": m.person_id, "other_names": [{"name": m.name, "note": "Main"}]}
        for m in members
    }
    parties = sorted({m.party for m in members})
    organizations = [
        {"id": p.lower().replace(" ", "-"), "name": p, "classification": "party"} for p in parties
    ]
    memberships = [
        {
            "id": m.member_id,
            "person_id": m.person_id,
            "on_behalf_of_id": m.party.lower().replace(" ", "-"),
            "organization_id": "house-of-commons" if m.house == "commons" else "house-of-lords",
            "start_date": m.start,
            "end_date": m.end,
        }
        for m in members
    ]
    return {
        "persons": list(persons.values()),
        "organizations": organizations,
        "memberships": memberships,
    }


def hansard_site(days: list[SittingDay], members: list[Member]):
    files: dict[str, bytes] = {}
    listings: dict[str, list[tuple[str, int]]] = {folder: [] for folder, _, _ in FOLDERS.values()}
    for day in sorted(days, key=lambda d: (d.chamber, d.date)):
        folder = FOLDERS[day.chamber][0]
        if day.superseded is not None:
            data = day_xml(day.superseded, latest=False)
            files[folder + file_name(day.superseded)] = data
            listings[folder].append((file_name(day.superseded), len(data)))
        data = day_xml(day)
        files[folder + file_name(day)] = data
        listings[folder].append((file_name(day), len(data)))
    # days outside the sample's range, listed but never asked for by a 2010–2015 crawl
    for chamber, when in (
        ("commons", dt.date(2009, 12, 1)),
        ("commons", dt.date(2016, 1, 12)),
        ("lords", dt.date(2009, 11, 5)),
    ):
        folder, name, _ = FOLDERS[chamber]
        filename = f"{name}{when.isoformat()}a.xml"
        data = b'<?xml version="1.0" encoding="utf-8"?>\n<publicwhip scraperversion="a" latest="yes">\n</publicwhip>'
        files[folder + filename] = data
        listings[folder].append((filename, len(data)))
    members_body = json.dumps(people_json(members), indent=1).encode()

    def handle(path: str, query: Query) -> Reply | None:
        if not path.startswith("/pwdata/"):
            return None
        if path == "/pwdata/members/people.json":
            return Reply(200, members_body, "application/json")
        relative = path[len(ROOT) :]
        if relative in listings:
            return _listing(path, sorted(listings[relative]))
        if relative in files:
            return Reply(200, files[relative], "text/xml")
        return None

    return handle
