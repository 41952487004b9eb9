"""The one way out to the network: every outbound HTTP request uses a session made here.

- `session(timeout=...)`: a `requests.Session` whose requests all carry a (connect, read) timeout.
- `is_retryable_status`, `is_retryable_exception`, `classify`: one answer to "can trying again
  help?" for every vendor client (connection errors, timeouts, 408/425/429 and 5xx).
- `session(user_url=True)`: for URLs a user gave us (outbound webhooks and the like). The host
  is resolved when the connection is opened, every address is checked, and the socket connects to
  the checked address itself, so a name that changes its answer between a check and the connect
  (DNS rebinding) cannot slip past. Loopback, private, link-local, multicast, reserved and cloud
  metadata addresses are refused (`HTTP_ALLOW_PRIVATE_URLS=true` lets private and loopback ones
  through, for self-hosting); redirects are never followed; proxies from the environment are not used.
- `install_fake` / `faked`: the one seam where tests and the benchmark plug a transport adapter in
  for a URL prefix; every session made here mounts it.

Secret redaction lives beside this module, in `djtranscribe.lib.redaction`.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

Timeout = float | tuple[float, float]

# Connecting is quick or it is not happening; only reading may take the whole budget.
MAX_CONNECT_TIMEOUT = 10.0
DEFAULT_TIMEOUT = 30.0


def timeouts(timeout: Timeout) -> tuple[float, float]:
    """(connect, read) seconds: a single number is the read budget, connect capped at 10 s."""
    if isinstance(timeout, tuple):
        return timeout
    return (min(MAX_CONNECT_TIMEOUT, timeout), timeout)


# -- what is worth retrying -----------------------------------------------------------------------

# 501 Not Implemented and 505 HTTP Version Not Supported will answer the same next time.
PERMANENT_SERVER_ERRORS = frozenset({501, 505})
# Request Timeout, Too Early, Too Many Requests: the server asks us to come back.
RETRYABLE_CLIENT_ERRORS = frozenset({408, 425, 429})


class BlockedAddress(requests.RequestException):
    """A user-supplied URL leads to an address this app must not reach (never retryable)."""


def is_retryable_status(status: int | None) -> bool:
    if status is None:
        return False
    return status in RETRYABLE_CLIENT_ERRORS or (
        500 <= status <= 599 and status not in PERMANENT_SERVER_ERRORS
    )


def is_retryable_exception(exc: BaseException) -> bool:
    """Connection errors (a connect timeout included), read timeouts and a body cut off mid-way.

    A malformed URL, too many redirects or a blocked address will fail the same way again.
    """
    if isinstance(exc, BlockedAddress):
        return False
    return isinstance(
        exc, (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
    )


def retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from a Retry-After header (a number, or an HTTP date); None when absent or unreadable."""
    value = ((headers or {}).get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError):
            return None
    if seconds != seconds:  # nan
        return None
    return max(0.0, seconds)


@dataclass(frozen=True)
class Verdict:
    retryable: bool
    retry_after: float | None = None


def classify(
    *, status: int | None = None, headers: Mapping[str, str] | None = None, exc: BaseException | None = None
) -> Verdict:
    """Whether a failed request may be tried again, and after how long the server asked (429)."""
    if exc is not None:
        return Verdict(is_retryable_exception(exc))
    return Verdict(is_retryable_status(status), retry_after(headers) if status == 429 else None)


# -- sessions -------------------------------------------------------------------------------------


class TimeoutAdapter(HTTPAdapter):
    """Gives every request sent through it a timeout, when the caller set none."""

    def __init__(self, timeout: tuple[float, float], **kwargs):
        self.timeout = timeout
        super().__init__(**kwargs)

    def send(self, request, stream=False, timeout=None, **kwargs):
        return super().send(request, stream=stream, timeout=timeout or self.timeout, **kwargs)


_fakes_lock = threading.Lock()
_fakes: dict[str, Callable[[], HTTPAdapter]] = {}


def install_fake(prefix: str, make_adapter: Callable[[], HTTPAdapter]) -> None:
    """From now on, sessions made here send requests for `prefix` to `make_adapter()`."""
    with _fakes_lock:
        _fakes[prefix] = make_adapter


def remove_fake(prefix: str) -> None:
    with _fakes_lock:
        _fakes.pop(prefix, None)


def fake_for(prefix: str) -> Callable[[], HTTPAdapter] | None:
    with _fakes_lock:
        return _fakes.get(prefix)


@contextmanager
def faked(prefix: str, make_adapter: Callable[[], HTTPAdapter]) -> Iterator[None]:
    """install_fake() inside the block only; whatever was there before comes back after it."""
    previous = fake_for(prefix)
    install_fake(prefix, make_adapter)
    try:
        yield
    finally:
        if previous is None:
            remove_fake(prefix)
        else:
            install_fake(prefix, previous)


def session(
    *, timeout: Timeout = DEFAULT_TIMEOUT, user_url: bool = False, allow_private: bool | None = None
) -> requests.Session:
    """A session for outbound requests; `user_url=True` for URLs that came from a user."""
    connect_read = timeouts(timeout)
    if user_url:
        if allow_private is None:
            allow_private = bool(getattr(settings, "HTTP_ALLOW_PRIVATE_URLS", False))
        made: requests.Session = _UserURLSession()
        made.trust_env = False  # an environment proxy would make the connection for us, unchecked
        adapter: HTTPAdapter = GuardedAdapter(connect_read, allow_private=allow_private)
    else:
        made = requests.Session()
        adapter = TimeoutAdapter(connect_read)
    made.mount("http://", adapter)
    made.mount("https://", adapter)
    with _fakes_lock:
        fakes = list(_fakes.items())
    for prefix, make_adapter in fakes:
        made.mount(prefix, make_adapter())
    return made


# -- user-supplied URLs ---------------------------------------------------------------------------

# Cloud instance metadata services (AWS/GCP/Azure/OpenStack, ECS tasks, Alibaba, Azure's wireserver,
# AWS over IPv6). Most are link-local anyway; the others are named so they stay refused.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "168.63.129.16", "fd00:ec2::254")
)


def refusal(address: str, *, allow_private: bool = False) -> str | None:
    """Why `address` (an IP) must not be reached from a user's URL; None when it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_loopback:
        return None if allow_private else "a loopback address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private or not ip.is_global:
        return None if allow_private else "a private address"
    return None


def user_url_refusal(url: str, *, allow_private: bool | None = None) -> str | None:
    """Why a URL a user gives must not be saved, in words they can act on; None when it may.

    The same address rules as a user-URL session applies when it connects (which checks again:
    a name may resolve elsewhere by then).
    """
    if allow_private is None:
        allow_private = bool(getattr(settings, "HTTP_ALLOW_PRIVATE_URLS", False))
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "This is not a URL: write it as https://host/path."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Give an http:// or https:// URL with a host name."
    if parts.username or parts.password:
        return "Leave user names and passwords out of the URL: the request is signed instead."
    try:
        ipaddress.ip_address(parts.hostname)
        addresses = [parts.hostname]  # a literal address needs no lookup
    except ValueError:
        addresses = None
    try:
        addresses = addresses or resolve(parts.hostname, port)
    except (socket.gaierror, UnicodeError):
        return f"{parts.hostname} could not be found (no DNS answer): check the host name."
    for address in addresses:
        reason = refusal(address, allow_private=allow_private)
        if reason:
            return (
                f"{parts.hostname} resolves to {address}, {reason}: webhooks may only go to public addresses."
            )
    return None if addresses else f"{parts.hostname} resolves to no address: check the host name."


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in the resolver's order (tests patch this)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def open_socket(
    address: tuple[str, int], timeout, *, source_address=None, socket_options=None
) -> socket.socket:
    """Connect to an address already checked (tests patch this to reach a loopback server)."""
    return urllib3_connection.create_connection(
        address, timeout, source_address=source_address, socket_options=socket_options
    )


class _Refused(Exception):
    # Not an OSError: urllib3 would wrap one into a retryable connection error. GuardedAdapter
    # turns it into BlockedAddress.
    pass


class _GuardedConnectionMixin:
    allow_private = False

    def _new_conn(self) -> socket.socket:
        host, port = self._dns_host, self.port
        try:
            addresses = resolve(host, port)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        for address in addresses:
            reason = refusal(address, allow_private=self.allow_private)
            if reason:
                raise _Refused(
                    f"{self.host} resolves to {address}, {reason}: refused for a user-supplied URL."
                )
        if not addresses:
            raise NewConnectionError(self, f"{self.host} resolves to no address.")
        error: OSError | None = None
        for address in addresses:  # the checked addresses, never a second lookup
            try:
                return open_socket(
                    (address, port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(
                    self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
                ) from exc
            except OSError as exc:
                error = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}")


def _pool_classes(allow_private: bool) -> dict[str, type]:
    connections = {
        scheme: type(
            f"Guarded{base.__name__}", (_GuardedConnectionMixin, base), {"allow_private": allow_private}
        )
        for scheme, base in (("http", HTTPConnection), ("https", HTTPSConnection))
    }
    return {
        "http": type(
            "GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": connections["http"]}
        ),
        "https": type(
            "GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": connections["https"]}
        ),
    }


_POOL_CLASSES = {False: _pool_classes(False), True: _pool_classes(True)}


class GuardedAdapter(TimeoutAdapter):
    """Checks the addresses a host resolves to when it connects, and connects only to those."""

    def __init__(self, timeout: tuple[float, float], *, allow_private: bool = False, **kwargs):
        self.allow_private = allow_private
        super().__init__(timeout, **kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOL_CLASSES[self.allow_private]

    def send(self, request, *args, **kwargs):
        try:
            return super().send(request, *args, **kwargs)
        except _Refused as exc:
            raise BlockedAddress(str(exc), request=request) from None


class _UserURLSession(requests.Session):
    """Never follows a redirect: its target would be a second URL nobody checked."""

    def send(self, request, **kwargs):
        kwargs["allow_redirects"] = False
        return super().send(request, **kwargs)
