"""Connections over both transports, against the emulator: kept alive, per thread, the environment read once.

Connections are counted from the outside, by every TCP connect this process makes to the emulator's
port (``socket.socket.connect``, which both http.client and urllib3 end in). SOAP's zeep client loads
the WSDL once per thread through a requests session of its own: that is a connection too, made by
the thread's first call, and counted as such.
"""

from __future__ import annotations

import http.client
import os
import socket
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from pulumi_msads.client import ServiceClient
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess
from pulumi_msads.errors import MsadsError, TransportError

from .support import local_config
from .test_client import signup_body

TRANSPORTS = ["rest", "soap"]
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def port_of(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


class Connects:
    """TCP connections this process opened to one port while counting, by thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.by_thread: Counter[int] = Counter()
        self.counting = True

    @property
    def total(self) -> int:
        return sum(self.by_thread.values())

    def clear(self) -> None:
        self.by_thread.clear()


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch, emulator_process: EmulatorProcess) -> Connects:
    counted = Connects(port_of(emulator_process.url))
    connect = socket.socket.connect

    def counting(sock: socket.socket, address: Any) -> None:
        if counted.counting and isinstance(address, tuple) and address[1] == counted.port:
            counted.by_thread[threading.get_ident()] += 1
        connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", counting)
    return counted


def client_over(url: str, transport: str) -> ServiceClient:
    """A client of its own (no connection kept from another test), as the provider builds one."""
    return ServiceClient(local_config(url, transport=transport))


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_calls_from_one_thread_reuse_its_connection(
    emulator_process: EmulatorProcess, emulator: EmulatorControl, connects: Connects, transport: str
) -> None:
    client = client_over(emulator_process.url, transport)
    client.current_user()
    connects.clear()
    for _ in range(20):
        client.current_user()
    assert connects.total == 0


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_thread_opens_one_connection_for_its_calls(
    emulator_process: EmulatorProcess, emulator: EmulatorControl, connects: Connects, transport: str
) -> None:
    client = client_over(emulator_process.url, transport)
    for _ in range(10):
        client.current_user()
    wsdl = 1 if transport == "soap" else 0
    assert connects.total == 1 + wsdl


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_four_threads_open_at_most_one_connection_each(
    emulator_process: EmulatorProcess, emulator: EmulatorControl, connects: Connects, transport: str
) -> None:
    client = client_over(emulator_process.url, transport)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: client.current_user(), range(40)))
    wsdl = 1 if transport == "soap" else 0
    assert len(connects.by_thread) <= 4
    assert all(count <= 1 + wsdl for count in connects.by_thread.values()), connects.by_thread


class Spied(MutableMapping[str, str]):
    """``os.environ`` that records every name read from it."""

    def __init__(self, real: MutableMapping[str, str]) -> None:
        self.real = real
        self.read: list[str] = []

    def __getitem__(self, name: str) -> str:
        self.read.append(name)
        return self.real[name]

    def __setitem__(self, name: str, value: str) -> None:
        self.real[name] = value

    def __delitem__(self, name: str) -> None:
        del self.real[name]

    def __iter__(self) -> Iterator[str]:
        self.read.append("*")
        return iter(self.real)

    def __len__(self) -> int:
        return len(self.real)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_call_reads_nothing_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, emulator_process: EmulatorProcess, emulator: EmulatorControl, transport: str
) -> None:
    client = client_over(emulator_process.url, transport)
    client.current_user()  # SOAP: the thread's zeep client, built on its first call
    spied = Spied(os.environ)
    monkeypatch.setattr(os, "environ", spied)

    def forbidden(*_: Any, **__: Any) -> Any:
        raise AssertionError("looked the environment's proxies up during a call")

    monkeypatch.setattr(requests.utils, "get_environ_proxies", forbidden)
    monkeypatch.setattr(urllib.request, "getproxies", forbidden)
    monkeypatch.setattr(requests.utils, "get_netrc_auth", forbidden)
    for _ in range(5):
        client.current_user()
    assert spied.read == []


class ForwardProxy:
    """A minimal HTTP forward proxy (absolute-URI requests, kept alive), recording what it forwards to the service."""

    def __init__(self) -> None:
        self.forwarded: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                target = urlsplit(self.path)
                if not target.path.startswith("/_emulator/"):
                    proxy.forwarded.append(f"{self.command} {target.path}")
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                upstream = http.client.HTTPConnection(target.hostname or "", target.port or 80, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
                upstream.request(
                    self.command, target.path + (f"?{target.query}" if target.query else ""), body, headers
                )
                answer = upstream.getresponse()
                content = answer.read()
                upstream.close()
                self.send_response(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_DELETE = _forward  # noqa: N815 - the names http.server dispatches to

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def forward_proxy() -> Iterator[ForwardProxy]:
    proxy = ForwardProxy()
    yield proxy
    proxy.server.shutdown()
    proxy.server.server_close()


@pytest.fixture
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Neither spelling of any proxy variable, whatever the machine running the tests has set."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_proxy_set_in_the_environment_when_the_transport_is_built_is_used(
    emulator_process: EmulatorProcess,
    emulator: EmulatorControl,
    forward_proxy: ForwardProxy,
    no_proxy_settings: pytest.MonkeyPatch,
    transport: str,
) -> None:
    no_proxy_settings.setenv("HTTP_PROXY", forward_proxy.url)
    client = client_over(emulator_process.url, transport)
    no_proxy_settings.delenv("HTTP_PROXY")  # read once, when the transport was built
    client.current_user()
    client.current_user()
    calls = [request for request in forward_proxy.forwarded if request.startswith("POST ")]
    assert len(calls) == 2, forward_proxy.forwarded


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_no_proxy_naming_the_service_host_sends_directly(
    emulator_process: EmulatorProcess,
    emulator: EmulatorControl,
    forward_proxy: ForwardProxy,
    no_proxy_settings: pytest.MonkeyPatch,
    transport: str,
) -> None:
    no_proxy_settings.setenv("HTTP_PROXY", forward_proxy.url)
    no_proxy_settings.setenv("NO_PROXY", "localhost,127.0.0.1")
    client = client_over(emulator_process.url, transport)
    client.current_user()
    assert forward_proxy.forwarded == []


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """An emulator of this test's own, on a fixed port and a file, so that it can be stopped and started again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = EmulatorProcess(tmp_path / "emulator.sqlite3", port=port).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_connection_the_service_closed_while_idle_is_replaced_and_a_create_sent_once(
    restartable: EmulatorProcess, transport: str
) -> None:
    client = client_over(restartable.url, transport)
    arguments = signup_body(client)  # the kept connection: a GetUser's
    restartable.stop()  # closes every connection it kept alive, as an idle timeout does
    restartable.start()
    created = client.signup_customer(*arguments)
    assert created["CustomerId"]
    assert restartable.control.calls() == {"SignupCustomer": 1}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_create_dropped_after_it_was_sent_on_a_kept_connection_is_not_sent_again(
    emulator_process: EmulatorProcess, emulator: EmulatorControl, transport: str
) -> None:
    client = ServiceClient(local_config(emulator_process.url, transport=transport, maxRetries="3"))
    arguments = signup_body(client)
    emulator.add_fault(operation="SignupCustomer", drop=True)
    with pytest.raises(MsadsError) as raised:
        client.signup_customer(*arguments)
    assert isinstance(raised.value, TransportError) and raised.value.ambiguous
    assert emulator.calls()["SignupCustomer"] == 1
