"""A tiny adapter for engine tests: follows links on fixture pages, keeps paragraph text.

Registered as "test-links" when imported. Pages without paragraphs are skipped with a
reason; a <meta name="date"> gives the publication date.
"""

from urllib.parse import urljoin

from lxml import html

from discourse.collect.model import Adapter, Request, Skip
from discourse.collect.sources import register
from discourse.config import Section
from discourse.store import Document


@register
class LinkAdapter(Adapter):
    name = "test-links"

    class Config(Section):
        start: list[str]
        source_kind: str = "blog"
        actor_type: str = "charity"

    def start(self):
        for url in self.config.start:
            yield Request(url, "page", priority=1)

    def handle(self, request, response):
        tree = html.fromstring(response.text)
        for href in tree.xpath("//a/@href"):
            yield Request(urljoin(response.final_url, href), "page", {"from": request.url})
        paragraphs = [p.text_content().strip() for p in tree.xpath("//p")]
        text = "\n\n".join(p for p in paragraphs if p)
        if not text:
            yield Skip(response.final_url, "no paragraphs")
            return
        date = tree.xpath("//meta[@name='date']/@content")
        yield Document(
            url=response.final_url,
            text=text,
            source_kind=self.config.source_kind,
            actor_type=self.config.actor_type,
            title=tree.findtext(".//title"),
            published_at=date[0] if date else None,
            date_precision="day" if date else None,
        )
