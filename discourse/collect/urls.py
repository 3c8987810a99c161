"""URLs: one canonical spelling per page, and what a source may fetch.

Canonical URLs make "the same page" decidable before anything is fetched or stored: the
frontier keys requests by them and documents are stored under them, so a link with
`?utm_source=twitter` or `#comments` does not fetch or store a page twice. Scope checks keep
a crawl where the researcher pointed it: http(s) only, the hosts a source allows, and never a
private, loopback or link-local address unless the configuration explicitly allows it (a
page must not be able to steer the crawler into the researcher's own network).
"""

import ipaddress
import posixpath
import re
import socket
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that only say where a click came from; never part of a page's identity.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
    }
)
TRACKING_PREFIXES = ("utm_",)

# Characters left as they are (RFC 3986 unreserved and the sub-delimiters safe in each part).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = ":@!$'()*,;/?-._~"  # '&', '=' and '+' are structural in a query: always encoded
_RAW = "surrogateescape"  # percent-escapes that are not UTF-8 (e.g. Latin-1 paths) survive as bytes


class UrlError(ValueError):
    """A URL that cannot be fetched or canonicalised, with the reason."""


def canonicalize(
    url: str,
    *,
    trailing_slash: str = "keep",
    drop_params: Iterable[str] = (),
    keep_fragment: bool = False,
) -> str:
    """The canonical form of an http(s) URL.

    Lower-case scheme and host (IDNA-encoded), no default port, no user info, dot segments
    resolved, percent-encoding normalised (upper-case hex, unreserved characters decoded,
    unsafe ones encoded), tracking parameters (utm_*, fbclid, gclid, … and `drop_params`)
    removed, the remaining parameters sorted, an empty query dropped, no fragment (unless
    `keep_fragment`, for documents that are parts of one page). `trailing_slash="strip"`
    treats /a/ and /a as one page (never for the root path). Raises UrlError for URLs that
    are not absolute http(s) URLs.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UrlError(f"{url!r}: only http and https URLs can be fetched")
    host = _canonical_host(parts.hostname, url)
    try:
        port = parts.port
    except ValueError:
        raise UrlError(f"{url!r}: invalid port") from None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _canonical_path(parts.path)
    if trailing_slash == "strip" and len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    drop = {p.lower() for p in drop_params}
    pairs = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True, errors=_RAW)
        if not _is_tracking(key, drop)
    ]
    query = "&".join(
        f"{_quote(key, _QUERY_SAFE)}={_quote(value, _QUERY_SAFE)}" for key, value in sorted(pairs)
    )
    fragment = (
        _quote(unquote(parts.fragment, errors=_RAW), _PATH_SAFE + "?") if keep_fragment else ""
    )
    return urlunsplit((scheme, netloc, path, query, fragment))


def _quote(text: str, safe: str) -> str:
    return quote(text, safe=safe, errors=_RAW)


def _is_tracking(key: str, drop: set[str]) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key in drop or key.startswith(TRACKING_PREFIXES)


def _canonical_host(hostname: str | None, url: str) -> str:
    if not hostname:
        raise UrlError(f"{url!r}: no host name")
    host = hostname.rstrip(".").lower()
    if host.startswith("[") or ":" in host:  # IPv6 literal
        return f"[{host.strip('[]')}]"
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        if re.fullmatch(r"[a-z0-9._-]+", host):
            return host  # underscores and long labels: valid in practice, not in IDNA 2003
        raise UrlError(f"{url!r}: invalid host name {hostname!r}") from None


def _canonical_path(path: str) -> str:
    if not path:
        return "/"
    # decode then re-encode each segment so %7E and ~ (or %2f and %2F) spell one path;
    # an encoded slash stays encoded because it is not a separator
    segment_safe = _PATH_SAFE.replace("/", "")
    segments = [_quote(unquote(s, errors=_RAW), segment_safe) for s in path.split("/")]
    normalised = posixpath.normpath("/".join(segments))
    if normalised.startswith("//"):
        normalised = "/" + normalised.lstrip("/")
    if path.endswith("/") and not normalised.endswith("/"):
        normalised += "/"
    return normalised


def host_of(url: str) -> str:
    """The lower-case host of a URL ('' when it has none)."""
    return (urlsplit(url).hostname or "").rstrip(".").lower()


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL: robots.txt and politeness apply per origin."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    return (
        f"{scheme}://{host}"
        if port in (None, DEFAULT_PORTS.get(scheme))
        else f"{scheme}://{host}:{port}"
    )


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Whether `host` is one of `allowed`: exact names ("www." optional on both sides) or
    "*.example.org" patterns admitting example.org and its subdomains."""
    host = _bare(host)
    for pattern in allowed:
        pattern = pattern.lower().rstrip(".")
        if pattern.startswith("*."):
            suffix = _bare(pattern[2:])
            if host == suffix or host.endswith("." + suffix):
                return True
        elif host == _bare(pattern):
            return True
    return False


def _bare(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def scope_problem(url: str, allowed_hosts: Iterable[str]) -> str | None:
    """Why `url` is outside a source's scope (None when it is inside)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return f"not an http(s) URL (scheme {scheme or 'missing'!r})"
    host = host_of(url)
    if not host:
        return "no host name"
    allowed = list(allowed_hosts)
    if not host_allowed(host, allowed):
        return (
            f"host {host} is not among the source's allowed hosts ({', '.join(sorted(allowed))}); "
            "add it to allowed_hosts in its [sources.NAME] table to fetch it"
        )
    return None


def is_public_address(address: str) -> bool:
    """False for private, loopback, link-local, multicast, reserved and unspecified addresses
    (IPv4-mapped IPv6 addresses are judged by their IPv4 part)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def resolve_host(host: str, port: int) -> list[str]:
    """The addresses a host name resolves to (IPv4 first), raising UrlError if none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UrlError(f"cannot resolve host {host!r} ({exc})") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    return sorted(addresses, key=lambda a: ":" in a)
