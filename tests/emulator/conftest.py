"""Fixtures of the emulator's suite, on top of the session emulator in ``tests/conftest.py``.

``emulator`` (the control plane, reset before each test), ``emulator_process`` and
``zeep_client`` come from the parent conftest. Here: ``soap`` (zeep calls returning response
bodies, faults annotated with their parsed detail), the caller's aggregator customer, a signup
helper, the official ``bingads`` SDK client, emulators started with flags, and a factory for
more emulator processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import zeep
import zeep.exceptions
from bingads.authorization import AuthorizationData, OAuthDesktopMobileImplicitGrant, OAuthTokens
from bingads.service_client import ServiceClient

from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess

from .support import HEADERS, account, customer, fault_from_zeep


class Soap:
    """Calls the emulator through zeep with valid headers; returns response bodies.

    Like the parent conftest's ``soap``, except that a fault carries its parsed detail as an
    exception note, so that a failing test shows the service's error codes and details.
    """

    def __init__(self, client: zeep.Client, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = dict(HEADERS if headers is None else headers)

    def __getattr__(self, operation: str) -> Callable[..., Any]:
        method = getattr(self.client.service, operation)

        def call(**kwargs: Any) -> Any:
            try:
                return method(**kwargs, _soapheaders=self.headers).body
            except zeep.exceptions.Fault as error:
                error.add_note(f"{operation} fault: {fault_from_zeep(error)}")
                raise

        return call


@pytest.fixture
def soap(zeep_client: zeep.Client, emulator: EmulatorControl) -> Soap:
    return Soap(zeep_client)


@pytest.fixture
def url(emulator_process: EmulatorProcess, emulator: EmulatorControl) -> str:
    """The service URL of the session emulator, reset for this test."""
    return emulator_process.url


@pytest.fixture
def aggregator(soap: Any) -> int:
    """Id of the signed-in user's own (aggregator) customer: the parent of every signup."""
    return int(soap.GetUser(UserId=None).User.CustomerId)


Signup = Callable[..., Any]


@pytest.fixture
def signup(soap: Any, aggregator: int) -> Signup:
    """``signup(customer_overrides={}, account_overrides={})``: SignupCustomer, returns the response."""

    def run(customer_overrides: dict[str, Any] | None = None, account_overrides: dict[str, Any] | None = None) -> Any:
        return soap.SignupCustomer(
            Customer=customer(**(customer_overrides or {})),
            Account=account(**(account_overrides or {})),
            ParentCustomerId=aggregator,
        )

    return run


Added = Callable[..., int]


@pytest.fixture
def added(soap: Any, signup: Signup) -> Added:
    """``added(**account_overrides)``: a second account, added with AddAccount to a new customer, so not
    billed by the aggregator's invoice (whose business address is read-only); returns its id."""

    def run(signup_overrides: dict[str, Any] | None = None, **overrides: Any) -> int:
        customer_id = signup(account_overrides=signup_overrides).CustomerId
        body = account(Name="Contoso second", ParentCustomerId=customer_id) | overrides
        return int(soap.AddAccount(Account=body).AccountId)

    return run


@pytest.fixture(scope="session")
def sdk_client(emulator_process: EmulatorProcess) -> ServiceClient:
    """Microsoft's own SOAP SDK (suds), sent to the emulator with the suds ``location`` option.

    The client is built from the WSDL bundled in the ``bingads`` package (as in production use);
    only the endpoint differs. Authentication is an OAuth access token, as the service requires.
    """
    tokens = OAuthTokens(access_token=HEADERS["AuthenticationToken"], access_token_expires_in_seconds=3600)
    authentication = OAuthDesktopMobileImplicitGrant(client_id="emulator-tests", oauth_tokens=tokens)
    authorization = AuthorizationData(developer_token=HEADERS["DeveloperToken"], authentication=authentication)
    return ServiceClient(
        "CustomerManagementService",
        version=13,
        authorization_data=authorization,
        environment="production",
        location=emulator_process.url,
    )


@pytest.fixture
def sdk(sdk_client: ServiceClient, emulator: EmulatorControl) -> ServiceClient:
    return sdk_client


STRICT_DEVELOPER_TOKEN, STRICT_ACCESS_TOKEN = "the-developer-token", "the-access-token"


@pytest.fixture(scope="session")
def strict_emulator_process() -> Iterator[EmulatorProcess]:
    """An emulator that accepts only one developer token and one access token."""
    args = ["--developer-token", STRICT_DEVELOPER_TOKEN, "--access-token", STRICT_ACCESS_TOKEN]
    with EmulatorProcess(":memory:", args=args) as process:
        yield process


@pytest.fixture(scope="session")
def deleting_emulator_process() -> Iterator[EmulatorProcess]:
    """An emulator started with ``--allow-customer-delete``."""
    with EmulatorProcess(":memory:", args=["--allow-customer-delete"]) as process:
        yield process


@pytest.fixture(scope="session")
def deleting_zeep_client(deleting_emulator_process: EmulatorProcess) -> zeep.Client:
    return zeep.Client(deleting_emulator_process.url + "?wsdl")


@pytest.fixture
def deleting_soap(deleting_emulator_process: EmulatorProcess, deleting_zeep_client: zeep.Client) -> Soap:
    """``soap`` for the emulator that lets DeleteCustomer succeed, reset for this test."""
    deleting_emulator_process.control.reset()
    return Soap(deleting_zeep_client)


StartEmulator = Callable[..., EmulatorProcess]


@pytest.fixture
def start_emulator(tmp_path: Path) -> Iterator[StartEmulator]:
    """``start_emulator(*args, db=...)``: a separate emulator process, stopped after the test."""
    started: list[EmulatorProcess] = []

    def start(*args: str, db: str | Path | None = None, port: int = 0) -> EmulatorProcess:
        process = EmulatorProcess(db if db is not None else tmp_path / "emulator.sqlite3", args=args, port=port)
        started.append(process.start())
        return process

    yield start
    for process in started:
        process.stop()
