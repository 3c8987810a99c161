"""Property-based tests (hypothesis) of URL canonicalisation: one spelling per page, whatever
the link looked like, and never a way out of a source's scope."""

from urllib.parse import parse_qsl, urlsplit

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from discourse.collect.urls import (
    TRACKING_PARAMS,
    UrlError,
    canonicalize,
    host_of,
    scope_problem,
)

LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12).filter(
    lambda label: not label.startswith("-") and not label.endswith("-")
)
HOSTS = st.lists(LABEL, min_size=1, max_size=4).map(".".join).map(lambda h: h + ".org")
# path and query text as found in the wild: reserved and unreserved characters, spaces,
# percent-escapes (valid or not), non-ASCII letters
PIECE = st.lists(
    st.sampled_from(list("aZ09-._~!$&'()*+,;=:@ /%é£中") + ["%2F", "%7e", "%E9", "%zz", ".."]),
    max_size=12,
).map("".join)
VALUE = PIECE.map(lambda value: value.replace("&", "").replace("=", ""))  # no pair separators
KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).filter(
    lambda key: key.lower() not in TRACKING_PARAMS and not key.lower().startswith("utm_")
)
TRACKING = st.one_of(
    st.sampled_from(sorted(TRACKING_PARAMS)),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", max_size=8).map(lambda s: f"utm_{s}"),
).map(lambda key: "".join(c.upper() if i % 2 else c for i, c in enumerate(key)))


@st.composite
def urls(draw, tracking: bool = True) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    host = draw(HOSTS)
    host = "".join(c.upper() if draw(st.booleans()) else c for c in host)
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/".join(draw(st.lists(PIECE, max_size=4)))
    pairs = draw(st.lists(st.tuples(KEYS, PIECE), max_size=4))
    if tracking:
        pairs += draw(st.lists(st.tuples(TRACKING, PIECE), max_size=2))
    query = "&".join(f"{key}={value}" for key, value in draw(st.permutations(pairs)))
    fragment = draw(st.sampled_from(["", "#", "#top", "#a%20b"]))
    return f"{scheme}://{host}{port}/{path}" + (f"?{query}" if query else "") + fragment


@settings(max_examples=300)
@given(urls())
def test_canonical_form_is_idempotent(url):
    once = canonicalize(url)
    assert canonicalize(once) == once
    assert canonicalize(once, trailing_slash="strip") == canonicalize(url, trailing_slash="strip")


@settings(max_examples=200)
@given(urls(tracking=False), st.lists(st.tuples(TRACKING, VALUE), min_size=1, max_size=3))
def test_fragments_and_tracking_parameters_never_make_a_second_page(url, tracking):
    base = url.split("#")[0].strip()  # a link's surrounding spaces are not part of it
    extra = "&".join(f"{key}={value}" for key, value in tracking)
    tracked = base + ("&" if "?" in base else "?") + extra + "#comments"
    assert canonicalize(tracked) == canonicalize(base) == canonicalize(base + "#top")
    query = urlsplit(canonicalize(tracked)).query
    keys = {key.lower() for key, _ in parse_qsl(query, keep_blank_values=True)}
    assert not keys & TRACKING_PARAMS and not any(key.startswith("utm_") for key in keys)


@settings(max_examples=200)
@given(urls())
def test_default_ports_scheme_and_host_case_do_not_matter_but_path_case_does(url):
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    default = {"http": ":80", "https": ":443"}[scheme]
    bare = parts._replace(scheme=scheme, netloc=parts.hostname).geturl()
    with_port = parts._replace(scheme=scheme.upper(), netloc=parts.hostname.upper() + default)
    assert canonicalize(with_port.geturl()) == canonicalize(bare)
    canonical = urlsplit(canonicalize(url))
    assert canonical.scheme == scheme and canonical.hostname == parts.hostname.lower()
    assert canonical.port == (None if parts.port in (None, int(default[1:])) else parts.port)
    shouted = parts._replace(path=parts.path + "/Z").geturl()
    assert canonicalize(shouted) != canonicalize(shouted.replace("/Z", "/z"))


@settings(max_examples=200)
@given(urls(), st.lists(HOSTS, max_size=3))
def test_canonicalisation_never_widens_a_sources_scope(url, allowed):
    """The canonical URL is on the same host, so it is in scope exactly when the link was."""
    canonical = canonicalize(url)
    assert host_of(canonical) == host_of(url)
    assert (scope_problem(canonical, allowed) is None) == (scope_problem(url, allowed) is None)


@settings(max_examples=300)
@given(st.text(max_size=80))
def test_any_string_is_canonicalised_or_refused_with_url_error(text):
    try:
        canonical = canonicalize(text)
    except UrlError:
        return
    assume(canonical)
    assert canonicalize(canonical) == canonical
    assert urlsplit(canonical).scheme in ("http", "https")
