"""ServiceClient against the emulator over HTTP: typed errors, retries, token refresh, logging, threads.

Faults are injected with the emulator's control plane; the emulator's call counts say how many
requests really reached it. Backoff waits are zero, or recorded instead of slept (``sleeps``).
"""

from __future__ import annotations

import logging
import socket
import threading
from typing import Any

import pytest
import zeep

from pulumi_msads import fields
from pulumi_msads.client import ServiceClient
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess
from pulumi_msads.errors import (
    ApiError,
    AuthenticationError,
    ErrorDetail,
    MsadsError,
    NotFoundError,
    ServiceError,
    ThrottledError,
    TimestampMismatchError,
    TransportError,
)

from .conftest import STRICT_ACCESS_TOKEN, STRICT_DEVELOPER_TOKEN, MakeClient
from .support import account, customer, local_config


class CountingTokens:
    """A TokenSource that hands out ``before`` until refreshed, then ``after``; counts refreshes."""

    def __init__(self, before: str = "token-before", after: str = "token-after", *, renewable: bool = True) -> None:
        self.before, self.after, self.renewable = before, after, renewable
        self.refreshes = 0

    def access_token(self) -> str:
        return self.after if self.refreshes else self.before

    def refresh(self) -> bool:
        self.refreshes += 1
        return self.renewable


def aggregator_id(client: ServiceClient) -> str:
    return str(client.current_user()["User"]["CustomerId"])


def raised_by(call: Any, *args: Any) -> MsadsError:
    with pytest.raises(MsadsError) as raised:
        call(*args)
    return raised.value


def signup_body(client: ServiceClient) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Valid SignupCustomer arguments, from the same inputs a Customer resource would declare."""
    inputs = customer()
    return (
        fields.to_api(fields.customer_fields(), inputs),
        fields.to_api(fields.account_fields(), inputs["account"]),
        aggregator_id(client),
    )


def new_account_body(customer_id: str) -> dict[str, Any]:
    return {**fields.to_api(fields.account_fields(), account(name="Second account")), "ParentCustomerId": customer_id}


# Faults after which the same call may work: (emulator fault rule, error the client raises when they persist).
TRANSIENT_FAULTS = [
    ({"code": 117}, ThrottledError),
    ({"code": 0}, ServiceError),
    ({"code": 2208}, ServiceError),
    ({"http_status": 500}, TransportError),
    ({"http_status": 502}, TransportError),
    ({"http_status": 503}, TransportError),
    ({"http_status": 504}, TransportError),
    ({"http_status": 429}, TransportError),
    ({"drop": True}, TransportError),
]
TRANSIENT_IDS = ["-".join(f"{k}={v}" for k, v in rule.items()) for rule, _ in TRANSIENT_FAULTS]
PERMANENT_FAULTS = [{"code": 105}, {"code": 106}, {"code": 201}, {"code": 210}, {"http_status": 400}]
PERMANENT_IDS = ["-".join(f"{k}={v}" for k, v in rule.items()) for rule in PERMANENT_FAULTS]


# -- typed errors --------------------------------------------------------------------------------------------


def test_an_unknown_customer_is_not_found(make_client: MakeClient) -> None:
    error = raised_by(make_client().get_customer, "999")
    assert isinstance(error, NotFoundError)
    assert (error.operation, error.code) == ("GetCustomer", 210)


def test_an_unknown_account_is_not_found(make_client: MakeClient) -> None:
    error = raised_by(make_client().get_account, "999")
    assert isinstance(error, NotFoundError)
    assert (error.operation, error.code) == ("GetAccount", 2108)


def test_a_not_found_error_keeps_the_services_details(make_client: MakeClient) -> None:
    error = raised_by(make_client().get_customer, "999")
    assert isinstance(error, ApiError)
    assert error.errors == (
        ErrorDetail(210, "EntityNotExistent", "The entity does not exist.", "Customer 999 does not exist."),
    )


def test_a_stale_time_stamp_is_a_timestamp_mismatch_carrying_the_services_tracking_id(
    strict_emulator: EmulatorProcess, make_strict_client: MakeClient
) -> None:
    client = make_strict_client()
    stale = client.get_customer(aggregator_id(client))
    client.update_customer(stale)
    error = raised_by(client.update_customer, stale)
    assert isinstance(error, TimestampMismatchError)
    assert error.code == 209
    assert error.tracking_id is not None
    assert f"[TrackingId: {error.tracking_id}]" in str(error)
    assert "soap UpdateCustomer -> fault 209 " in strict_emulator.log_text()
    assert f"TrackingId={error.tracking_id}" in strict_emulator.log_text(), "the same TrackingId as the client"


def test_every_error_of_a_fault_is_kept_with_code_name_message_and_details(make_client: MakeClient) -> None:
    client = make_client()
    invalid = {**client.get_customer(aggregator_id(client)), "Name": "", "CustomerAddress": {"Line2": "x" * 36}}
    error = raised_by(client.update_customer, invalid)
    assert isinstance(error, ApiError)
    assert error.errors == (
        ErrorDetail(
            201,
            "ApiInputValidationError",
            "One or more input elements failed validation.",
            "Customer.Name is required.",
        ),
        ErrorDetail(
            1140,
            "BusinessAddressInvalid",
            "The business address of this account is not valid.",
            "Customer.CustomerAddress.Line2 is 36 characters; at most 35 are allowed.",
        ),
    )


def test_an_error_message_names_the_operation_each_error_and_the_tracking_id(make_client: MakeClient) -> None:
    error = raised_by(make_client().get_account, "999")
    assert isinstance(error, ApiError)
    assert str(error) == (
        "GetAccount failed: 2108 InvalidAccountId: The account identifier is invalid. (Account 999 does not exist.) "
        f"[TrackingId: {error.tracking_id}]"
    )


def test_an_authentication_fault_keeps_its_symbolic_name_and_details(
    make_client: MakeClient, emulator: EmulatorControl
) -> None:
    emulator.add_fault(operation="GetUser", code=105)
    error = raised_by(make_client().current_user)
    assert isinstance(error, AuthenticationError)
    assert error.errors[0].error_code == "InvalidCredentials"
    assert error.errors[0].details is not None
    assert error.errors[0].details.startswith("Injected by emulator fault rule")


@pytest.mark.parametrize(
    ("developer_token", "access_token"),
    [(STRICT_DEVELOPER_TOKEN, "some-other-token"), ("some-other-token", STRICT_ACCESS_TOKEN)],
    ids=["access-token", "developer-token"],
)
def test_a_token_the_service_does_not_accept_is_an_authentication_error_and_is_not_retried(
    strict_emulator: EmulatorProcess, make_strict_client: MakeClient, developer_token: str, access_token: str
) -> None:
    client = make_strict_client(developerToken=developer_token, accessToken=access_token)
    error = raised_by(client.current_user)
    assert isinstance(error, AuthenticationError)
    assert (error.code, error.errors[0].error_code) == (105, "InvalidCredentials")
    assert strict_emulator.control.calls() == {"GetUser": 1}


def test_the_configured_tokens_are_sent_in_the_soap_headers(make_strict_client: MakeClient) -> None:
    assert make_strict_client().current_user()["User"]["CustomerId"] > 0


# -- retries -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fault", "_error"), TRANSIENT_FAULTS, ids=TRANSIENT_IDS)
def test_a_transient_failure_is_retried_until_the_call_succeeds(
    make_client: MakeClient, emulator: EmulatorControl, fault: dict[str, Any], _error: type[MsadsError]
) -> None:
    client = make_client(maxRetries="3")
    customer_id = aggregator_id(client)
    emulator.reset_calls()
    emulator.add_fault(operation="GetCustomer", count=2, **fault)
    assert client.get_customer(customer_id)["Id"] == int(customer_id)
    assert emulator.calls() == {"GetCustomer": 3}


@pytest.mark.parametrize(("fault", "error"), TRANSIENT_FAULTS, ids=TRANSIENT_IDS)
def test_a_persisting_transient_failure_is_raised_after_max_retries(
    make_client: MakeClient, emulator: EmulatorControl, fault: dict[str, Any], error: type[MsadsError]
) -> None:
    client = make_client(maxRetries="2")
    emulator.add_fault(operation="GetUser", count=10, **fault)
    assert isinstance(raised_by(client.current_user), error)
    assert emulator.calls() == {"GetUser": 3}


def test_no_retry_happens_with_max_retries_zero(make_client: MakeClient, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetUser", count=5, code=0)
    assert isinstance(raised_by(make_client(maxRetries="0").current_user), ServiceError)
    assert emulator.calls() == {"GetUser": 1}


@pytest.mark.parametrize("fault", PERMANENT_FAULTS, ids=PERMANENT_IDS)
def test_a_failure_that_would_repeat_is_not_retried(
    make_client: MakeClient, emulator: EmulatorControl, fault: dict[str, Any]
) -> None:
    emulator.add_fault(operation="GetUser", count=5, **fault)
    raised_by(make_client(maxRetries="3").current_user)
    assert emulator.calls() == {"GetUser": 1}


def test_a_validation_error_from_the_service_is_not_retried(make_client: MakeClient, emulator: EmulatorControl) -> None:
    client = make_client(maxRetries="3")
    invalid = {**client.get_customer(aggregator_id(client)), "Name": ""}
    emulator.reset_calls()
    error = raised_by(client.update_customer, invalid)
    assert isinstance(error, ApiError)
    assert error.code == 201
    assert emulator.calls() == {"UpdateCustomer": 1}


def test_a_refused_connection_is_not_ambiguous(sleeps: list[float]) -> None:
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = ServiceClient(local_config(f"http://127.0.0.1:{port}/svc", maxRetries="2"))
    error = raised_by(client.current_user)
    assert isinstance(error, TransportError)
    assert error.ambiguous is False
    assert len(sleeps) == 2


def test_no_answer_within_the_timeout_is_an_ambiguous_transport_error(
    make_client: MakeClient, emulator: EmulatorControl
) -> None:
    emulator.add_fault(operation="GetUser", delay=3)
    error = raised_by(make_client(timeout="1", maxRetries="0").current_user)
    assert isinstance(error, TransportError)
    assert error.ambiguous is True


# -- operations that create something ------------------------------------------------------------------------


@pytest.mark.parametrize(("fault", "error"), TRANSIENT_FAULTS, ids=TRANSIENT_IDS)
def test_signup_customer_is_sent_once_whatever_the_failure(
    make_client: MakeClient, emulator: EmulatorControl, fault: dict[str, Any], error: type[MsadsError]
) -> None:
    client = make_client(maxRetries="3")
    arguments = signup_body(client)
    emulator.add_fault(operation="SignupCustomer", count=5, **fault)
    assert isinstance(raised_by(client.signup_customer, *arguments), error)
    assert emulator.calls()["SignupCustomer"] == 1


@pytest.mark.parametrize(("fault", "error"), TRANSIENT_FAULTS, ids=TRANSIENT_IDS)
def test_add_account_is_sent_once_whatever_the_failure(
    make_client: MakeClient, emulator: EmulatorControl, fault: dict[str, Any], error: type[MsadsError]
) -> None:
    client = make_client(maxRetries="3")
    emulator.add_fault(operation="AddAccount", count=5, **fault)
    assert isinstance(raised_by(client.add_account, new_account_body(aggregator_id(client))), error)
    assert emulator.calls()["AddAccount"] == 1


@pytest.mark.parametrize("operation", ["SignupCustomer", "AddAccount"])
def test_a_create_whose_connection_dropped_is_ambiguous(
    make_client: MakeClient, emulator: EmulatorControl, operation: str
) -> None:
    client = make_client()
    create = {
        "SignupCustomer": lambda: client.signup_customer(*signup_body(client)),
        "AddAccount": lambda: client.add_account(new_account_body(aggregator_id(client))),
    }[operation]
    emulator.add_fault(operation=operation, drop=True)
    error = raised_by(create)
    assert isinstance(error, TransportError)
    assert error.ambiguous is True


def test_a_signup_that_works_returns_the_new_ids(make_client: MakeClient) -> None:
    client = make_client()
    created = client.signup_customer(*signup_body(client))
    assert client.get_account(str(created["AccountId"]))["ParentCustomerId"] == created["CustomerId"]


# -- expired tokens ------------------------------------------------------------------------------------------


def test_an_expired_token_is_refreshed_once_and_the_call_repeated(
    make_client: MakeClient, emulator: EmulatorControl
) -> None:
    tokens = CountingTokens()
    emulator.add_fault(operation="GetUser", code=109)
    make_client(tokens=tokens).current_user()
    assert tokens.refreshes == 1
    assert emulator.calls() == {"GetUser": 2}


def test_a_second_expired_token_is_raised(make_client: MakeClient, emulator: EmulatorControl) -> None:
    tokens = CountingTokens()
    emulator.add_fault(operation="GetUser", code=109, count=2)
    error = raised_by(make_client(tokens=tokens, maxRetries="3").current_user)
    assert isinstance(error, AuthenticationError)
    assert error.code == 109
    assert tokens.refreshes == 1
    assert emulator.calls() == {"GetUser": 2}


def test_an_expired_token_that_cannot_be_renewed_is_raised_at_once(
    make_client: MakeClient, emulator: EmulatorControl
) -> None:
    tokens = CountingTokens(renewable=False)
    emulator.add_fault(operation="GetUser", code=109)
    assert isinstance(raised_by(make_client(tokens=tokens).current_user), AuthenticationError)
    assert emulator.calls() == {"GetUser": 1}


def test_the_repeated_call_sends_the_refreshed_token(
    strict_emulator: EmulatorProcess, make_strict_client: MakeClient
) -> None:
    tokens = CountingTokens(before="expired-token", after=STRICT_ACCESS_TOKEN)
    client = make_strict_client(tokens=tokens)
    strict_emulator.control.add_fault(operation="GetUser", code=109)
    assert client.current_user()["User"]["CustomerId"] > 0


def test_a_create_is_repeated_after_an_expired_token(make_client: MakeClient, emulator: EmulatorControl) -> None:
    tokens = CountingTokens()
    client = make_client(tokens=tokens)
    arguments = signup_body(client)
    emulator.add_fault(operation="SignupCustomer", code=109)
    assert client.signup_customer(*arguments)["CustomerId"] > 0
    assert emulator.calls()["SignupCustomer"] == 2


# -- backoff -------------------------------------------------------------------------------------------------


def test_a_throttled_call_waits_the_throttle_delay_before_each_retry(
    make_client: MakeClient, emulator: EmulatorControl, sleeps: list[float]
) -> None:
    emulator.add_fault(operation="GetUser", code=117, count=2)
    make_client(throttleDelay="2", retryMaxDelay="2", retryBudget="100").current_user()
    assert sleeps == [2.0, 2.0]


def test_the_retry_budget_bounds_the_total_wait(
    make_client: MakeClient, emulator: EmulatorControl, sleeps: list[float]
) -> None:
    emulator.add_fault(operation="GetUser", code=117, count=20)
    client = make_client(maxRetries="10", throttleDelay="4", retryMaxDelay="4", retryBudget="10")
    assert isinstance(raised_by(client.current_user), ThrottledError)
    assert sleeps == [4.0, 4.0]
    assert emulator.calls() == {"GetUser": 3}


# -- logging -------------------------------------------------------------------------------------------------

DEVELOPER_TOKEN = "dev-token-a81f3c"
ACCESS_TOKEN = "access-token-62d9be"


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def test_each_retry_is_logged_with_the_operation_the_code_and_the_attempt(
    make_client: MakeClient, emulator: EmulatorControl, debug_logs: pytest.LogCaptureFixture
) -> None:
    emulator.add_fault(operation="GetUser", code=117, count=2)
    make_client(maxRetries="3").current_user()
    lines = [r.getMessage() for r in debug_logs.records if r.name == "pulumi_msads.client"]
    assert len(lines) == 2
    for attempt, line in enumerate(lines, start=1):
        assert line.startswith("GetUser: code 117 [TrackingId ")
        assert f"retry {attempt} of 3" in line


def test_a_token_refresh_is_logged(
    make_client: MakeClient, emulator: EmulatorControl, debug_logs: pytest.LogCaptureFixture
) -> None:
    emulator.add_fault(operation="GetUser", code=109)
    make_client(tokens=CountingTokens()).current_user()
    lines = [r.getMessage() for r in debug_logs.records if r.name == "pulumi_msads.client"]
    assert lines == ["GetUser: access token expired (109); refreshed it, calling again"]


def test_no_log_line_of_any_library_contains_a_token(
    make_client: MakeClient, emulator: EmulatorControl, debug_logs: pytest.LogCaptureFixture
) -> None:
    client = make_client(developerToken=DEVELOPER_TOKEN, accessToken=ACCESS_TOKEN, maxRetries="3")
    emulator.add_fault(operation="GetUser", code=117)
    emulator.add_fault(operation="GetUser", drop=True)
    emulator.add_fault(operation="GetUser", http_status=503)
    client.current_user()
    emulator.add_fault(operation="GetCustomer", code=201)
    raised_by(client.get_customer, "1")
    text = "\n".join(f"{r.name} {r.getMessage()}" for r in debug_logs.records)
    assert "GetUser" in text
    assert DEVELOPER_TOKEN not in text
    assert ACCESS_TOKEN not in text


def test_soap_envelopes_are_still_logged_for_debugging(
    make_client: MakeClient, debug_logs: pytest.LogCaptureFixture
) -> None:
    make_client(developerToken=DEVELOPER_TOKEN, accessToken=ACCESS_TOKEN).current_user()
    text = "\n".join(r.getMessage() for r in debug_logs.records)
    assert "GetUserRequest" in text
    assert "DeveloperToken" in text


# -- threads -------------------------------------------------------------------------------------------------


def test_each_thread_builds_its_own_zeep_client_once(
    emulator_process: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    built_in: list[str] = []

    class RecordingClient(zeep.Client):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built_in.append(threading.current_thread().name)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(zeep, "Client", RecordingClient)
    client = ServiceClient(local_config(emulator_process.url))

    def twice() -> None:
        client.current_user()
        client.current_user()

    threads = [threading.Thread(target=twice, name=f"worker-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(built_in) == ["worker-0", "worker-1"]


def test_no_zeep_client_is_built_before_the_first_call(
    emulator_process: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[object] = []
    monkeypatch.setattr(zeep, "Client", lambda *args, **kwargs: built.append(args))
    ServiceClient(local_config(emulator_process.url))
    assert built == []
