"""Fixture sites that imitate the services discourse collects from, filled with synthetic text.

Everything here is written by the project: the sites' content (`writer.py`, from the pools
in `phrases.py`) and their renderings in each real format (GOV.UK search and content APIs,
ParlParse XML, ModernGov pages and PDFs, WordPress REST, RSS, Atom, sitemaps, the Wayback CDX
and raw captures). Hosts end in `.sample.invalid`, a reserved name no real server can have.

    with serve(sample_web()) as server:   # 127.0.0.1, one port, hosts told apart by Host
        server.resolve                    # {host: "127.0.0.1:PORT"} for the crawl engine

Tests import this package with `corpus/sample` on sys.path; `record.py` uses it to record the
sample WARC through the real engine.
"""

from fixture_sites import writer
from fixture_sites.govuk_site import govuk_site
from fixture_sites.hansard_site import hansard_site, people_json
from fixture_sites.moderngov_site import moderngov_site
from fixture_sites.org_sites import org_site
from fixture_sites.wayback_site import wayback_site
from fixture_sites.web import FixtureWeb, Reply, Server, serve

GOVUK = "www.gov.uk.sample.invalid"
TWFY = "www.theyworkforyou.com.sample.invalid"
WAYBACK = "web.archive.org.sample.invalid"


def sample_web() -> FixtureWeb:
    """Every fixture site of the sample, with its full synthetic content."""
    web = FixtureWeb()
    web.add(GOVUK, govuk_site(writer.govuk_items()))
    web.add(TWFY, hansard_site(writer.hansard_days(), writer.hansard_members()))
    for council in writer.councils():
        web.add(council.host, moderngov_site(council))
    for site in writer.sites():
        web.add(site.host, org_site(site))
    web.add(WAYBACK, wayback_site(writer.captures()))
    return web


__all__ = [
    "GOVUK",
    "TWFY",
    "WAYBACK",
    "FixtureWeb",
    "Reply",
    "Server",
    "govuk_site",
    "hansard_site",
    "moderngov_site",
    "org_site",
    "people_json",
    "sample_web",
    "serve",
    "wayback_site",
    "writer",
]
