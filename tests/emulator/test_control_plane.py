"""The ``/_emulator/`` control plane: health, reset, call counts, fault rules, latency, account status."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from pulumi_msads.emulator.process import EmulatorControl

from .conftest import Signup, Soap


def control_url(emulator: EmulatorControl, route: str) -> str:
    return f"{emulator.base_url}/_emulator/{route}"


def test_health_reports_ok_the_database_and_the_modelled_operations(emulator: EmulatorControl) -> None:
    health = emulator.health()
    assert health["status"] == "ok"
    assert health["db"].endswith("emulator.sqlite3")
    assert sorted(health["operations"]) == sorted(
        [
            "AddAccount",
            "DeleteAccount",
            "DeleteCustomer",
            "GetAccount",
            "GetAccountsInfo",
            "GetCurrentUser",
            "GetCustomer",
            "GetCustomersInfo",
            "GetUser",
            "SearchAccounts",
            "SearchCustomers",
            "SignupCustomer",
            "UpdateAccount",
            "UpdateCustomer",
        ]
    )


def test_reset_forgets_every_customer_but_the_aggregator(
    soap: Soap, emulator: EmulatorControl, signup: Signup, aggregator: int
) -> None:
    created = signup()
    emulator.reset()
    assert soap.GetCustomersInfo(CustomerNameFilter="", TopN=10).CustomersInfo.CustomerInfo[0].Id == aggregator
    assert len(soap.GetCustomersInfo(CustomerNameFilter="", TopN=10).CustomersInfo.CustomerInfo) == 1
    assert soap.GetUser(UserId=None).User.CustomerId == aggregator
    with pytest.raises(Exception, match="Invalid client data"):
        soap.GetAccount(AccountId=created.AccountId)


def test_reset_starts_the_ids_over(emulator: EmulatorControl, signup: Signup) -> None:
    first = signup()
    emulator.reset()
    assert signup().CustomerId == first.CustomerId


def test_reset_of_calls_only_keeps_the_data(soap: Soap, emulator: EmulatorControl, signup: Signup) -> None:
    created = signup()
    emulator.reset(data=False, calls=True, faults=False)
    assert emulator.calls() == {}
    assert soap.GetCustomer(CustomerId=created.CustomerId).Customer.Id == created.CustomerId


def test_reset_of_data_only_keeps_calls_and_faults(soap: Soap, emulator: EmulatorControl, signup: Signup) -> None:
    signup()
    emulator.add_fault(operation="GetCustomer", code=117)
    emulator.reset(data=True, calls=False, faults=False)
    assert emulator.calls()["SignupCustomer"] == 1
    assert len(emulator.faults()) == 1


def test_calls_are_counted_per_operation_since_the_reset(soap: Soap, emulator: EmulatorControl) -> None:
    for _ in range(3):
        soap.GetCurrentUser()
    soap.GetUser(UserId=None)
    assert emulator.calls() == {"GetCurrentUser": 3, "GetUser": 1}
    assert emulator.total_calls() == 4


def test_failed_calls_are_counted_too(soap: Soap, emulator: EmulatorControl) -> None:
    with pytest.raises(Exception, match="Invalid client data"):
        soap.GetCustomer(CustomerId=123456)
    assert emulator.calls() == {"GetCustomer": 1}


def test_requests_that_are_not_soap_are_not_counted(url: str, emulator: EmulatorControl) -> None:
    requests.post(url, data=b"not xml", timeout=10)
    assert emulator.total_calls() == 0


def test_fault_rules_are_listed_with_their_ids_and_cleared(emulator: EmulatorControl) -> None:
    first = emulator.add_fault(operation="GetUser", code=117, count=2)
    second = emulator.add_fault(http_status=503)
    assert first["id"] != second["id"]
    listed = emulator.faults()
    assert [(r["operation"], r["code"], r["count"], r["fired"]) for r in listed] == [
        ("GetUser", 117, 2, 0),
        (None, None, 1, 0),
    ]
    assert emulator.health()["faults"] == 2
    emulator.clear_faults()
    assert emulator.faults() == []


def test_a_fault_rule_goes_away_once_used_up(soap: Soap, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetUser", code=117, count=2)
    with pytest.raises(Exception, match="Invalid client data"):
        soap.GetUser(UserId=None)
    assert emulator.faults()[0]["fired"] == 1
    with pytest.raises(Exception, match="Invalid client data"):
        soap.GetUser(UserId=None)
    assert emulator.faults() == []
    assert soap.GetUser(UserId=None).User


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({}, "needs code, http_status, drop or a positive delay"),
        ({"code": 117, "http_status": 503}, "at most one of"),
        ({"code": 117, "drop": True}, "at most one of"),
        ({"code": "117"}, "code must be an integer"),
        ({"code": -1}, "code must be an error code"),
        ({"code": True}, "code must be an integer"),
        ({"http_status": 200}, "HTTP error status"),
        ({"http_status": 503.5}, "http_status must be an integer"),
        ({"drop": "yes"}, "drop must be true or false"),
        ({"delay": -1}, "delay must be between"),
        ({"delay": 10_000}, "delay must be between"),
        ({"delay": "slow"}, "delay must be a number"),
        ({"code": 117, "count": 0}, "count must be at least 1"),
        ({"code": 117, "skip": -1}, "skip must be 0 or more"),
        ({"code": 117, "phase": "during"}, "phase must be"),
        ({"code": 117, "operation": "GetCustomers"}, "not an operation"),
        ({"code": 117, "fired": 5}, "unknown fault rule field"),
        ({"code": 117, "id": 5}, "unknown fault rule field"),
    ],
)
def test_an_invalid_fault_rule_is_refused_with_400(
    emulator: EmulatorControl, rule: dict[str, Any], message: str
) -> None:
    response = requests.post(control_url(emulator, "faults"), json=rule, timeout=10)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert emulator.faults() == []


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]"])
def test_a_control_request_that_is_not_a_json_object_is_refused_with_400(
    emulator: EmulatorControl, body: bytes
) -> None:
    response = requests.post(control_url(emulator, "faults"), data=body, timeout=10)
    assert response.status_code == 400
    assert "error" in response.json()


def test_an_unknown_control_route_is_404(emulator: EmulatorControl) -> None:
    response = requests.get(control_url(emulator, "nothing-here"), timeout=10)
    assert response.status_code == 404
    assert "no control route" in response.json()["error"]


def test_latency_delays_every_call(soap: Soap, emulator: EmulatorControl) -> None:
    emulator.set_latency(0.3)
    started = time.monotonic()
    soap.GetCurrentUser()
    assert time.monotonic() - started >= 0.3


def test_calls_in_flight_at_once_are_counted_at_their_peak(soap: Soap, emulator: EmulatorControl) -> None:
    emulator.set_latency(0.5)
    with ThreadPoolExecutor(5) as pool:
        list(pool.map(lambda _: soap.GetCurrentUser(), range(5)))
    assert emulator.max_in_flight() == 5


def test_calls_one_after_another_are_one_in_flight_and_a_reset_forgets_the_peak(
    soap: Soap, emulator: EmulatorControl
) -> None:
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda _: soap.GetCurrentUser(), range(3)))
    emulator.reset_calls()
    assert emulator.max_in_flight() == 0
    soap.GetCurrentUser()
    soap.GetCurrentUser()
    assert emulator.max_in_flight() == 1


@pytest.mark.parametrize("seconds", [-1, 1000, "soon"])
def test_an_invalid_latency_is_refused_with_400(emulator: EmulatorControl, seconds: Any) -> None:
    response = requests.post(control_url(emulator, "latency"), json={"seconds": seconds}, timeout=10)
    assert response.status_code == 400


def test_the_latency_is_reported_by_health_and_removed_by_reset(emulator: EmulatorControl) -> None:
    emulator.set_latency(5)
    assert emulator.health()["latency"] == 5
    emulator.reset()
    assert emulator.health()["latency"] == 0


@pytest.mark.parametrize("status", ["Active", "Pause", "Suspended", "Inactive"])
def test_an_accounts_status_can_be_set(soap: Soap, emulator: EmulatorControl, signup: Signup, status: str) -> None:
    account_id = signup().AccountId
    stamp = soap.GetAccount(AccountId=account_id).Account.TimeStamp
    emulator.set_account_status(account_id, status)
    got = soap.GetAccount(AccountId=account_id).Account
    assert got.AccountLifeCycleStatus == status
    assert got.TimeStamp != stamp


def test_an_invalid_account_status_is_refused_with_400(emulator: EmulatorControl, signup: Signup) -> None:
    account_id = signup().AccountId
    response = requests.post(
        control_url(emulator, f"accounts/{account_id}/status"), json={"status": "Gone"}, timeout=10
    )
    assert response.status_code == 400
    assert "Draft" in response.json()["error"]


@pytest.mark.parametrize(("account", "status"), [("123456", 404), ("abc", 400)])
def test_the_status_of_an_unknown_account_cannot_be_set(emulator: EmulatorControl, account: str, status: int) -> None:
    response = requests.post(control_url(emulator, f"accounts/{account}/status"), json={"status": "Active"}, timeout=10)
    assert response.status_code == status
