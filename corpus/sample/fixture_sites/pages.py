"""Article pages in the layouts of the sites the sample imitates, chrome and all.

Each layout puts the article among the navigation, sidebars, comment threads and footers its
kind of site has, and states title, author and date the way such sites do (WordPress theme
markup, JSON-LD, citation meta tags, a bare date line, a 2010 government template, or no date
at all), so extraction meets what it would meet on the real web.
"""

import datetime as dt
import json
from html import escape

from fixture_sites.model import Article


def human(moment: dt.datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def body(article: Article) -> str:
    return "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)


def _recent(others: list[Article]) -> str:
    return "".join(f'<li><a href="{escape(a.path)}">{escape(a.title)}</a></li>' for a in others[:5])


def wordpress(site: str, article: Article, others: list[Article]) -> str:
    when = article.published
    author = article.author or "Admin"
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="UTF-8">
<title>{escape(article.title)} | {escape(site)}</title>
<meta property="og:title" content="{escape(article.title)}">
<meta property="og:type" content="article">
<meta property="article:published_time" content="{when:%Y-%m-%dT%H:%M:%S}+00:00">
</head>
<body class="post-template-default single single-post">
<header id="masthead" class="site-header"><p class="site-title"><a href="/">{escape(site)}</a></p>
<nav class="main-navigation"><ul><li><a href="/about/">About us</a></li><li><a href="/research/">Research</a></li>
<li><a href="/events/">Events</a></li><li><a href="/blog/">Blog</a></li><li><a href="/support-us/">Support us</a></li></ul></nav></header>
<div id="content" class="site-content"><main id="main" class="site-main">
<article id="post-{article.post_id}" class="post-{article.post_id} post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{escape(article.title)}</h1>
<div class="entry-meta"><span class="posted-on">Posted on <time class="entry-date published" datetime="{when:%Y-%m-%dT%H:%M:%S}+00:00">{human(when)}</time></span>
<span class="byline"> by <span class="author vcard"><a class="url fn n" href="/author/">{escape(author)}</a></span></span></div></header>
<div class="entry-content">
{body(article)}
</div>
<footer class="entry-footer"><span class="cat-links">Posted in {escape(", ".join(article.categories) or "Uncategorised")}</span></footer>
</article>
<div id="comments" class="comments-area"><h2 class="comments-title">One thought on this post</h2>
<ol class="comment-list"><li class="comment"><p>Thanks for this, it chimes with what we have seen locally.</p></li></ol>
<div id="respond"><h3>Leave a reply</h3><p>Your email address will not be published.</p></div></div>
</main>
<aside id="secondary" class="widget-area"><section class="widget"><h2 class="widget-title">Recent posts</h2><ul>{_recent(others)}</ul></section>
<section class="widget"><h2 class="widget-title">Newsletter</h2><p>Sign up to hear about our latest research and events.</p></section></aside>
</div>
<footer id="colophon" class="site-footer"><p>&copy; {escape(site)} (synthetic sample site).</p></footer>
</body></html>"""


def charity(site: str, article: Article, others: list[Article]) -> str:
    when = article.published
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{escape(article.title)} - {escape(site)}</title>
<meta name="description" content="{escape(article.paragraphs[0][:150])}"></head>
<body>
<div id="top"><a href="/">{escape(site)}</a> <a href="/members/">Members</a> <a href="/news/">News</a> <a href="/contact/">Contact</a></div>
<div id="wrap"><div id="main-col">
<div class="post"><h2 class="post-title">{escape(article.title)}</h2>
<p class="post-info">Posted on {human(when)} by {escape(article.author or "the team")}</p>
<div class="post-body">
{body(article)}
</div></div>
</div>
<div id="side-col"><h3>Latest news</h3><ul>{_recent(others)}</ul><h3>Become a member</h3>
<p>Membership is open to any neighbourhood trust or community anchor organisation.</p></div></div>
<div id="foot">Registered office: the synthetic sample (not a real organisation).</div>
</body></html>"""


def thinktank(site: str, article: Article, others: list[Article]) -> str:
    when = article.published
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "datePublished": f"{when:%Y-%m-%dT%H:%M:%S}Z",
        "author": {"@type": "Person", "name": article.author},
        "publisher": {"@type": "Organization", "name": site},
    }
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>{escape(article.title)} — {escape(site)}</title>
<script type="application/ld+json">{json.dumps(data)}</script></head>
<body>
<header><a class="logo" href="/">{escape(site)}</a><nav><a href="/research/">Research</a> <a href="/people/">People</a> <a href="/events/">Events</a> <a href="/press/">Press</a></nav></header>
<main><article>
<p class="kicker">Blog</p>
<h1>{escape(article.title)}</h1>
<p class="meta">{escape(article.author or "")} &middot; {human(when)}</p>
<div class="article-body">
{body(article)}
</div>
</article>
<section class="related"><h2>Related</h2><ul>{_recent(others)}</ul></section></main>
<footer><p>{escape(site)} is an independent think tank (synthetic sample site).</p><p><a href="/privacy/">Privacy</a></p></footer>
</body></html>"""


def academic(site: str, article: Article, others: list[Article]) -> str:
    when = article.published
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{escape(article.title)} | {escape(site)}</title>
<meta name="citation_title" content="{escape(article.title)}">
<meta name="citation_author" content="{escape(article.author or "")}">
<meta name="citation_publication_date" content="{when:%Y/%m/%d}">
<meta name="DC.date" content="{when:%Y-%m-%d}">
</head>
<body>
<div id="uni-header">University of Wexcombe &middot; <a href="/">{escape(site)}</a> &middot; <a href="/papers/">Working papers</a> &middot; <a href="/people/">People</a></div>
<div id="page"><div class="paper">
<h1>{escape(article.title)}</h1>
<p class="authors">{escape(article.author or "")}</p>
<p class="pubdate">Working paper, {when:%B %Y}</p>
<h2>Abstract</h2>
{body(article)}
</div></div>
<div id="uni-footer">&copy; University of Wexcombe (synthetic sample site). Accessibility. Freedom of information.</div>
</body></html>"""


def community(site: str, article: Article, others: list[Article]) -> str:
    when = article.published
    day = f"{when.day}{_ordinal(when.day)} {when:%B %Y}"
    notices = "".join(
        f"<p>{escape(n)}</p>"
        for n in (
            "Opening times: the partnership office is open on weekday mornings and on the first Saturday of each month.",
            "Useful numbers: the council switchboard, the police non-emergency line and the surgery are listed on the noticeboard outside the library.",
            "Lost and found: a child's bicycle was handed in after the summer fair and is waiting to be collected from the office.",
            "Room hire: the small meeting room can be booked by any local group at no charge; the main hall costs a small fee towards heating.",
            "Trustees: the partnership is run by a board of local residents elected at the annual meeting each spring.",
        )
    )
    return f"""<html lang="{article.language}">
<head><title>{escape(site)} - Newsletter</title></head>
<body bgcolor="#ffffff">
<table width="100%" cellpadding="6"><tr>
<td class="sidebar" width="35%" valign="top"><h3>Notices</h3>{notices}</td>
<td class="main" valign="top">
<h2 class="issue-title">{escape(article.title)}</h2>
<span class="issue-date">Issue date: {day}</span>
<div class="newsletter-body">
{body(article)}
</div>
</td></tr></table>
<p><small>{escape(site)} (synthetic sample site)</small></p>
</body></html>"""


def number10(site: str, article: Article, others: list[Article]) -> str:
    when = article.published
    date = f'<p class="date">{when:%A} {when.day} {when:%B %Y}</p>' if when else ""
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="en">
<head><title>{escape(article.title)} | Number10.gov.uk</title></head>
<body>
<div id="wrapper"><div id="header"><a href="/">Number10.gov.uk</a> The official site of the Prime Minister's Office</div>
<div id="nav"><ul><li><a href="/news/">News</a></li><li><a href="/take-part/">Take part</a></li><li><a href="/history-and-tour/">History and tour</a></li><li><a href="/the-coalition/">The Coalition</a></li></ul></div>
<div id="content"><h1>{escape(article.title)}</h1>{date}
<div class="copy">
{body(article)}
</div>
<div class="share">Share this page: Email, Print</div></div>
<div id="footer">&copy; Crown copyright (synthetic sample page). Terms and conditions. Accessibility.</div></div>
</body></html>"""


def cabinetoffice(site: str, article: Article, others: list[Article]) -> str:
    when = article.published
    date = f'<div class="submitted">Published: {human(when)}</div>' if when else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head><title>{escape(article.title)} | Cabinet Office</title></head>
<body>
<div id="header"><a href="/">Cabinet Office</a><div id="search">Search this site</div></div>
<div id="navigation"><a href="/big-society">Big Society</a> <a href="/news">News</a> <a href="/about">About us</a></div>
<div id="main"><div class="node">
<h1 class="title">{escape(article.title)}</h1>
{date}
<div class="content">
{body(article)}
</div></div></div>
<div id="sidebar"><h2>Related links</h2><ul><li><a href="/big-society/community-organisers">Community organisers</a></li><li><a href="/big-society/overview">Overview</a></li></ul></div>
<div id="footer">&copy; Crown copyright (synthetic sample page)</div>
</body></html>"""


def newspaper(site: str, article: Article, others: list[Article]) -> str:
    when = article.published
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>{escape(article.title)} | {escape(site)}</title>
<meta property="og:title" content="{escape(article.title)}">
<meta property="og:site_name" content="{escape(site)}">
<meta name="author" content="{escape(article.author or "")}">
<meta property="article:published_time" content="{when:%Y-%m-%dT%H:%M:%S}Z"></head>
<body>
<div class="masthead"><a href="/">{escape(site)}</a> <span>News</span> <span>Sport</span> <span>Business</span> <span>Opinion</span></div>
<div class="page"><article>
<h1 class="headline">{escape(article.title)}</h1>
<p class="byline">By {escape(article.author or "Staff reporter")}</p>
<time datetime="{when:%Y-%m-%dT%H:%M:%S}Z">{when:%A} {when.day} {when:%B %Y}</time>
<div class="article-body">
{body(article)}
</div></article>
<aside class="most-read"><h2>Most read</h2><ol>{_recent(others)}</ol></aside></div>
<div class="footer">&copy; {escape(site)} (synthetic sample site). Contact the newsroom.</div>
</body></html>"""


def report(site: str, article: Article, others: list[Article]) -> str:
    when = article.published
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(article.title)}</title>
<meta name="author" content="{escape(article.author or "")}"><meta name="date" content="{when:%Y-%m-%d}"></head>
<body><h1>{escape(article.title)}</h1><p><em>{escape(site)}, {human(when)}</em></p>
{body(article)}
</body></html>"""


def _ordinal(day: int) -> str:
    return "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


LAYOUTS = {
    "wordpress": wordpress,
    "charity": charity,
    "thinktank": thinktank,
    "academic": academic,
    "community": community,
    "number10": number10,
    "cabinetoffice": cabinetoffice,
    "newspaper": newspaper,
    "report": report,
}


def render(layout: str, site: str, article: Article, others: list[Article] = ()) -> str:
    return LAYOUTS[layout](site, article, [a for a in others if a is not article])
