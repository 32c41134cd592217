"""SSRF guard: an httpx transport that resolves once, checks every address and pins the connection."""

from __future__ import annotations

import ipaddress
import logging
import os
import queue
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, TypeVar

import httpcore
import httpx

from workers.executors.abortable import AbortableStream, wait_abortable
from workers.executors.base import EngineLimits, NodeFailure
from workers.executors.http_decode import ACCEPT_ENCODING

T = TypeVar("T")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

HINT = "set AUTOMATEOS_ALLOW_PRIVATE_NETWORKS or AUTOMATEOS_EGRESS_ALLOW"

# Instance metadata and platform endpoints hand out cloud credentials or configuration: refused even
# when private networks are allowed, unless an operator lists them explicitly in the egress
# allow-list. AWS/GCP/Azure IMDS (and AWS IPv6), Alibaba, AWS ECS task credentials, Oracle Cloud,
# Azure's platform "wireserver" (a public address Python counts as global).
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2", "192.0.0.192", "168.63.129.16")
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")  # deprecated (RFC 3879) yet still routed inside some networks


class EgressRefused(NodeFailure):
    """The destination is not allowed; never retried."""


@dataclass(frozen=True)
class GuardPolicy:
    """What may be reached. Hashable: the shared clients are keyed by it."""

    allow_private: bool = False
    allow_hosts: frozenset[str] = frozenset()
    allow_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_limits(cls, limits: EngineLimits) -> GuardPolicy:
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in (e.strip() for e in limits.egress_allow):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(limits.allow_private_networks, frozenset(hosts), tuple(networks))

    def host_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == h or (h.startswith("*.") and host.endswith(h[1:])) for h in self.allow_hosts)

    def address_allowed(self, address: IPAddress) -> bool:
        return any(address.version == n.version and address in n for n in self.allow_networks)


def _embedded(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 host an IPv6 form (mapped, 6to4, NAT64) really reaches, if it embeds one."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    embedded = address.ipv4_mapped or address.sixtofour
    if embedded is None and address in _NAT64:
        embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return embedded


def is_metadata(address: IPAddress) -> bool:
    embedded = _embedded(address)
    return address in METADATA_ADDRESSES or (embedded is not None and embedded in METADATA_ADDRESSES)


def refusal_reason(address: IPAddress) -> str | None:
    """Why `address` is not a public destination ("a loopback address"), or None when it is."""
    if is_metadata(address):
        return "a cloud metadata address"
    embedded = _embedded(address)
    if embedded is not None:
        return refusal_reason(embedded)  # an IPv6 form of an IPv4 host is judged as that host
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.version == 6 and address in _SITE_LOCAL, "a site-local (fec0::/10) address"),
        (address.version == 4 and address in _CGNAT, "a carrier-grade NAT (100.64.0.0/10) address"),
        (address.is_multicast, "a multicast address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
        (not address.is_global, "a non-public address"),
    )
    return next((reason for hit, reason in checks if hit), None)


def check_address(address: IPAddress, policy: GuardPolicy) -> str | None:
    """The refusal reason under `policy`, or None when `address` may be reached."""
    if policy.address_allowed(address):
        return None
    reason = refusal_reason(address)
    if reason is None or (policy.allow_private and not is_metadata(address)):
        return None
    return reason


def _refuse(host: str, address: IPAddress, reason: str, *, literal: bool) -> EgressRefused:
    where = host if literal else f"{host} resolves to {address}, which"
    return EgressRefused(f"refused: {where} is {reason} (SSRF guard); {HINT}")


# getaddrinfo blocks in C and cannot be interrupted: lookups run on a few shared daemon threads and
# the attempt only waits for them as long as it has time left (a stuck lookup keeps its thread, not
# the step; daemon threads, so it cannot hold up the process's exit either).
DNS_THREADS = 8
DNS_DEFAULT_TIMEOUT_S = 10.0


class _Resolver:
    """A tiny pool of daemon threads; a forked child starts with a fresh one (see _forget_resolver)."""

    def __init__(self, size: int) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]]] = queue.SimpleQueue()
        self._size, self._threads = size, 0
        self._lock = threading.Lock()

    def submit(self, call: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((future, call))
        with self._lock:
            if self._threads < self._size:
                self._threads += 1
                threading.Thread(target=self._work, name="aos-dns", daemon=True).start()
        return future

    def _work(self) -> None:
        while True:
            future, call = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as exc:  # handed to the waiting attempt
                future.set_exception(exc)


_resolver: _Resolver | None = None
_resolver_lock = threading.Lock()


def _dns_pool() -> _Resolver:
    global _resolver
    with _resolver_lock:
        if _resolver is None:
            _resolver = _Resolver(DNS_THREADS)
        return _resolver


def _forget_resolver() -> None:
    # A forked child (Celery's prefork pool) has none of the parent's threads, and maybe a held lock.
    global _resolver, _resolver_lock
    _resolver, _resolver_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_resolver)


def _lookup(host: str, port: int) -> list[Any]:
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def _resolve(host: str, port: int, timeout: float | None = None) -> list[IPAddress]:
    """The host's addresses within `timeout` s; a lookup that fails or takes longer fails the connect."""
    wait = DNS_DEFAULT_TIMEOUT_S if timeout is None else max(timeout, 0.0)
    started = time.monotonic()
    try:
        infos = wait_abortable(_dns_pool().submit(lambda: _lookup(host, port)), wait)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(f"DNS lookup failed for {host}: {exc}") from exc
    except (TimeoutError, httpcore.ConnectError):
        spent = time.monotonic() - started
        raise httpcore.ConnectError(f"DNS lookup failed for {host}: no answer within {spent:.1f}s") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))
    if not addresses:
        raise httpcore.ConnectError(f"DNS lookup failed for {host}: no addresses")
    return addresses


def resolve_checked(host: str, port: int, policy: GuardPolicy, timeout: float | None = None) -> list[IPAddress]:
    """Resolve `host` once (within `timeout` s) and check every address; any refused one refuses the host."""
    bare = host.strip("[]")
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(bare)]
        literal = True
    except ValueError:
        addresses, literal = _resolve(bare, port, timeout), False
    if policy.host_allowed(bare):
        return addresses
    for address in addresses:
        reason = check_address(address, policy)
        if reason is not None:
            raise _refuse(bare, address, reason, literal=literal)
    return addresses


class GuardedBackend(httpcore.NetworkBackend):
    """Connects only to checked addresses; TLS still verifies (and sends SNI for) the hostname.

    httpcore hands us the URL's hostname and later starts TLS with that same hostname, so pinning
    here keeps certificate checks intact, and the pool (keyed by hostname) only ever reuses
    connections that were checked when they were opened.
    """

    def __init__(self, policy: GuardPolicy) -> None:
        self.policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        # The connect timeout bounds the lookup and the connection together.
        ends = None if timeout is None else time.monotonic() + timeout
        for address in resolve_checked(host, port, self.policy, timeout):
            left = None if ends is None else max(ends - time.monotonic(), 0.001)
            try:
                stream = self._inner.connect_tcp(str(address), port, left, local_address, socket_options)
                return AbortableStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc  # try the next checked address, like a normal resolver-driven connect
        assert last is not None
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise EgressRefused("refused: unix sockets are not reachable from an HTTP node (SSRF guard)")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport (exception mapping, keep-alive pool) over the guarded backend."""

    def __init__(self, policy: GuardPolicy, *, verify: ssl.SSLContext | bool = True, limits: httpx.Limits) -> None:
        super().__init__(verify=verify, trust_env=False, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )


POOL_LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=50, keepalive_expiry=30.0)


# httpx logs every request URL at INFO; a URL may carry a resolved secret in its query string, and
# the node logs its own masked request line, so httpx's line would only leak.
logging.getLogger("httpx").setLevel(logging.WARNING)
# httpcore traces raw request headers (Authorization included) at DEBUG: never let it log them.
logging.getLogger("httpcore").setLevel(logging.WARNING)


def no_cookie_jar() -> CookieJar:
    """A jar that never stores (nor sends) a cookie.

    The client is shared by every run of every user in the process: a Set-Cookie kept from one run
    would ride along on another's request to that host. A node that needs a cookie sets the Cookie
    header itself, which httpx leaves alone when its jar is empty.
    """
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def build_client(policy: GuardPolicy, *, verify: ssl.SSLContext | bool = True) -> httpx.Client:
    # trust_env=False: an HTTP(S)_PROXY from the environment would move the real connection past
    # the guard, and ~/.netrc would add credentials nobody asked for. Redirects are followed by the
    # caller, hop by hop, so it can strip credentials on a change of origin. Accept-Encoding names
    # only what http_decode inflates in bounded memory.
    return httpx.Client(
        transport=GuardedTransport(policy, verify=verify, limits=POOL_LIMITS),
        headers={"User-Agent": "AutomateOS", "Accept-Encoding": ACCEPT_ENCODING},
        cookies=no_cookie_jar(),
        trust_env=False,
        follow_redirects=False,
    )


_clients: dict[GuardPolicy, httpx.Client] = {}
_clients_lock = threading.Lock()


def shared_client(limits: EngineLimits) -> httpx.Client:
    """The worker process's keep-alive client for this policy (in practice one per process).

    Keyed by policy so a connection opened under a permissive policy is never reused under a
    stricter one.
    """
    policy = GuardPolicy.from_limits(limits)
    client = _clients.get(policy)
    if client is None:
        with _clients_lock:
            client = _clients.get(policy)
            if client is None:
                client = _clients[policy] = build_client(policy)
    return client
