"""No credential appears anywhere it could leak: state, serialized provider, logs, errors, emulator data.

Distinct token values go in as secret stack config (as `pulumi config set --secret` stores them);
after a create, an update, a refresh, a failing call and debug logging, every place is searched.
"""

from __future__ import annotations

import json
import os
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_msads import AccountProvider, CustomerProvider
from pulumi_msads.emulator.process import EmulatorProcess

from ..harness import Engine, OperationError, ProviderServer, provider_blob, secret
from ..samples import ACCOUNT_TYPE, CUSTOMER_TYPE, account_inputs, customer_inputs, provider_config

DEVELOPER_TOKEN = "DEVTOKEN-7f3a9c1e55"
ACCESS_TOKEN = "ACCESSTOKEN-2b8d4e6f11"
TOKENS = (DEVELOPER_TOKEN, ACCESS_TOKEN)


@pytest.fixture(scope="module")
def locked_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """An emulator that accepts only these tokens, so every call below really carried them."""
    db = tmp_path_factory.mktemp("secrets") / "emulator.sqlite3"
    args = ["--developer-token", DEVELOPER_TOKEN, "--access-token", ACCESS_TOKEN, "--log-level", "DEBUG"]
    with EmulatorProcess(db, args) as process:
        yield process


@pytest.fixture(scope="module")
def server(locked_emulator: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderServer]:
    config = provider_config(locked_emulator.url)
    config["msads:developerToken"] = secret(DEVELOPER_TOKEN)
    config["msads:accessToken"] = secret(ACCESS_TOKEN)
    env = {**os.environ, "MSADS_LOG_LEVEL": "DEBUG"}
    with ProviderServer(config, log_dir=tmp_path_factory.mktemp("provider-logs"), env=env) as running:
        yield running


def assert_no_token(place: str, text: str) -> None:
    for token in TOKENS:
        assert token not in text, f"a token appears in {place}"


def test_no_token_in_state_blob_logs_errors_or_emulator_data(
    server: ProviderServer, locked_emulator: EmulatorProcess
) -> None:
    customers = Engine(server, CustomerProvider, CUSTOMER_TYPE)
    accounts = Engine(server, AccountProvider, ACCOUNT_TYPE)
    created = customers.up_create(customer_inputs())
    assert created.state is not None, "the calls carried the right tokens"
    updated = customers.up_update(created.state, customer_inputs(name="Contoso Outdoor 2"))
    assert updated.state is not None
    refreshed = customers.refresh(updated.state)
    account = accounts.up_create(account_inputs(created.state.id))
    locked_emulator.control.add_fault(operation="GetCustomer", code=0, count=10)
    with pytest.raises(OperationError) as failure:
        customers.refresh(updated.state)

    states = [s for s in (created.state, updated.state, refreshed.state, account.state) if s is not None]
    for state in states:
        assert_no_token("resource state", json.dumps([state.plain_inputs(), state.plain_outputs()], default=str))
    assert_no_token(
        "the serialized provider", repr(provider_blob(CustomerProvider)) + repr(provider_blob(AccountProvider))
    )
    assert "retry" in server.stderr(), "debug logging was on, so the search below covers retry logs"
    assert_no_token("the provider's output", server.stdout() + server.stderr())
    assert_no_token("an error message", failure.value.message)
    assert_no_token("the emulator's data", Path(locked_emulator.db).read_bytes().decode(errors="replace"))
    assert_no_token("the emulator's log", locked_emulator.log_text())


def test_wrong_token_fails_clearly_without_showing_either_token(
    locked_emulator: EmulatorProcess, tmp_path: Path
) -> None:
    config = provider_config(locked_emulator.url)
    config["msads:developerToken"] = secret(DEVELOPER_TOKEN)
    config["msads:accessToken"] = secret("WRONG-" + ACCESS_TOKEN[::-1])
    with ProviderServer(config, log_dir=tmp_path) as running:
        with pytest.raises(OperationError, match=r"105 InvalidCredentials") as failure:
            Engine(running, CustomerProvider, CUSTOMER_TYPE).up_create(customer_inputs())
        assert_no_token("the error", failure.value.message)
        assert "WRONG-" not in failure.value.message


@pytest.mark.parametrize("transport", ["rest", "soap"])
@pytest.mark.parametrize("environment", ["production", "sandbox"])
def test_tls_certificates_are_always_verified_against_microsoft(environment: str, transport: str) -> None:
    from pulumi_msads.client import ServiceClient
    from pulumi_msads.config import ProviderConfig

    config = ProviderConfig.from_sources(
        {
            "msads:environment": environment,
            "msads:developerToken": "d",
            "msads:accessToken": "a",
            "msads:transport": transport,
        },
        {},
    )
    sender: Any = ServiceClient(config).transport
    assert sender.url.startswith("https://")
    verify = sender.endpoint.verify
    assert verify is True or Path(verify).is_file(), "verification on, with the default or the configured CA bundle"
    context = sender.connections._context  # what every call's connection is wrapped with
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    if transport == "soap":
        sender._service()  # builds the zeep client from the bundled WSDL; nothing is sent
        assert sender._local.client.transport.session.verify == verify, "the WSDL's loads verify alike"
