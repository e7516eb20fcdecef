"""Fixtures of the provider's tests: ServiceClients for the session emulator, a strict emulator, recorded sleeps.

``emulator_process`` and ``emulator`` (reset before each test) come from ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from pulumi_msads import client as client_module
from pulumi_msads.auth import TokenSource, token_source
from pulumi_msads.client import ServiceClient
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess

from .support import local_config

STRICT_DEVELOPER_TOKEN = "strict-dev-token-51c2"
STRICT_ACCESS_TOKEN = "strict-access-token-9e07"

MakeClient = Callable[..., ServiceClient]


@pytest.fixture(scope="session")
def _clients() -> dict[tuple[str, ...], ServiceClient]:
    return {}


@pytest.fixture
def make_client(
    emulator_process: EmulatorProcess, emulator: EmulatorControl, _clients: dict[tuple[str, ...], ServiceClient]
) -> MakeClient:
    """``make_client(tokens=None, **settings)``: a ServiceClient of the (reset) session emulator.

    Settings are config keys without the ``msads:`` prefix (``maxRetries="2"``); backoff waits are
    zero unless a test sets them. Clients are shared by the tests that use the same settings, each
    time with the given token source (else the configured one) and an empty cache, because building
    zeep's client from the WSDL takes a quarter of a second: tests about building it make their own.
    """

    def make(tokens: TokenSource | None = None, **settings: str) -> ServiceClient:
        key = (emulator_process.url, *(f"{name}={value}" for name, value in sorted(settings.items())))
        if key not in _clients:
            _clients[key] = ServiceClient(local_config(emulator_process.url, **settings))
        client = _clients[key]
        client.tokens = tokens or token_source(client.config)
        client.cache.clear()
        return client

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
    strict_emulator_process.control.reset()
    return strict_emulator_process
