"""The emulator as a developer's tool: its log, its data, chance faults, a rate limit, and browsers kept out.

moto's server and LocalStack are the bar: one readable log line per call, the stored data on a
control route, faults that strike by chance, and the service's throttling rehearsed offline.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess

from .conftest import Signup, Soap
from .support import account, fault_of


def base(url: str) -> str:
    """The emulator's root (scheme and address), where the REST paths and the control plane are."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def no_rate_limit(emulator: EmulatorControl) -> Iterator[EmulatorControl]:
    """The session emulator; a rate limit a test sets is lifted after it (a reset would, too)."""
    yield emulator
    emulator.set_rate_limit(None)


# -- the log ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def logging_emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(args=["--log-level", "debug"]) as process:
        yield process


def test_info_logs_one_line_per_call_with_operation_result_time_and_tracking_id(
    logging_emulator: EmulatorProcess,
) -> None:
    import zeep

    soap = Soap(zeep.Client(logging_emulator.url + "?wsdl"))
    soap.GetUser(UserId=None)
    fault_of(soap.GetCustomer, CustomerId=1)
    time.sleep(0.2)
    lines = [line for line in logging_emulator.log_text().splitlines() if " -> " in line and "INFO" in line]
    assert any(" soap GetUser -> ok " in line and " ms TrackingId=" in line for line in lines), lines
    assert any(" soap GetCustomer -> fault 210 " in line for line in lines), lines


def test_an_injected_fault_logs_its_error_code_and_an_injected_http_error_its_status(
    logging_emulator: EmulatorProcess,
) -> None:
    import zeep
    import zeep.exceptions

    soap = Soap(zeep.Client(logging_emulator.url + "?wsdl"))
    control = logging_emulator.control
    control.reset()
    coded = control.add_fault(operation="GetUser", code=117)
    fault_of(soap.GetUser, UserId=None)
    bare = control.add_fault(operation="GetUser", http_status=503)
    with pytest.raises(zeep.exceptions.TransportError):
        soap.GetUser(UserId=None)
    time.sleep(0.2)
    lines = [line for line in logging_emulator.log_text().splitlines() if " soap GetUser -> injected " in line]
    assert any(f"-> injected fault 117 (fault rule {coded['id']}) " in line for line in lines), lines
    assert any(f"-> injected HTTP 503 (fault rule {bare['id']}) " in line for line in lines), lines


def test_debug_shows_the_emulator_and_no_library_noise(logging_emulator: EmulatorProcess) -> None:
    log = logging_emulator.log_text()
    assert "DEBUG pulumi_msads" in log, "the emulator's own debug records"
    assert not [line for line in log.splitlines() if " DEBUG zeep" in line or " DEBUG waitress" in line]


def test_an_unknown_log_level_is_refused_naming_the_allowed_ones() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_msads.emulator", "--log-level", "loud"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "--log-level: invalid choice: 'LOUD'" in done.stderr and "'INFO'" in done.stderr


# -- the data --------------------------------------------------------------------------------------------


def test_the_data_route_shows_every_customer_account_and_user(emulator: EmulatorControl, signup: Signup) -> None:
    made = signup()
    data = emulator.data()
    assert {c["Id"] for c in data["customers"]} >= {made.CustomerId}
    assert [a["Name"] for a in data["accounts"] if a["Id"] == made.AccountId] == [account()["Name"]]
    assert data["users"][0]["UserName"] == "aggregator@emulator.local"


# -- faults by chance ------------------------------------------------------------------------------------


def test_a_fault_rule_with_a_probability_strikes_some_calls_and_spares_the_others(
    soap: Soap, emulator: EmulatorControl
) -> None:
    emulator.add_fault(operation="GetUser", code=117, probability=0.5, seed=7, count=1000)
    outcomes = []
    for _ in range(40):
        try:
            soap.GetUser(UserId=None)
            outcomes.append("ok")
        except Exception:
            outcomes.append("fault")
    assert 5 < outcomes.count("fault") < 35, outcomes
    assert emulator.faults()[0]["fired"] == outcomes.count("fault"), "spared calls do not use the rule up"


@pytest.mark.parametrize("probability", [0, 1.5, -0.1])
def test_a_probability_outside_0_to_1_is_refused(url: str, probability: float) -> None:
    response = requests.post(
        base(url) + "/_emulator/faults", json={"code": 117, "probability": probability}, timeout=10
    )
    assert response.status_code == 400
    assert response.json() == {"error": "probability must be above 0 and at most 1"}


# -- the rate limit ------------------------------------------------------------------------------------------


def test_calls_beyond_the_limit_in_the_window_are_answered_117_like_the_service(
    soap: Soap, no_rate_limit: EmulatorControl
) -> None:
    no_rate_limit.set_rate_limit(3, window_seconds=1.0)
    for _ in range(3):
        soap.GetUser(UserId=None)
    throttled = fault_of(soap.GetUser, UserId=None)
    assert (throttled.shape, throttled.code, throttled.errors[0].error_code) == (
        "AdApiFaultDetail",
        117,
        "CallRateExceeded",
    )
    time.sleep(1.05)  # the window slides past the first calls
    soap.GetUser(UserId=None)


def test_throttled_calls_do_not_use_up_the_allowance(soap: Soap, no_rate_limit: EmulatorControl) -> None:
    no_rate_limit.set_rate_limit(2, window_seconds=1.0)
    soap.GetUser(UserId=None)
    time.sleep(0.5)
    soap.GetUser(UserId=None)
    for _ in range(3):
        fault_of(soap.GetUser, UserId=None)
    time.sleep(0.6)  # the first call has left the window; the refused ones never entered it
    soap.GetUser(UserId=None)


def test_the_rest_face_is_throttled_by_the_same_limit(url: str, no_rate_limit: EmulatorControl) -> None:
    no_rate_limit.set_rate_limit(1, window_seconds=30)
    headers = {"DeveloperToken": "t", "Authorization": "Bearer t", "Content-Type": "application/json"}
    first = requests.post(
        base(url) + "/CustomerManagement/v13/User/Query", json={"UserId": None}, headers=headers, timeout=10
    )
    second = requests.post(
        base(url) + "/CustomerManagement/v13/User/Query", json={"UserId": None}, headers=headers, timeout=10
    )
    assert first.status_code == 200, first.text
    assert second.status_code != 200 and "117" in second.text, second.text


def test_a_reset_lifts_a_limit_set_through_the_control_plane(soap: Soap, emulator: EmulatorControl) -> None:
    emulator.set_rate_limit(1, window_seconds=60)
    emulator.reset()
    soap.GetUser(UserId=None)
    soap.GetUser(UserId=None)


def test_the_command_line_limit_holds_across_resets() -> None:
    import zeep

    with EmulatorProcess(args=["--calls-per-minute", "2"]) as process:
        soap = Soap(zeep.Client(process.url + "?wsdl"))
        soap.GetUser(UserId=None)
        soap.GetUser(UserId=None)
        assert fault_of(soap.GetUser, UserId=None).code == 117
        process.control.reset()
        assert process.control.set_rate_limit(2) == {"calls_per_minute": 2, "window_seconds": 60.0}


def test_a_limit_below_one_is_refused(url: str) -> None:
    response = requests.post(base(url) + "/_emulator/rate-limit", json={"calls_per_minute": 0}, timeout=10)
    assert response.status_code == 400 and "at least 1" in response.json()["error"]


# -- many clients ----------------------------------------------------------------------------------------


def test_five_hundred_idle_connections_do_not_keep_a_client_waiting(url: str, soap: Soap) -> None:
    address = urlsplit(url)
    idle = [socket.create_connection((address.hostname, address.port), timeout=5) for _ in range(500)]
    try:
        started = time.monotonic()
        soap.GetUser(UserId=None)
        assert time.monotonic() - started < 5, "served beside the idle sockets, not after they time out"
    finally:
        for connection in idle:
            connection.close()


# -- browsers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "attacker.example:8089"},
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
    ids=["dns-rebinding-host", "cross-origin", "null-origin", "cross-site-fetch"],
)
def test_requests_from_web_pages_are_refused(url: str, headers: dict[str, str]) -> None:
    response = requests.get(url + "?wsdl", headers=headers, timeout=10)
    assert response.status_code == 403
    assert "--allow-" in response.text, "says how to allow it"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_loopback_names_are_served(url: str, host: str) -> None:
    port = urlsplit(url).port
    assert requests.get(url + "?wsdl", headers={"Host": f"{host}:{port}"}, timeout=10).status_code == 200


def test_an_allowed_origin_is_served() -> None:
    with EmulatorProcess(args=["--allow-origin", "http://localhost:3000"]) as process:
        allowed = requests.get(process.url + "?wsdl", headers={"Origin": "http://localhost:3000"}, timeout=10)
        other = requests.get(process.url + "?wsdl", headers={"Origin": "http://localhost:4000"}, timeout=10)
    assert (allowed.status_code, other.status_code) == (200, 403)
