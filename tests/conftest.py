"""Fixtures shared by every test: a real emulator process, reset between tests, and SOAP clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import zeep

from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess

HEADERS = {"DeveloperToken": "test-developer-token", "AuthenticationToken": "test-access-token"}


@pytest.fixture(scope="session")
def emulator_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """One emulator for the whole session, on a free port, with its data in a temporary file."""
    db: Path = tmp_path_factory.mktemp("emulator") / "emulator.sqlite3"
    with EmulatorProcess(db) as process:
        yield process


@pytest.fixture
def emulator(emulator_process: EmulatorProcess) -> EmulatorControl:
    """The session's emulator, emptied (data, call counts, fault rules) before the test."""
    emulator_process.control.reset()
    return emulator_process.control


@pytest.fixture(scope="session")
def zeep_client(emulator_process: EmulatorProcess) -> zeep.Client:
    """A plain zeep client built from the emulator's own ?wsdl, as any SOAP user would."""
    return zeep.Client(emulator_process.url + "?wsdl")


@pytest.fixture
def soap(zeep_client: zeep.Client, emulator: EmulatorControl) -> Soap:
    return Soap(zeep_client)


class Soap:
    """Calls the emulator through zeep with valid headers and returns the response body."""

    def __init__(self, client: zeep.Client, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = dict(HEADERS if headers is None else headers)

    def __getattr__(self, operation: str):  # type: ignore[no-untyped-def]
        method = getattr(self.client.service, operation)

        def call(**kwargs):  # type: ignore[no-untyped-def]
            return method(**kwargs, _soapheaders=self.headers).body

        return call
