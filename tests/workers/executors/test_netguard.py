"""The SSRF guard: address checks, allow-lists, pinning (plain and TLS) and redirect re-checks."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import time
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.stub_server import StubServer
from workers.executors import netguard
from workers.executors.base import EngineLimits, NodeFailure
from workers.executors.http_request import HttpRequestExecutor
from workers.executors.netguard import EgressRefused, GuardPolicy, build_client, check_address, refusal_reason

run = HttpRequestExecutor().run
CLOSED = EngineLimits(allow_private_networks=False)
HINT = "set AUTOMATEOS_ALLOW_PRIVATE_NETWORKS or AUTOMATEOS_EGRESS_ALLOW"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("10.0.0.5", "a private address"),
        ("172.16.3.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("169.254.10.10", "a link-local address"),
        ("100.64.0.1", "a carrier-grade NAT (100.64.0.0/10) address"),
        ("224.0.0.251", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("0.0.0.0", "an unspecified address"),
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fe80::1", "a link-local address"),
        ("fc00::1", "a private address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("::ffff:169.254.169.254", "a cloud metadata address"),
        ("64:ff9b::a00:5", "a private address"),
        ("2002:a00:5::1", "a private address"),
        ("192.0.0.192", "a cloud metadata address"),
        ("168.63.129.16", "a cloud metadata address"),
        ("::ffff:168.63.129.16", "a cloud metadata address"),
        ("64:ff9b::c000:c0", "a cloud metadata address"),
        ("fec0::1", "a site-local (fec0::/10) address"),
        ("feff:ffff::1", "a site-local (fec0::/10) address"),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_refusal_reason_table(address: str, reason: str | None) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) == reason


def test_allow_private_still_refuses_metadata() -> None:
    policy = GuardPolicy(allow_private=True)
    assert check_address(ipaddress.ip_address("10.1.2.3"), policy) is None
    assert check_address(ipaddress.ip_address("169.254.169.254"), policy) == "a cloud metadata address"


METADATA = [
    "169.254.169.254",
    "fd00:ec2::254",
    "100.100.100.200",
    "169.254.170.2",
    "192.0.0.192",
    "168.63.129.16",
    # IPv6 forms of an IPv4 metadata host reach that host: refused the same way.
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",
    "2002:a9fe:a9fe::1",
    "::ffff:192.0.0.192",
]


@pytest.mark.parametrize("address", METADATA)
@pytest.mark.parametrize("allow_private", [False, True])
def test_metadata_is_refused_even_with_private_networks_allowed(address: str, allow_private: bool) -> None:
    policy = GuardPolicy(allow_private=allow_private)
    assert check_address(ipaddress.ip_address(address), policy) == "a cloud metadata address"


@pytest.mark.parametrize("address", ["192.0.0.192", "168.63.129.16"])
def test_metadata_passes_only_when_listed(address: str) -> None:
    policy = GuardPolicy.from_limits(EngineLimits(allow_private_networks=True, egress_allow=(address,)))
    assert check_address(ipaddress.ip_address(address), policy) is None


@pytest.mark.parametrize(("allow_private", "reason"), [(False, "a site-local (fec0::/10) address"), (True, None)])
def test_site_local_is_private(allow_private: bool, reason: str | None) -> None:
    # fec0::/10 is a private range like fc00::/7: opened by AUTOMATEOS_ALLOW_PRIVATE_NETWORKS.
    assert check_address(ipaddress.ip_address("fec0::5"), GuardPolicy(allow_private=allow_private)) == reason


def test_egress_allow_parses_hosts_and_networks() -> None:
    policy = GuardPolicy.from_limits(EngineLimits(egress_allow=("10.0.0.0/8", "Intranet.Test", "*.corp.test", "::1")))
    assert check_address(ipaddress.ip_address("10.9.9.9"), policy) is None
    assert check_address(ipaddress.ip_address("::1"), policy) is None
    assert check_address(ipaddress.ip_address("192.168.0.1"), policy) == "a private address"
    assert policy.host_allowed("intranet.test.") and policy.host_allowed("api.corp.test")
    assert not policy.host_allowed("corp.test.evil") and not policy.host_allowed("other.test")


# -- through the executor: the server must see nothing -----------------------------------------
def test_guard_refuses_loopback_before_connecting(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/x", body="secret")
    with pytest.raises(NodeFailure) as caught:
        run(make_ctx({"url": stub_server.url + "/x"}, limits=CLOSED)[0])
    assert caught.value.message == f"refused: 127.0.0.1 is a loopback address (SSRF guard); {HINT}"
    assert stub_server.requests == []


def test_guard_refuses_a_name_resolving_to_loopback(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/x", body="secret")
    with pytest.raises(NodeFailure, match=r"refused: localhost resolves to (127\.0\.0\.1|::1), which is a loopback"):
        run(make_ctx({"url": stub_server.url_for("localhost") + "/x"}, limits=CLOSED)[0])
    assert stub_server.requests == []


@pytest.mark.parametrize(
    ("url", "limits", "shown"),
    [
        ("http://169.254.169.254/latest/meta-data/", EngineLimits(allow_private_networks=True), "169.254.169.254"),
        ("http://10.0.0.5/", CLOSED, "10.0.0.5 is a private address"),
        ("http://[::ffff:10.0.0.5]/", CLOSED, "::ffff:10.0.0.5 is a private address"),
        ("http://[fd00:ec2::254]/", EngineLimits(allow_private_networks=True), "fd00:ec2::254"),
        ("http://192.0.0.192/opc/v2/instance/", EngineLimits(allow_private_networks=True), "192.0.0.192"),
        ("http://168.63.129.16/machine", EngineLimits(allow_private_networks=True), "168.63.129.16"),
        ("http://[fec0::1]/", CLOSED, "fec0::1 is a site-local"),
    ],
)
def test_guard_refuses_without_any_network(make_ctx: Any, url: str, limits: EngineLimits, shown: str) -> None:
    with pytest.raises(EgressRefused, match=shown.replace(".", r"\.")):
        run(make_ctx({"url": url}, limits=limits)[0])


def test_guard_refusal_is_not_retried(stub_server: StubServer, make_ctx: Any) -> None:
    ctx, log = make_ctx({"url": stub_server.url + "/x", "retries": 5}, limits=CLOSED)
    with pytest.raises(EgressRefused):
        run(ctx)
    assert log.levels("warn") == []


def test_guard_allow_list_lets_a_network_through(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/x", body="ok")
    limits = EngineLimits(allow_private_networks=False, egress_allow=("127.0.0.0/8",))
    assert run(make_ctx({"url": stub_server.url + "/x"}, limits=limits)[0]).output["body"] == "ok"


def test_guard_rechecks_every_redirect_hop(make_ctx: Any) -> None:
    # The first hop is allowed by host name; its redirect to the bare loopback address is not.
    with StubServer() as first, StubServer() as target:
        target.route("GET", "/inside", body="secret")
        first.route("GET", "/out", redirect=target.url + "/inside")
        limits = EngineLimits(allow_private_networks=False, egress_allow=("localhost",))
        with pytest.raises(EgressRefused, match=r"127\.0\.0\.1 is a loopback address"):
            run(make_ctx({"url": first.url_for("localhost") + "/out"}, limits=limits)[0])
        assert len(first.requests) == 1 and target.requests == []


def test_guard_refuses_redirect_to_metadata(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/r", redirect="http://169.254.169.254/latest/meta-data/iam/")
    with pytest.raises(EgressRefused, match="cloud metadata"):
        run(make_ctx({"url": stub_server.url + "/r"})[0])


def _fake_dns(monkeypatch: pytest.MonkeyPatch, names: dict[str, str]) -> list[str]:
    real = socket.getaddrinfo
    asked: list[str] = []

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in names:
            asked.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (names[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(netguard.socket, "getaddrinfo", fake)
    return asked


def test_guard_pins_the_checked_address_and_keeps_host(
    stub_server: StubServer, make_ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _fake_dns(monkeypatch, {"api.pinned.test": "127.0.0.1"})
    stub_server.route("GET", "/x", body="ok")
    limits = EngineLimits(egress_allow=("127.0.0.1/32",))
    run(make_ctx({"url": stub_server.url_for("api.pinned.test") + "/x"}, limits=limits)[0])
    assert asked == ["api.pinned.test"]  # resolved once, by the guard
    assert stub_server.requests[0].header("host") == f"api.pinned.test:{stub_server.port}"


def test_guard_refuses_if_any_resolved_address_is_private(make_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def two_answers(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(netguard.socket, "getaddrinfo", two_answers)
    with pytest.raises(EgressRefused, match=r"mixed\.test resolves to 10\.0\.0\.7, which is a private address"):
        run(make_ctx({"url": "http://mixed.test/"}, limits=CLOSED)[0])


# -- TLS: pinned to the IP, yet SNI and certificate checks use the host name --------------------
def _self_signed(tmp_path: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _tls_server(cert: Path, key: Path, seen_sni: list[str | None]) -> StubServer:
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    server_ctx.sni_callback = lambda sock, name, ctx: seen_sni.append(name)  # type: ignore[assignment,misc]
    return StubServer(tls=server_ctx)


def test_guard_tls_keeps_sni_and_verification(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dns(monkeypatch, {"secure.pinned.test": "127.0.0.1"})
    cert, key = _self_signed(tmp_path, "secure.pinned.test")
    seen_sni: list[str | None] = []
    with _tls_server(cert, key, seen_sni) as server:
        server.route("GET", "/x", json={"tls": True})
        trust = ssl.create_default_context(cafile=str(cert))
        with build_client(GuardPolicy(allow_networks=(ipaddress.ip_network("127.0.0.1/32"),)), verify=trust) as client:
            response = client.get(server.url_for("secure.pinned.test") + "/x")
        assert response.json() == {"tls": True}
        assert seen_sni == ["secure.pinned.test"]


def test_guard_tls_rejects_a_certificate_for_another_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dns(monkeypatch, {"victim.pinned.test": "127.0.0.1"})
    cert, key = _self_signed(tmp_path, "attacker.test")
    with _tls_server(cert, key, []) as server:
        server.route("GET", "/x", body="should not be read")
        trust = ssl.create_default_context(cafile=str(cert))
        client = build_client(GuardPolicy(allow_private=True), verify=trust)
        with client, pytest.raises(httpx.ConnectError, match="certificate verify failed"):
            client.get(server.url_for("victim.pinned.test") + "/x")
        assert server.requests == []


# -- DNS: bounded by the attempt's time, and cancellable ----------------------------------------
def _slow_dns(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    def slow(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(netguard.socket, "getaddrinfo", slow)


def test_a_slow_lookup_fails_the_attempt_at_its_deadline(make_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _slow_dns(monkeypatch, 3)
    started = time.monotonic()
    with pytest.raises(NodeFailure) as caught:
        run(make_ctx({"url": "http://slow-dns.test/x", "timeout_s": 0.4, "retries": 0}, limits=CLOSED)[0])
    assert time.monotonic() - started < 1.2
    message = caught.value.message
    assert "DNS lookup failed for slow-dns.test: no answer within" in message and "0.4s deadline" in message, message
    assert "http://slow-dns.test/x" in message


def test_a_lookup_in_progress_is_broken_by_a_cancel(
    make_ctx: Any, cancel_later: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slow_dns(monkeypatch, 3)
    ctx, _ = make_ctx({"url": "http://slow-dns.test/x", "timeout_s": 10, "retries": 0}, limits=CLOSED)
    cancel_later(ctx, 0.2)
    started = time.monotonic()
    with pytest.raises(NodeFailure, match=r"cancelled during GET http://slow-dns\.test/x"):
        run(ctx)
    assert time.monotonic() - started < 1.2


def test_resolve_without_an_attempt_still_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    _slow_dns(monkeypatch, 2)
    with pytest.raises(httpcore.ConnectError, match=r"DNS lookup failed for direct.test: no answer within 0\.\ds"):
        netguard.resolve_checked("direct.test", 80, GuardPolicy(), timeout=0.2)
