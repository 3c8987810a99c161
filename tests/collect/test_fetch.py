"""The fetcher against a real, misbehaving HTTP server on 127.0.0.1 (no mocks)."""

import email.utils
import gzip
import threading
import time

import pytest
from crawlkit import PROJECT, fetch_settings, live_fetcher
from faultserver import Reply, server_fixture  # noqa: F401  (the `server` fixture)

from discourse.collect.archive import ArchiveIndex, ArchiveTransport, WarcWriter
from discourse.collect.fetch import Fetcher, FetchError, Validators

ROBOTS = "/robots.txt"


def gaps(hits) -> list[float]:
    return [b.at - a.at for a, b in zip(hits, hits[1:], strict=False)]


def test_user_agent_names_project_and_contact_and_robots_is_read_first(server):
    server.route("/a", "hello")
    fetched = live_fetcher(fetch_settings()).fetch(server.url("/a"))
    assert fetched.response.status == 200
    assert fetched.response.text == "<html><body>hello</body></html>"
    assert server.paths() == [ROBOTS, "/a"]
    agent = server.hits("/a")[0].headers["User-Agent"]
    assert agent.startswith("discourse/")
    assert "project test-study" in agent and "+researcher@example.org" in agent
    assert len(server.hits(ROBOTS)) == 1


def test_delay_between_requests_to_one_host_as_the_server_sees_it(server):
    for n in range(5):
        server.route(f"/p{n}", f"page {n}")
    fetcher = live_fetcher(fetch_settings(delay=0.15))
    for n in range(5):
        fetcher.fetch(server.url(f"/p{n}"))
    arrivals = server.hits()  # robots.txt counts as a request to the host too
    assert len(arrivals) == 6
    assert min(gaps(arrivals)) >= 0.15


def test_one_request_in_flight_per_host_but_hosts_in_parallel(server):
    hosts = ["a.test.invalid", "b.test.invalid"]
    for n in range(4):
        server.route(f"/slow{n}", Reply(body="slow", delay=0.1))
    settings = fetch_settings(resolve={h: server.address for h in hosts}, allow_private=False)
    fetcher = live_fetcher(settings)
    urls = [f"http://{h}:{server.port}/slow{n}" for h in hosts for n in range(4)]
    errors = []

    def work(chunk):
        try:
            for url in chunk:
                fetcher.fetch(url)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(urls[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert server.max_in_flight == {"a.test.invalid": 1, "b.test.invalid": 1}
    assert server.max_in_flight_total == 2
    assert {h.host for h in server.hits()} == set(hosts)


def test_429_retry_after_seconds_is_honoured(server):
    server.route("/busy", Reply(429, "slow down", headers={"Retry-After": "1"}), "done")
    fetched = live_fetcher(fetch_settings()).fetch(server.url("/busy"))
    assert fetched.response.status == 200
    assert fetched.attempts == 2
    first, second = server.hits("/busy")
    assert second.at - first.at >= 1.0


def test_retry_after_as_http_date_is_honoured(server):
    later = email.utils.formatdate(time.time() + 2, usegmt=True)
    server.route("/busy", Reply(503, "maintenance", headers={"Retry-After": later}), "done")
    live_fetcher(fetch_settings()).fetch(server.url("/busy"))
    first, second = server.hits("/busy")
    assert second.at - first.at >= 1.0  # an HTTP date has one-second resolution


def test_retry_after_beyond_the_limit_is_left_for_the_next_crawl(server):
    server.route("/busy", Reply(429, "come back tomorrow", headers={"Retry-After": "86400"}))
    with pytest.raises(FetchError) as failure:
        live_fetcher(fetch_settings(max_retry_after=60)).fetch(server.url("/busy"))
    assert failure.value.retryable
    assert "retry after 86400 s" in failure.value.reason
    assert len(server.hits("/busy")) == 1


def test_503_burst_then_success(server):
    server.route("/flaky", Reply(503), Reply(503), "finally")
    fetched = live_fetcher(fetch_settings(retries=3)).fetch(server.url("/flaky"))
    assert fetched.response.text == "<html><body>finally</body></html>"
    assert fetched.attempts == 3


def test_retries_stop_at_the_configured_limit(server):
    server.route("/down", Reply(503, "down"))
    fetched = live_fetcher(fetch_settings(retries=2)).fetch(server.url("/down"))
    assert fetched.response.status == 503
    assert fetched.attempts == 3
    assert len(server.hits("/down")) == 3


def test_backoff_grows_between_retries(server):
    server.route("/down", Reply(503, "down"))
    live_fetcher(fetch_settings(retries=3, backoff=0.1, max_backoff=10)).fetch(server.url("/down"))
    waits = gaps(server.hits("/down"))
    # equal jitter: the n-th wait is between half and all of 0.1 * 2**(n-1)
    assert [w >= 0.1 * 2**n / 2 for n, w in enumerate(waits)] == [True, True, True]
    assert waits[2] > waits[0]


def test_connection_dropped_mid_body_is_retried(server):
    body = "<p>" + "word " * 2000 + "</p>"
    server.route("/cut", Reply(body=body, drop_after=100), Reply(body=body))
    fetched = live_fetcher(fetch_settings()).fetch(server.url("/cut"))
    assert fetched.response.text == body
    assert fetched.attempts == 2


def test_connection_always_dropped_fails_after_the_limit(server):
    server.route("/cut", Reply(body="x" * 5000, drop_after=10))
    with pytest.raises(FetchError) as failure:
        live_fetcher(fetch_settings(retries=1)).fetch(server.url("/cut"))
    assert failure.value.retryable
    assert "gave up after 2 attempts" in failure.value.reason
    assert len(server.hits("/cut")) == 2


def test_read_timeout_is_retried_then_reported(server):
    server.route("/stuck", Reply(body="late", delay=1.0))
    with pytest.raises(FetchError) as failure:
        live_fetcher(fetch_settings(retries=1, read_timeout=0.2)).fetch(server.url("/stuck"))
    assert failure.value.retryable
    assert "timed out" in failure.value.reason.lower()
    assert len(server.hits("/stuck")) == 2


def test_endless_body_is_aborted_at_the_cap(server):
    server.route("/endless", Reply(endless=True, content_type="application/octet-stream"))
    with pytest.raises(FetchError) as failure:
        live_fetcher(fetch_settings(max_bytes=200_000)).fetch(server.url("/endless"))
    assert not failure.value.retryable
    assert "larger than fetch.max_bytes (200,000 bytes)" in failure.value.reason
    time.sleep(0.2)  # let the server notice the closed connection
    assert server.bytes_sent["/endless"] < 50_000_000  # socket buffers, not the 130 MB it offers
    assert len(server.hits("/endless")) == 1


def test_declared_oversize_body_is_not_read(server):
    server.route("/big", Reply(body="y" * 300_000))
    with pytest.raises(FetchError, match="larger than fetch.max_bytes"):
        live_fetcher(fetch_settings(max_bytes=100_000)).fetch(server.url("/big"))


def test_gzip_bomb_is_refused_when_inflating(server):
    server.route("/bomb", Reply(body=b"\0" * 3_000_000, gzip=True))
    with pytest.raises(FetchError, match="inflates past 1,000,000 bytes"):
        live_fetcher(fetch_settings(max_bytes=1_000_000)).fetch(server.url("/bomb"))


def test_gzip_body_is_decoded(server):
    server.route("/z", Reply(body="<p>compressed £</p>", gzip=True))
    fetched = live_fetcher(fetch_settings()).fetch(server.url("/z"))
    assert fetched.response.text == "<p>compressed £</p>"
    assert server.hits("/z")[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_binary_body_with_a_textual_type_is_kept_as_bytes_not_decoded(server):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40
    server.route("/logo", Reply(body=png, content_type="text/html; charset=utf-8"))
    server.route("/text", Reply(body="<p>caf\u00e9</p>", content_type=""))
    fetcher = live_fetcher(fetch_settings())
    response = fetcher.fetch(server.url("/logo")).response
    assert (response.text, response.encoding, response.body) == (None, None, png)
    assert fetcher.fetch(server.url("/text")).response.text == "<p>caf\u00e9</p>"


def test_redirects_are_followed_hop_by_hop(server):
    server.route("/old", Reply(301, headers={"Location": "/older"}))
    server.route("/older", Reply(302, headers={"Location": server.url("/new#section")}))
    server.route("/new", "moved here")
    fetched = live_fetcher(fetch_settings()).fetch(server.url("/old"))
    assert fetched.response.url == server.url("/old")
    assert fetched.response.final_url == server.url("/new")
    assert fetched.attempts == 3
    assert server.paths() == [ROBOTS, "/old", "/older", "/new"]


def test_redirect_loop_is_detected(server):
    server.route("/a", Reply(302, headers={"Location": "/b"}))
    server.route("/b", Reply(302, headers={"Location": "/a"}))
    with pytest.raises(FetchError) as failure:
        live_fetcher(fetch_settings()).fetch(server.url("/a"))
    assert failure.value.reason == f"redirect loop: {server.url('/b')} → {server.url('/a')}"
    assert not failure.value.retryable


def test_redirect_limit(server):
    for n in range(5):
        server.route(f"/r{n}", Reply(302, headers={"Location": f"/r{n + 1}"}))
    with pytest.raises(FetchError, match=r"more than fetch.max_redirects \(3\) redirects"):
        live_fetcher(fetch_settings(max_redirects=3)).fetch(server.url("/r0"))
    assert server.paths() == [ROBOTS, "/r0", "/r1", "/r2", "/r3"]


def test_redirect_out_of_scope_is_refused(server):
    server.route("/go", Reply(302, headers={"Location": "http://elsewhere.invalid/x"}))

    def in_scope(url):
        return None if "127.0.0.1" in url else "host elsewhere.invalid is not allowed"

    with pytest.raises(FetchError) as failure:
        live_fetcher(fetch_settings()).fetch(server.url("/go"), in_scope=in_scope)
    assert failure.value.reason == (
        "redirected to http://elsewhere.invalid/x, which is out of scope: "
        "host elsewhere.invalid is not allowed"
    )


def test_cp1252_declared_as_utf8_still_decodes(server):
    text = "The Minister’s “Big Society” would save £100m – naïve, said critics."
    body = f'<html><head><meta charset="utf-8"></head><body><p>{text}</p></body></html>'
    server.route("/legacy", Reply(body=body.encode("cp1252")))
    response = live_fetcher(fetch_settings()).fetch(server.url("/legacy")).response
    assert f"<p>{text}</p>" in response.text
    assert response.encoding == "utf-8+cp1252"


def test_meta_charset_applies_when_the_header_has_none(server):
    body = '<html><head><meta charset="iso-8859-2"></head><body>Škoda</body></html>'
    server.route("/cz", Reply(body=body.encode("iso-8859-2"), content_type="text/html"))
    response = live_fetcher(fetch_settings()).fetch(server.url("/cz")).response
    assert "Škoda" in response.text
    assert response.encoding == "iso8859-2"


def test_binary_bodies_have_no_text(server):
    server.route(
        "/doc.pdf", Reply(body=b"%PDF-1.4\n\x00\x01binary", content_type="application/pdf")
    )
    response = live_fetcher(fetch_settings()).fetch(server.url("/doc.pdf")).response
    assert response.text is None
    assert response.body == b"%PDF-1.4\n\x00\x01binary"
    assert response.content_type == "application/pdf"


def test_robots_disallowed_paths_are_never_requested(server):
    robots = "User-agent: *\nDisallow: /private/\nAllow: /private/open$\n"
    server.route(ROBOTS, Reply(body=robots, content_type="text/plain"))
    server.route("/private/secret", "secret")
    server.route("/private/open", "open")
    fetcher = live_fetcher(fetch_settings())
    with pytest.raises(FetchError) as failure:
        fetcher.fetch(server.url("/private/secret"))
    assert failure.value.reason == "disallowed by robots.txt"
    assert not failure.value.retryable
    assert fetcher.fetch(server.url("/private/open")).response.status == 200
    assert server.paths() == [ROBOTS, "/private/open"]


def test_robots_group_for_our_token_overrides_the_star_group(server):
    robots = "User-agent: *\nDisallow: /\n\nUser-agent: discourse\nDisallow: /drafts\n"
    server.route(ROBOTS, Reply(body=robots, content_type="text/plain"))
    server.route("/speech", "speech")
    fetcher = live_fetcher(fetch_settings())
    assert fetcher.fetch(server.url("/speech")).response.status == 200
    with pytest.raises(FetchError, match="disallowed by robots.txt"):
        fetcher.fetch(server.url("/drafts/1"))


def test_crawl_delay_is_obeyed(server):
    server.route(ROBOTS, Reply(body="User-agent: *\nCrawl-delay: 0.3\n", content_type="text/plain"))
    for n in range(3):
        server.route(f"/p{n}", "page")
    fetcher = live_fetcher(fetch_settings(delay=0.0))
    for n in range(3):
        fetcher.fetch(server.url(f"/p{n}"))
    assert min(gaps(server.hits())[1:]) >= 0.3  # after robots.txt was read


def test_robots_server_error_fails_fast_and_never_touches_pages(server):
    server.route(ROBOTS, Reply(503, "overloaded"))
    server.route("/page", "page")
    fetcher = live_fetcher(fetch_settings(retries=1, max_backoff=30))
    for _ in range(2):
        with pytest.raises(FetchError) as failure:
            fetcher.fetch(server.url("/page"))
        assert failure.value.retryable
        assert failure.value.reason.startswith("robots.txt unreachable (HTTP 503)")
    assert server.paths() == [ROBOTS, ROBOTS]  # one retry, then the origin is left alone


def test_robots_not_found_means_no_rules(server):
    server.route(ROBOTS, Reply(404, "none"))
    server.route("/page", "page")
    assert live_fetcher(fetch_settings()).fetch(server.url("/page")).response.status == 200


def test_conditional_request_gets_304(server):
    server.route("/feed", Reply(body="items", headers={"ETag": '"v1"'}, not_modified_if='"v1"'))
    fetcher = live_fetcher(fetch_settings())
    first = fetcher.fetch(server.url("/feed")).response
    assert first.headers["etag"] == '"v1"'
    validators = Validators(etag='"v1"')
    again = fetcher.fetch(server.url("/feed"), validators=validators).response
    assert again.status == 304
    assert server.hits("/feed")[1].headers["If-None-Match"] == '"v1"'


def test_private_addresses_are_refused_unless_allowed(server):
    server.route("/page", "page")
    with pytest.raises(FetchError) as failure:
        live_fetcher(fetch_settings(allow_private=False)).fetch(server.url("/page"))
    assert failure.value.reason.startswith(
        "refused: 127.0.0.1 resolves to the non-public address 127.0.0.1"
    )
    assert not failure.value.retryable
    assert server.hits() == []
    mapped = fetch_settings(allow_private=False, resolve={"site.test.invalid": server.address})
    url = f"http://site.test.invalid:{server.port}/page"
    assert live_fetcher(mapped).fetch(url).response.status == 200
    assert server.hits("/page")[0].host == "site.test.invalid"


def test_per_host_ceiling_spaces_requests(server):
    for n in range(4):
        server.route(f"/cdx{n}", "row")
    fetcher = live_fetcher(fetch_settings(ceilings={"127.0.0.1": 300}))  # 0.2 s apart
    for n in range(4):
        fetcher.fetch(server.url(f"/cdx{n}"))
    assert min(gaps(server.hits())) >= 0.2


def test_default_ceiling_for_the_wayback_machine():
    fetcher = Fetcher(fetch_settings(delay=0.1), PROJECT, transport=_NoNetwork())
    assert fetcher._base_interval("web.archive.org") == 1.0
    assert fetcher._base_interval("www.gov.uk") == 0.1


class _NoNetwork:
    live = True

    def send(self, method, url, headers):
        raise AssertionError("no request expected")

    def close(self):
        return None


def test_every_exchange_is_archived_and_replays_identically(server, tmp_path):
    server.route("/old", Reply(301, headers={"Location": "/new"}))
    server.route("/new", Reply(body="<p>Caf\xe9 “society”</p>".encode("cp1252")))
    server.route("/flaky", Reply(503), "ok")
    writer = WarcWriter(tmp_path / "archive", info={"config-hash": "abc"})
    fetcher = live_fetcher(fetch_settings(), archive=writer)
    live = [fetcher.fetch(server.url(p)).response for p in ("/old", "/flaky")]
    fetcher.close()
    index = ArchiveIndex.build(tmp_path / "archive")
    assert index.responses == 5  # robots.txt (404), /old (301), /new, /flaky (503), /flaky
    assert index.problems == []
    replayer = Fetcher(fetch_settings(), PROJECT, ArchiveTransport(index))
    replayed = [replayer.fetch(server.url(p)).response for p in ("/old", "/flaky")]
    for before, after in zip(live, replayed, strict=True):
        assert after.from_archive and not before.from_archive
        assert (after.final_url, after.status, after.text, after.body, after.fetched_at) == (
            before.final_url,
            before.status,
            before.text,
            before.body,
            before.fetched_at,
        )
        assert (after.warc_file, after.warc_offset) == (before.warc_file, before.warc_offset)
    assert len(server.hits()) == 5  # replay asked the server nothing


def test_gzip_member_is_archived_compressed_and_replayed(server, tmp_path):
    server.route("/z", Reply(body="<p>zipped</p>", gzip=True))
    writer = WarcWriter(tmp_path, info={})
    fetcher = live_fetcher(fetch_settings(), archive=writer)
    response = fetcher.fetch(server.url("/z")).response
    fetcher.close()
    index = ArchiveIndex.build(tmp_path)
    exchange = index.read(index.lookup(server.url("/z")), server.url("/z"))
    assert gzip.decompress(exchange.body) == b"<p>zipped</p>"
    assert exchange.header("content-encoding") == "gzip"
    assert response.text == "<p>zipped</p>"


def test_closing_the_fetcher_releases_a_waiting_request(server):
    server.route("/busy", Reply(503, "later", headers={"Retry-After": "30"}))
    fetcher = live_fetcher(fetch_settings())
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(_fetch_or_error(fetcher, server)))
    started = time.monotonic()
    worker.start()
    time.sleep(0.3)
    fetcher.close()
    worker.join(timeout=5)
    assert time.monotonic() - started < 5
    assert outcome[0].reason == "the crawl stopped" and outcome[0].retryable


def _fetch_or_error(fetcher, server):
    try:
        return fetcher.fetch(server.url("/busy"))
    except FetchError as exc:
        return exc


def test_tls_certificate_errors_are_reported_not_retried(tmp_path):
    """https through the resolve map: the name is checked against the certificate (SNI)."""
    import datetime as dt
    import ssl
    from http.server import BaseHTTPRequestHandler, HTTPServer

    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "secure.test.invalid")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("secure.test.invalid")]), False)
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )

    class Quiet(BaseHTTPRequestHandler):
        def log_message(self, *args):
            return None

    httpd = HTTPServer(("127.0.0.1", 0), Quiet)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        port = httpd.server_address[1]
        settings = fetch_settings(resolve={"secure.test.invalid": f"127.0.0.1:{port}"})
        with pytest.raises(FetchError) as failure:
            live_fetcher(settings).fetch(f"https://secure.test.invalid:{port}/page")
        assert not failure.value.retryable
        assert "certificate verify failed: self-signed certificate" in failure.value.reason
    finally:
        httpd.shutdown()
        httpd.server_close()
