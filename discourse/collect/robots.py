"""robots.txt as RFC 9309 reads it, with the Crawl-delay extension.

The standard library's parser predates the RFC: it takes the first matching rule instead of
the longest, and ignores the `*` and `$` wildcards that large sites (GOV.UK, WordPress) use,
so it can both crawl what a site forbids and skip what it allows. This module implements the
RFC's matching: the groups naming our product token (else the `*` groups, merged), the
longest matching rule wins, allow wins a tie, /robots.txt itself is always allowed.

What happens when robots.txt cannot be read is the fetcher's policy (see fetch.py).
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote, urlsplit

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 §2.5: parse at least 500 KiB, may ignore the rest


@dataclass(frozen=True)
class Rule:
    allow: bool
    pattern: str  # percent-decoded, may hold * and a final $

    def matches(self, path: str) -> bool:
        return _compile(self.pattern).match(path) is not None


@dataclass(frozen=True)
class Robots:
    """The rules that apply to us on one origin."""

    rules: tuple[Rule, ...] = ()
    crawl_delay: float | None = None
    sitemaps: tuple[str, ...] = field(default=())

    @classmethod
    def allow_all(cls) -> "Robots":
        return cls()

    @classmethod
    def disallow_all(cls) -> "Robots":
        return cls(rules=(Rule(False, "/"),))

    @classmethod
    def parse(cls, text: str, product_token: str) -> "Robots":
        """The rules of the groups for `product_token` (else for `*`) in a robots.txt text."""
        token = product_token.lower()
        groups: list[tuple[list[str], list[Rule], list[float]]] = []
        sitemaps: list[str] = []
        agents: list[str] = []
        rules: list[Rule] = []
        delays: list[float] = []
        in_rules = False
        for raw_line in text[:MAX_ROBOTS_BYTES].splitlines():
            line = raw_line.split("#", 1)[0].strip()
            key, sep, value = line.partition(":")
            if not sep:
                continue
            key = key.strip().lower()
            value = value.strip()
            if key == "user-agent":
                if in_rules:
                    groups.append((agents, rules, delays))
                    agents, rules, delays, in_rules = [], [], [], False
                agents.append(value.lower())
            elif key in ("allow", "disallow"):
                in_rules = True
                if value:  # an empty Disallow allows everything: no rule
                    rules.append(Rule(key == "allow", _decode(value)))
            elif key == "crawl-delay":
                in_rules = True
                try:
                    delays.append(float(value))
                except ValueError:
                    continue
            elif key == "sitemap":
                sitemaps.append(value)
        if agents:
            groups.append((agents, rules, delays))
        ours = [g for g in groups if any(_names_us(a, token) for a in g[0])]
        chosen = ours or [g for g in groups if "*" in g[0]]
        merged_rules = tuple(rule for _, group_rules, _ in chosen for rule in group_rules)
        merged_delays = [d for _, _, group_delays in chosen for d in group_delays if d >= 0]
        return cls(
            rules=merged_rules,
            crawl_delay=max(merged_delays) if merged_delays else None,
            sitemaps=tuple(sitemaps),
        )

    def allows(self, url: str) -> bool:
        """Whether our crawler may fetch `url` under these rules."""
        parts = urlsplit(url)
        path = _decode(parts.path or "/") + (f"?{_decode(parts.query)}" if parts.query else "")
        if path == "/robots.txt":
            return True
        best: Rule | None = None
        for rule in self.rules:
            if rule.matches(path) and (
                best is None
                or len(rule.pattern) > len(best.pattern)
                or (len(rule.pattern) == len(best.pattern) and rule.allow and not best.allow)
            ):
                best = rule
        return best is None or best.allow


def _names_us(agent: str, token: str) -> bool:
    """RFC 9309 §2.2.1: a group's user-agent line is matched case-insensitively against our
    product token (crawlers commonly accept a line naming the token with a version)."""
    return agent == token or agent.split("/")[0].strip() == token


def _decode(value: str) -> str:
    # compare decoded forms, but keep an encoded slash distinct from a path separator
    return unquote(value.replace("%2F", "%252F").replace("%2f", "%252F"))


@lru_cache(maxsize=4096)
def _compile(pattern: str) -> re.Pattern:
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    regex = ".*".join(re.escape(piece) for piece in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""), re.DOTALL)
