"""Fixtures of the provider's tests: ServiceClients for the session emulator, a strict emulator, recorded sleeps.

``emulator_process`` and ``emulator`` (reset before each test) come from ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from pulumi_msads import client as client_module
from pulumi_msads.auth import TokenSource, token_source
from pulumi_msads.bulk_reads import BulkReads
from pulumi_msads.client import ServiceClient
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess

from .support import local_config

STRICT_DEVELOPER_TOKEN = "strict-dev-token-51c2"
STRICT_ACCESS_TOKEN = "strict-access-token-9e07"

MakeClient = Callable[..., ServiceClient]


class SharedClients:
    """ServiceClients shared by the tests that use the same emulator and settings.

    Building zeep's client from the WSDL takes a quarter of a second, so each test gets a shared
    ServiceClient, set up afresh: the given token source (else the configured one) and an empty
    cache. Tests about building the zeep client make their own ServiceClient.
    """

    def __init__(self) -> None:
        self._clients: dict[tuple[str, ...], ServiceClient] = {}

    def get(self, url: str, tokens: TokenSource | None, settings: dict[str, str]) -> ServiceClient:
        key = (url, *(f"{name}={value}" for name, value in sorted(settings.items())))
        if key not in self._clients:
            self._clients[key] = ServiceClient(local_config(url, **settings))
        client = self._clients[key]
        client.tokens = tokens or token_source(client.config)
        client.cache.clear()
        client.reads = BulkReads(client.config.read_cache_seconds)
        return client


@pytest.fixture(scope="session")
def shared_clients() -> SharedClients:
    return SharedClients()


@pytest.fixture
def make_client(
    emulator_process: EmulatorProcess, emulator: EmulatorControl, shared_clients: SharedClients
) -> MakeClient:
    """``make_client(tokens=None, **settings)``: a ServiceClient of the (reset) session emulator.

    Settings are config keys without the ``msads:`` prefix (``maxRetries="2"``); backoff waits are
    zero unless a test sets them.
    """

    def make(tokens: TokenSource | None = None, **settings: str) -> ServiceClient:
        return shared_clients.get(emulator_process.url, tokens, settings)

    return make


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The backoff delays the client asks for, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(client_module, "sleep", recorded.append)
    return recorded


@pytest.fixture(scope="session")
def strict_emulator_process() -> Iterator[EmulatorProcess]:
    """A second emulator that accepts only one developer token and one access token, and logs each call."""
    args = ["--developer-token", STRICT_DEVELOPER_TOKEN, "--access-token", STRICT_ACCESS_TOKEN, "--log-level", "INFO"]
    with EmulatorProcess(args=args) as process:
        yield process


@pytest.fixture
def strict_emulator(strict_emulator_process: EmulatorProcess) -> EmulatorProcess:
    """The strict emulator, reset for this test."""
    strict_emulator_process.control.reset()
    return strict_emulator_process


@pytest.fixture
def make_strict_client(strict_emulator: EmulatorProcess, shared_clients: SharedClients) -> MakeClient:
    """Like ``make_client``, for the strict emulator; sends the tokens it accepts unless told otherwise."""

    def make(tokens: TokenSource | None = None, **settings: str) -> ServiceClient:
        accepted = {"developerToken": STRICT_DEVELOPER_TOKEN}
        if tokens is None:
            accepted["accessToken"] = STRICT_ACCESS_TOKEN
        return shared_clients.get(strict_emulator.url, tokens, accepted | settings)

    return make
