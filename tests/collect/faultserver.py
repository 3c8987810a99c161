"""A local HTTP server that misbehaves on request, for testing the fetcher for real.

Routes map (host, path) to scripted replies, consumed in order (the last one repeats), so a
test can say "503, 503, then the page". Every request is logged with its arrival time
(time.monotonic(), taken in the server thread: politeness is measured as the server sees it),
its Host and headers; the server also tracks how many requests were in flight at once, per
host and overall, and how many body bytes it managed to send.
"""

import gzip
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0  # seconds before answering
    drop_after: int | None = None  # send this many body bytes, then cut the connection
    endless: bool = False  # stream without end (until the client hangs up)
    gzip: bool = False  # gzip the body and say so
    not_modified_if: str | None = None  # answer 304 when If-None-Match equals this


@dataclass(frozen=True)
class Hit:
    at: float
    host: str
    path: str
    headers: dict[str, str]


def page(text: str, **kwargs) -> Reply:
    return Reply(body=f"<html><body>{text}</body></html>", **kwargs)


class FaultServer:
    def __init__(self):
        self.routes: dict[tuple[str | None, str], list[Reply]] = {}
        self.log: list[Hit] = []
        self.in_flight: dict[str, int] = defaultdict(int)
        self.max_in_flight: dict[str, int] = defaultdict(int)
        self.max_in_flight_total = 0
        self.bytes_sent: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                # answer in one go: headers and body as separate small writes would meet
                # the client's delayed ACK (40 ms a request) under Nagle's algorithm
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, *args):
                return None

            def do_GET(self):
                server._serve(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> "FaultServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def route(self, path: str, *replies: Reply | str, host: str | None = None) -> None:
        self.routes[(host, path)] = [r if isinstance(r, Reply) else page(r) for r in replies]

    def hits(self, path: str | None = None, host: str | None = None) -> list[Hit]:
        with self._lock:
            return [
                h
                for h in self.log
                if (path is None or h.path == path) and (host is None or h.host == host)
            ]

    def paths(self) -> list[str]:
        return [h.path for h in self.hits()]

    # -- serving -------------------------------------------------------------------------------

    def _next_reply(self, host: str, path: str) -> Reply:
        with self._lock:
            replies = self.routes.get((host, path)) or self.routes.get((None, path))
            if not replies:
                return Reply(404, "not found", content_type="text/plain")
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        host = (handler.headers.get("Host") or "").split(":")[0]
        now = time.monotonic()
        with self._lock:
            self.log.append(Hit(now, host, handler.path, dict(handler.headers.items())))
            self.in_flight[host] += 1
            self.max_in_flight[host] = max(self.max_in_flight[host], self.in_flight[host])
            total = sum(self.in_flight.values())
            self.max_in_flight_total = max(self.max_in_flight_total, total)
        try:
            self._answer(handler, host, self._next_reply(host, handler.path))
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
        finally:
            with self._lock:
                self.in_flight[host] -= 1

    def _answer(self, handler: BaseHTTPRequestHandler, host: str, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
        status = reply.status
        if reply.not_modified_if and handler.headers.get("If-None-Match") == reply.not_modified_if:
            status, body = 304, b""
        if reply.gzip:
            body = gzip.compress(body)
        handler.send_response(status)
        handler.send_header("Content-Type", reply.content_type)
        if reply.gzip:
            handler.send_header("Content-Encoding", "gzip")
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if reply.endless:
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.close_connection = True
            chunk = b"x" * 65536
            for _ in range(2000):  # at most ~130 MB, so a broken client cannot hang the test
                handler.wfile.write(chunk)
                with self._lock:
                    self.bytes_sent[handler.path] += len(chunk)
            return
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if reply.drop_after is not None:
            handler.wfile.write(body[: reply.drop_after])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        handler.wfile.write(body)
        with self._lock:
            self.bytes_sent[handler.path] += len(body)


@pytest.fixture(name="server")
def server_fixture():
    """A running FaultServer as the `server` fixture (import server_fixture to use it)."""
    running = FaultServer().start()
    yield running
    running.stop()
