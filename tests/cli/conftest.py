"""Fixtures for the tests that run the official Pulumi CLI: the CLI itself and an emulator of their own.

These tests never skip: without a `pulumi` on PATH, scripts/pulumi-cli builds the pinned one from
Pulumi's Go modules (once; about five minutes) and a failure to do so fails the tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import zeep

from pulumi_msads.emulator.process import EmulatorProcess

from ..conftest import Soap
from ..samples import TRANSPORTS
from .support import find_cli

DEVELOPER_TOKEN = "cli-test-developer-token-7Q2v"
ACCESS_TOKEN = "cli-test-access-token-Xk93"
"""The only credentials the CLI tests' emulator accepts, so a test proves they were sent, and can
then search everything the CLI printed or stored for them."""


@pytest.fixture(scope="session")
def pulumi_cli() -> Path:
    """The directory holding the `pulumi` under test, with its language host and launcher."""
    return find_cli()


EMULATOR_ARGS = ("--developer-token", DEVELOPER_TOKEN, "--access-token", ACCESS_TOKEN)


def stack_config(emulator: EmulatorProcess, transport: str = "rest") -> dict[str, str]:
    """Plain config of a test stack: the emulator over ``transport``, and retries that do not wait."""
    return {
        "msads:environment": "local",
        "msads:endpoint": emulator.url,
        "msads:transport": transport,
        "msads:retryBaseDelay": "0",
        "msads:throttleDelay": "0",
    }


def web_ui(url: str) -> Soap:
    """Somebody working in the web UI (any other client of the API), with the credentials the emulator takes."""
    return Soap(zeep.Client(url + "?wsdl"), {"DeveloperToken": DEVELOPER_TOKEN, "AuthenticationToken": ACCESS_TOKEN})


STACK_SECRETS = {"msads:developerToken": DEVELOPER_TOKEN, "msads:accessToken": ACCESS_TOKEN}


@pytest.fixture(scope="module", params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    """The wire the module's stacks speak: each CLI test that deploys a stack runs over REST and over SOAP,
    except those marked ``wire_independent``."""
    return str(request.param)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run ``wire_independent`` tests over the default transport only (deselected, and counted as such, over
    SOAP): they make no call, or only calls other tests already make over both wires, and each CLI command
    costs seconds of the suite's ten minutes."""
    dropped = [
        item
        for item in items
        if item.get_closest_marker("wire_independent")
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("transport", TRANSPORTS[0]) != TRANSPORTS[0]
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]
