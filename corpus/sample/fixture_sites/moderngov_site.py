"""A ModernGov democracy site: committee list, meetings by year, a meeting's agenda and
documents, and the documents themselves (PDF, some HTML, some via mgConvert2PDF.aspx).
"""

from functools import cache
from html import escape
from urllib.parse import quote

from fixture_sites import pdfs
from fixture_sites.model import Council, CouncilDocument, Meeting
from fixture_sites.web import Query, Reply, html

PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>{title} - {council}</title></head>
<body><div id="mgHeader"><a href="mgListCommittees.aspx?bcr=1">Committees</a> |
<a href="mgCalendarMonthView.aspx">Calendar</a> | <a href="mgMemberIndex.aspx">Councillors</a></div>
<div id="modgov"><div class="mgContent">
<h1 class="mgMainTitleTxt">{title}</h1>
{content}
</div></div>
<div id="mgFooter">{council} &middot; Democratic Services &middot; Powered by a committee management system</div>
</body></html>"""


def _page(council: Council, title: str, content: str) -> Reply:
    return html(PAGE.format(title=escape(title), council=escape(council.name), content=content))


def document_href(document: CouncilDocument) -> str:
    number = int(document.doc_id[1:])
    if document.kind == "report" and document.form == "pdf" and number % 7 == 0:
        return f"mgConvert2PDF.aspx?ID={number}"
    suffix = {"minutes": "?T=1", "agenda": "?T=0", "reports pack": "?T=10"}.get(document.kind, "")
    return f"documents/{document.doc_id}/{quote(document.file_name)}{suffix}"


def _size(document: CouncilDocument) -> str:
    kind = "HTML" if document.form == "html" else "PDF"
    return f"{kind} {max(12, sum(len(p) for p in document.paragraphs) // 40)} KB"


def meeting_page(
    council: Council, committee_name: str, committee_id: int, meeting: Meeting
) -> Reply:
    when = meeting.when
    actions = "".join(
        f'<li><a href="{escape(document_href(d))}">{escape(d.link_text)} <span class="mgFileSize">{_size(d)}</span></a></li>'
        for d in meeting.documents
    )
    rows = []
    for item in meeting.items:
        links = "".join(
            f'<li><a class="mgFileLink" href="{escape(document_href(d))}" title="Link to document">'
            f"{escape(d.link_text)}, item {escape(item.number)}</a> <span>{_size(d)}</span></li>"
            for d in item.documents
        )
        rows.append(
            f'<tr><td class="mgItemNumberCell"><p class="mgAiTitleTxt">{escape(item.number)}</p></td>'
            f'<td><p class="mgAiTitleTxt">{escape(item.title)}</p>'
            f'<div class="mgWordPara"><p>{escape(item.summary)}</p></div>'
            f'<ul class="mgBulletList">{links}</ul></td></tr>'
        )
    content = (
        f'<p class="mgSubTitleTxt">{escape(committee_name)}</p>'
        f"<p><strong>Date:</strong> {when:%A} {when.day} {when:%B, %Y} {when:%-I.%M %p}</p>"
        f"<p><strong>Venue:</strong> {escape(meeting.venue)}</p>"
        f'<ul class="mgActionList">{actions}</ul>'
        f'<h2 class="mgSectionTitle">Items</h2><table class="mgItemTable">{"".join(rows)}</table>'
        f'<p><a href="ieListMeetings.aspx?CId={committee_id}&amp;Year={when.year}">Back to meetings</a></p>'
    )
    return _page(council, f"Agenda and minutes - {committee_name}", content)


def meetings_page(
    council: Council, committee_name: str, committee_id: int, meetings: list[Meeting], year: int
) -> Reply:
    listed = [m for m in meetings if m.when.year == year]
    items = "".join(
        f'<li><a href="ieListDocuments.aspx?CId={committee_id}&amp;MId={m.meeting_id}&amp;Ver=4" '
        f'title="Link to meeting details for {m.when.day} {m.when:%B %Y}">{m.when.day} {m.when:%b %Y} {m.when:%-I.%M %p}</a></li>'
        for m in sorted(listed, key=lambda m: m.when)
    )
    years = " ".join(
        f'<a href="ieListMeetings.aspx?CId={committee_id}&amp;Year={y}">{y}</a>'
        for y in range(2009, 2017)
    )
    content = f'<p class="mgSubTitleTxt">{escape(committee_name)}</p><p>Years: {years}</p><ul class="mgBulletList">{items or "<li>No meetings found.</li>"}</ul>'
    return _page(council, f"Browse meetings - {committee_name}", content)


def _document_body(
    council: Council, committee: str, meeting: Meeting, document: CouncilDocument
) -> Reply:
    header = f"{council.name} - {committee} - {meeting.when.day} {meeting.when:%B %Y}"
    headings = dict(document.headings)
    if document.form == "html":
        parts = []
        for index, paragraph in enumerate(document.paragraphs):
            if index in headings:
                parts.append(f"<h2>{escape(headings[index])}</h2>")
            parts.append(f"<p>{escape(paragraph)}</p>")
        return html(
            f'<!DOCTYPE html><html lang="en"><head><title>{escape(document.title)}</title></head><body>'
            f'<div class="header">{escape(header)}</div><h1>{escape(document.title)}</h1>{"".join(parts)}'
            f'<div class="footer">{escape(council.name)}</div></body></html>'
        )
    if document.form == "scanned":
        data = pdfs.scanned_pdf(header, document.title, document.paragraphs)
    elif document.form == "corrupt":
        data = pdfs.corrupt_pdf(header, document.title, document.paragraphs)
    else:
        password = "committee" if document.form == "encrypted" else None
        data = pdfs.text_pdf(header, document.title, document.paragraphs, headings, password)
    return Reply(200, data, "application/pdf")


def moderngov_site(council: Council):
    meetings: dict[int, tuple[str, int, Meeting]] = {}
    documents: dict[str, tuple[str, Meeting, CouncilDocument]] = {}
    for committee in council.committees:
        for meeting in committee.meetings:
            meetings[meeting.meeting_id] = (committee.name, committee.committee_id, meeting)
            for document in meeting.documents + [
                d for item in meeting.items for d in item.documents
            ]:
                href = document_href(document)
                key = href.split("?")[0] if href.startswith("documents/") else href
                documents.setdefault(key, (committee.name, meeting, document))

    @cache
    def rendered(key: str) -> Reply:
        committee, meeting, document = documents[key]
        return _document_body(council, committee, meeting, document)

    def handle(path: str, query: Query) -> Reply | None:
        args = {k.lower(): v for k, v in query}
        page = path.lstrip("/")
        if page.lower() == "mglistcommittees.aspx":
            items = "".join(
                f'<li><a href="mgCommitteeDetails.aspx?ID={c.committee_id}" title="Link to committee {escape(c.name)}">{escape(c.name)}</a></li>'
                for c in council.committees
            )
            return _page(council, "Committee structure", f'<ul class="mgBulletList">{items}</ul>')
        if page.lower() == "ielistmeetings.aspx":
            committee_id = int(args.get("cid") or args.get("committeeid") or 0)
            committee = next(
                (c for c in council.committees if c.committee_id == committee_id), None
            )
            if committee is None:
                return None
            year = int(args.get("year", "2015"))
            return meetings_page(council, committee.name, committee_id, committee.meetings, year)
        if page.lower() == "ielistdocuments.aspx":
            found = meetings.get(int(args.get("mid", "0")))
            if found is None or int(args.get("cid", "0")) != found[1]:
                return None
            return meeting_page(council, found[0], found[1], found[2])
        if page.lower() == "mgconvert2pdf.aspx":
            key = f"mgConvert2PDF.aspx?ID={args.get('id')}"
            return rendered(key) if key in documents else None
        if page.startswith("documents/"):
            key = quote(page, safe="/")
            return rendered(key) if key in documents else None
        return None

    return handle
