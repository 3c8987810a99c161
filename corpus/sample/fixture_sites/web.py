"""A small web of fixture sites behind one local HTTP server, told apart by Host header.

The crawl engine's `resolve` map sends every `*.sample.invalid` host to this server, so the
adapters fetch the same URLs they would in the sample config; tests that drive an adapter
without the engine do the same by rewriting the host. Each site answers `(path, query)` with
a Reply; unknown hosts and paths answer 404 like a real server.
"""

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def html(body: str, status: int = 200) -> Reply:
    return Reply(status, body.encode("utf-8"), "text/html; charset=utf-8")


def not_found(path: str = "") -> Reply:
    return html(f"<html><body><h1>Not found</h1><p>{path}</p></body></html>", 404)


Query = list[tuple[str, str]]
Handler = Callable[[str, Query], Reply | None]
ROBOTS = b"User-agent: *\nDisallow:\n"


class FixtureWeb:
    """Hosts and their handlers; `respond` is what the HTTP server calls."""

    def __init__(self):
        self.sites: dict[str, Handler] = {}
        self.requests: list[tuple[str, str]] = []  # (host, path?query) in arrival order
        self._lock = threading.Lock()

    def add(self, host: str, handler: Handler) -> None:
        self.sites[host.lower()] = handler

    @property
    def hosts(self) -> list[str]:
        return sorted(self.sites)

    def respond(self, host: str, target: str) -> Reply:
        host = host.split(":")[0].lower()
        with self._lock:
            self.requests.append((host, target))
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        query = parse_qsl(parts.query, keep_blank_values=True)
        handler = self.sites.get(host)
        if handler is None:
            return not_found(f"no such host {host}")
        if path == "/robots.txt":
            return Reply(200, ROBOTS, "text/plain")
        reply = handler(path, query)
        return reply if reply is not None else not_found(path)


class _Handler(BaseHTTPRequestHandler):
    web: FixtureWeb
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # headers and body leave in two writes; without this each response waits for a
        # delayed ACK (40 ms) on a kept-alive connection
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        reply = self.web.respond(self.headers.get("Host", ""), self.path)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format, *args):  # quiet: tests read web.requests instead
        pass


@contextmanager
def serve(web: FixtureWeb, port: int = 0) -> Iterator["Server"]:
    """Serve `web` on 127.0.0.1 in a background thread for the duration of the block."""
    handler = type("Handler", (_Handler,), {"web": web})
    httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield Server(web, httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@dataclass
class Server:
    web: FixtureWeb
    port: int

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def resolve(self) -> dict[str, str]:
        """host → 127.0.0.1:port for every fixture host (the engine's `resolve` map)."""
        return {host: self.address for host in self.web.hosts}
