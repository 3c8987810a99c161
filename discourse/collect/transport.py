"""Transports: how one HTTP exchange happens. The network is one; the WARC archive another.

The fetcher (fetch.py) owns every policy (politeness, robots.txt, retries, redirects,
decoding); a transport only sends one request and returns the response exactly as received,
body still content-encoded, so the same bytes can be archived and replayed. Swapping the
transport is how replay works (archive.ArchiveTransport): the code above it does not change.

The live transport uses urllib3 directly rather than requests. Everything requests adds on
top (redirects, retries, content decoding, cookies) is something the fetcher must do itself
to archive each hop and honour Retry-After per host; what we need underneath is what urllib3
gives: thread-safe connection pools per host, the raw still-encoded byte stream for faithful
WARC records, a size cap applied while streaming, and connecting to an address we resolved
and checked ourselves (so a host name cannot be re-pointed at a private address between the
check and the connection, and `resolve` works like curl --resolve, TLS names included).
"""

import ipaddress
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import certifi
import urllib3
from urllib3.exceptions import HTTPError, SSLError

from discourse.collect.urls import DEFAULT_PORTS, UrlError, is_public_address, resolve_host
from discourse.config import FetchSection
from discourse.dates import utc_now

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Exchange:
    """One request and its response as on the wire (the body still content-encoded)."""

    method: str
    url: str
    request_headers: Headers
    status: int
    reason: str
    headers: Headers  # as received, minus Transfer-Encoding (the body is stored de-chunked)
    body: bytes
    fetched_at: str  # ISO 8601 UTC, seconds: also the WARC-Date of the archived record
    http_version: str = "HTTP/1.1"
    ip_address: str | None = None
    warc_file: str | None = None  # set by a transport that reads from an archive
    warc_offset: int | None = None

    def header(self, name: str) -> str | None:
        """The first value of a header (case-insensitive), or None."""
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)


class TransportError(Exception):
    """An exchange that produced no usable response; `retryable` if trying again may help."""

    def __init__(self, reason: str, *, retryable: bool):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class ResponseTooLarge(TransportError):
    def __init__(self, max_bytes: int):
        super().__init__(
            f"response larger than fetch.max_bytes ({max_bytes:,} bytes): aborted",
            retryable=False,
        )


class AddressRefused(TransportError):
    """The host resolves to a private, loopback or link-local address."""

    def __init__(self, host: str, address: str):
        super().__init__(
            f"refused: {host} resolves to the non-public address {address} "
            "(set fetch.allow_private = true, or map the host in fetch.resolve, to allow it)",
            retryable=False,
        )


class Transport(Protocol):
    """Sends one request; raises TransportError when there is no response."""

    live: bool  # False for transports that never touch the network (no delays needed)

    def send(self, method: str, url: str, headers: Mapping[str, str]) -> Exchange: ...

    def close(self) -> None: ...


class LiveTransport:
    """The network, through one urllib3 connection pool per (scheme, host, port)."""

    live = True
    MAX_POOLS = 256

    def __init__(
        self,
        *,
        connect_timeout: float,
        read_timeout: float,
        max_bytes: int,
        total_timeout: float = 300.0,
        allow_private: bool = False,
        resolve: Mapping[str, str] | None = None,
        per_host: int = 1,
    ):
        self.timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
        self.max_bytes = max_bytes
        self.total_timeout = total_timeout
        self.allow_private = allow_private
        self.resolve = {host.lower(): target for host, target in (resolve or {}).items()}
        self.per_host = per_host
        self._pools: OrderedDict[tuple[str, str, int], tuple[urllib3.HTTPConnectionPool, str]]
        self._pools = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: FetchSection) -> "LiveTransport":
        return cls(
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            total_timeout=settings.total_timeout,
            max_bytes=settings.max_bytes,
            allow_private=settings.allow_private,
            resolve=settings.resolve,
            per_host=settings.per_host,
        )

    def send(self, method: str, url: str, headers: Mapping[str, str]) -> Exchange:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        if scheme not in DEFAULT_PORTS or not host:
            raise TransportError(f"not an http(s) URL: {url}", retryable=False)
        port = parts.port or DEFAULT_PORTS[scheme]
        pool, address = self._pool(scheme, host, port)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = host if port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
        sent = {"Host": host_header, **headers}
        fetched_at = utc_now()
        try:
            response = pool.urlopen(
                method,
                target,
                headers=sent,
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=False,
                assert_same_host=False,
                timeout=self.timeout,
            )
        except SSLError as exc:
            raise TransportError(f"TLS error: {_short(exc)}", retryable=False) from None
        except HTTPError as exc:
            self._forget(scheme, host, port)
            raise TransportError(f"connection failed: {_short(exc)}", retryable=True) from None
        try:
            body = self._read_capped(response)
        finally:
            response.release_conn()
        received = tuple(
            (name, value)
            for name, value in response.headers.iteritems()
            if name.lower() != "transfer-encoding"
        )
        return Exchange(
            method=method,
            url=url,
            request_headers=tuple(sent.items()),
            status=response.status,
            reason=response.reason or "",
            headers=received,
            body=body,
            fetched_at=fetched_at,
            http_version="HTTP/1.0" if response.version == 10 else "HTTP/1.1",
            ip_address=address,
        )

    def _read_capped(self, response: urllib3.BaseHTTPResponse) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response.close()  # never read it; the connection is discarded
            raise ResponseTooLarge(self.max_bytes)
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + self.total_timeout
        try:
            for chunk in response.stream(1 << 16, decode_content=False):
                size += len(chunk)
                if size > self.max_bytes:
                    response.close()
                    raise ResponseTooLarge(self.max_bytes)
                if time.monotonic() > deadline:
                    response.close()
                    raise TransportError(
                        f"response still arriving after fetch.total_timeout ({self.total_timeout:g} s): aborted",
                        retryable=True,
                    )
                chunks.append(chunk)
        except HTTPError as exc:
            response.close()
            raise TransportError(
                f"connection broke mid-body: {_short(exc)}", retryable=True
            ) from None
        return b"".join(chunks)

    def _pool(self, scheme: str, host: str, port: int) -> tuple[urllib3.HTTPConnectionPool, str]:
        key = (scheme, host, port)
        with self._lock:
            if key in self._pools:
                self._pools.move_to_end(key)
                return self._pools[key]
        address, connect_port = self._address(host, port)
        if scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                connect_port,
                maxsize=self.per_host,
                server_hostname=host,
                assert_hostname=host,
                cert_reqs="CERT_REQUIRED",
                ca_certs=certifi.where(),
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, connect_port, maxsize=self.per_host)
        with self._lock:
            self._pools[key] = (pool, address)
            while len(self._pools) > self.MAX_POOLS:
                _, (evicted, _) = self._pools.popitem(last=False)
                evicted.close()
        return pool, address

    def _address(self, host: str, port: int) -> tuple[str, int]:
        """Where to connect for a host: the resolve map (explicitly allowed), else DNS, checked."""
        mapped = self.resolve.get(host)
        if mapped is not None:
            address, _, mapped_port = mapped.rpartition(":")
            return address.strip("[]"), int(mapped_port)
        try:
            ipaddress.ip_address(host.strip("[]"))
            addresses = [host.strip("[]")]
        except ValueError:
            try:
                addresses = resolve_host(host, port)
            except UrlError as exc:
                raise TransportError(str(exc), retryable=True) from None
        address = addresses[0]
        if not self.allow_private:
            for candidate in addresses:
                if not is_public_address(candidate):
                    raise AddressRefused(host, candidate)
        return address, port

    def _forget(self, scheme: str, host: str, port: int) -> None:
        """Drop a host's pool after a connection failure, so the next try resolves again."""
        with self._lock:
            entry = self._pools.pop((scheme, host, port), None)
        if entry is not None:
            entry[0].close()

    def close(self) -> None:
        with self._lock:
            pools = list(self._pools.values())
            self._pools.clear()
        for pool, _ in pools:
            pool.close()


def _short(exc: Exception) -> str:
    """The innermost reason of a urllib3 error, without the pool's repr noise."""
    reason = getattr(exc, "reason", None) or exc
    text = str(reason)
    if "object at 0x" in text and ":" in text:
        text = text.split(":", 1)[1].strip()
    return f"{type(reason).__name__}: {text}" if text else type(reason).__name__
