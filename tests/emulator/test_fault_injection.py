"""Fault rules: the emulator misbehaves on purpose, before or after committing the change."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
import zeep.exceptions

from pulumi_msads.emulator.process import EmulatorControl

from .conftest import Signup, Soap
from .support import account, customer, envelope, fault_of, post

ACTIONS: dict[str, tuple[dict[str, Any], type[Exception]]] = {
    "soap-fault": ({"code": 0}, zeep.exceptions.Fault),
    "http-503": ({"http_status": 503}, zeep.exceptions.TransportError),
    "dropped-connection": ({"drop": True}, requests.exceptions.ConnectionError),
}


def customer_count(soap: Soap) -> int:
    return len(soap.GetCustomersInfo(CustomerNameFilter="", TopN=100).CustomersInfo.CustomerInfo)


@pytest.mark.parametrize("phase", ["before", "after"])
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_an_injected_failure_commits_the_change_only_in_the_after_phase(
    soap: Soap, emulator: EmulatorControl, aggregator: int, action: str, phase: str
) -> None:
    rule, raised = ACTIONS[action]
    emulator.add_fault(operation="SignupCustomer", phase=phase, **rule)
    with pytest.raises(raised):
        soap.SignupCustomer(Customer=customer(), Account=account(), ParentCustomerId=aggregator)
    assert customer_count(soap) == (2 if phase == "after" else 1)


def test_an_injected_soap_fault_has_the_shape_of_its_code(soap: Soap, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetCurrentUser", code=117)
    fault = fault_of(soap.GetCurrentUser)
    assert (fault.shape, fault.code, fault.errors[0].error_code) == ("AdApiFaultDetail", 117, "CallRateExceeded")
    assert "Injected" in (fault.errors[0].details or "")


def test_an_injected_http_status_comes_without_a_soap_envelope(url: str, emulator: EmulatorControl) -> None:
    emulator.add_fault(http_status=503)
    response = post(url, envelope("<v13:GetCurrentUserRequest/>"))
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("text/plain")


def test_requests_that_are_not_soap_do_not_use_up_a_rule(url: str, emulator: EmulatorControl) -> None:
    emulator.add_fault(http_status=503)
    assert post(url, b"not xml").status_code == 500
    assert emulator.faults()[0]["fired"] == 0


def test_an_update_failing_after_commit_leaves_the_new_values(
    soap: Soap, emulator: EmulatorControl, signup: Signup
) -> None:
    customer_id = signup().CustomerId
    before = soap.GetCustomer(CustomerId=customer_id).Customer
    emulator.add_fault(operation="UpdateCustomer", code=0, phase="after")
    before.Name = "Renamed"
    with pytest.raises(zeep.exceptions.Fault):
        soap.UpdateCustomer(Customer=before)
    after = soap.GetCustomer(CustomerId=customer_id).Customer
    assert (after.Name, after.TimeStamp != before.TimeStamp) == ("Renamed", True)


def test_a_rule_for_one_operation_leaves_the_others_alone(soap: Soap, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetCustomer", code=117)
    assert soap.GetUser(UserId=None).User
    assert emulator.faults()[0]["fired"] == 0


def test_a_rule_without_an_operation_applies_to_any(soap: Soap, emulator: EmulatorControl) -> None:
    emulator.add_fault(code=117, count=2)
    assert fault_of(soap.GetUser, UserId=None).code == 117
    assert fault_of(soap.GetCurrentUser).code == 117
    assert soap.GetCurrentUser().User


def test_a_rule_applies_to_the_next_count_matching_calls(soap: Soap, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetCurrentUser", code=117, count=3)
    assert [fault_of(soap.GetCurrentUser).code for _ in range(3)] == [117, 117, 117]
    assert soap.GetCurrentUser().User


def test_a_rule_with_skip_lets_that_many_matching_calls_through_first(soap: Soap, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetCurrentUser", code=117, count=2, skip=1)
    soap.GetUser(UserId=None)  # another operation: neither skipped nor failed
    assert soap.GetCurrentUser().User
    assert [fault_of(soap.GetCurrentUser).code for _ in range(2)] == [117, 117]
    assert soap.GetCurrentUser().User


def test_rules_apply_in_the_order_they_were_added(soap: Soap, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetCurrentUser", code=117)
    emulator.add_fault(operation="GetCurrentUser", code=0)
    assert [fault_of(soap.GetCurrentUser).code for _ in range(2)] == [117, 0]


def test_a_delay_alone_slows_the_call_down_and_lets_it_succeed(soap: Soap, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetCurrentUser", delay=0.3)
    started = time.monotonic()
    assert soap.GetCurrentUser().User
    assert time.monotonic() - started >= 0.3


def test_a_delay_can_come_before_a_fault(soap: Soap, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetCurrentUser", delay=0.2, code=117)
    started = time.monotonic()
    assert fault_of(soap.GetCurrentUser).code == 117
    assert time.monotonic() - started >= 0.2


def test_a_delay_longer_than_the_client_timeout_is_a_client_timeout(url: str, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetCurrentUser", delay=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(url, envelope("<v13:GetCurrentUserRequest/>"), timeout=0.2)


def test_a_request_still_waiting_when_the_emulator_is_reset_is_dropped_not_carried_out(
    soap: Soap, emulator: EmulatorControl, zeep_client: Any
) -> None:
    """A slow call of one test must not write into the data the next test starts from."""
    import threading

    emulator.add_fault(operation="GetCurrentUser", delay=0.6)
    outcome: list[BaseException | None] = []

    def slow_call() -> None:
        try:
            soap.GetCurrentUser()
            outcome.append(None)
        except Exception as error:
            outcome.append(error)

    caller = threading.Thread(target=slow_call)
    caller.start()
    time.sleep(0.2)
    emulator.reset()
    caller.join()
    assert isinstance(outcome[0], Exception), "the waiting call got no answer"
    assert soap.GetCurrentUser().User, "the emulator serves the next call as usual"
