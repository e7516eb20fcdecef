"""Client-side pacing (``msads:maxCallsPerMinute``): the sliding-window limiter, its setting, and the client using it.

The limiter's own tests run on a fake clock; the end-to-end ones run against the emulator's real sliding-window
limit (``POST /_emulator/rate-limit``) over HTTP, on a two-second window so that they take seconds, not minutes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from pulumi_msads.client import ServiceClient, outcome
from pulumi_msads.config import DEFAULT_MAX_CALLS_PER_MINUTE, KEYS
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess
from pulumi_msads.errors import ConfigurationError, MsadsError, ThrottledError
from pulumi_msads.pacing import Pacer

from .support import config_of, local_config

CREDENTIALS = {"msads:developerToken": "dev-token-7c1e", "msads:accessToken": "access-token-0b94"}
KEY, VARIABLE = KEYS["max_calls_per_minute"]


class FakeTime:
    """A clock that only ``sleep`` (or a test) moves; every sleep asked for is recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def fake_pacer(calls: int, window: float = 10.0) -> tuple[Pacer, FakeTime]:
    fake = FakeTime()
    return Pacer(calls, window, clock=fake.clock, sleep=fake.sleep), fake


def call_once(pacer: Pacer) -> float:
    with pacer.turn() as waited:
        return waited


# -- the limiter ---------------------------------------------------------------------------------------------


def test_n_calls_in_a_window_pass_without_waiting() -> None:
    pacer, fake = fake_pacer(3)
    for _ in range(3):
        assert call_once(pacer) == 0.0
        fake.advance(1.0)
    assert fake.sleeps == []


def test_the_next_call_waits_exactly_until_the_oldest_leaves_the_window() -> None:
    pacer, fake = fake_pacer(3, window=10.0)
    for _ in range(3):  # answered at 0, 1 and 2
        call_once(pacer)
        fake.advance(1.0)
    assert call_once(pacer) == 7.0  # at 3; the call answered at 0 leaves the window at 10
    assert fake.sleeps == [7.0]
    assert fake.now == 10.0
    assert call_once(pacer) == 1.0  # the next leaves at 11
    assert fake.sleeps == [7.0, 1.0]


def test_a_call_keeps_its_place_until_a_window_after_its_answer() -> None:
    """The service counts a call when it arrives, somewhere in its round trip: the window runs from the answer."""
    pacer, fake = fake_pacer(1, window=10.0)
    with pacer.turn():
        fake.advance(4.0)  # a slow round trip, answered at 4
    assert call_once(pacer) == 10.0
    assert fake.now == 14.0


def test_calls_outside_the_window_no_longer_count() -> None:
    pacer, fake = fake_pacer(2, window=10.0)
    call_once(pacer)
    call_once(pacer)
    fake.advance(10.0)
    assert call_once(pacer) == 0.0
    assert call_once(pacer) == 0.0
    assert fake.sleeps == []


def test_when_every_place_is_held_by_a_call_in_flight_the_next_waits_for_an_answer() -> None:
    pacer, fake = fake_pacer(1, window=10.0)
    pacer.acquire()
    waited: list[float] = []
    second = threading.Thread(target=lambda: waited.append(call_once(pacer)))
    second.start()
    second.join(0.2)
    assert second.is_alive() and not fake.sleeps  # blocked, not sleeping: no answer to count from yet
    fake.advance(5.0)
    pacer.release()  # answered at 5: the next may go at 15
    second.join(5)
    assert not second.is_alive()
    assert fake.sleeps == [10.0]
    assert waited == [15.0]


def test_threads_sharing_a_pacer_never_exceed_it_in_any_window() -> None:
    pacer, fake = fake_pacer(5, window=10.0)
    starts: list[float] = []
    lock = threading.Lock()

    def work(_: int) -> None:
        with pacer.turn():
            with lock:
                starts.append(fake.clock())
            time.sleep(0.001)  # let other threads run while this call is in flight
            fake.advance(0.25)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(40)))
    assert len(starts) == 40
    starts.sort()
    for index, start in enumerate(starts):
        assert sum(1 for other in starts[: index + 1] if other > start - pacer.window) <= pacer.calls
    assert fake.now >= 7 * pacer.window  # 40 calls at 5 a window: the last ones started in the eighth window


@pytest.mark.parametrize(("calls", "window"), [(0, 60.0), (-1, 60.0), (1, 0.0)])
def test_a_pacer_without_room_or_window_is_refused(calls: int, window: float) -> None:
    with pytest.raises(ValueError):
        Pacer(calls, window)


# -- the setting ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("environment", ["production", "sandbox"])
def test_the_service_environments_are_paced_by_default(environment: str) -> None:
    loaded = config_of({**CREDENTIALS, "msads:environment": environment})
    assert loaded.max_calls_per_minute == DEFAULT_MAX_CALLS_PER_MINUTE == 100
    pacer = ServiceClient(loaded, transport=object()).pacer  # type: ignore[arg-type]
    assert pacer is not None
    assert (pacer.calls, pacer.window) == (100, 60.0)


def test_the_emulator_is_not_paced_unless_asked() -> None:
    assert config_of({"msads:environment": "local"}).max_calls_per_minute is None
    assert config_of({"msads:environment": "local", KEY: "30"}).max_calls_per_minute == 30


def test_the_setting_is_read_from_the_config_key_then_the_environment() -> None:
    assert config_of({**CREDENTIALS, KEY: "250"}, {VARIABLE: "40"}).max_calls_per_minute == 250
    assert config_of(CREDENTIALS, {VARIABLE: "40"}).max_calls_per_minute == 40
    assert config_of({**CREDENTIALS, KEY: ""}, {VARIABLE: "40"}).max_calls_per_minute == 40
    assert config_of({**CREDENTIALS, KEY: "60.0"}).max_calls_per_minute == 60


@pytest.mark.parametrize("unlimited", ["0", "none", "None", " NONE "])
def test_zero_or_none_lifts_the_client_side_limit(unlimited: str) -> None:
    loaded = config_of({**CREDENTIALS, KEY: unlimited})
    assert loaded.max_calls_per_minute is None
    assert ServiceClient(loaded, transport=object()).pacer is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ("fast", "must be a number, not 'fast'"),
        ("inf", "must be a number, not 'inf'"),
        ("12.5", "must be a whole number, not '12.5'"),
        ("-5", "must be at least 0.0, not -5"),
    ],
)
def test_a_bad_value_names_the_key_the_variable_and_the_value(bad: str, expected: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        config_of({**CREDENTIALS, KEY: bad})
    assert f"msads:maxCallsPerMinute (or MSADS_MAX_CALLS_PER_MINUTE) {expected}" in str(raised.value)
    with pytest.raises(ConfigurationError) as from_env:
        config_of(CREDENTIALS, {VARIABLE: bad})
    assert f"(or MSADS_MAX_CALLS_PER_MINUTE) {expected}" in str(from_env.value)


# -- the client, against the emulator's real limit ------------------------------------------------------------

LIMIT, WINDOW, CALLS, THREADS = 20, 2.0, 60, 4


@pytest.fixture
def limited_emulator(emulator: EmulatorControl) -> Iterator[EmulatorControl]:
    """The emulator throttling like the service, on a short window: more than 20 calls in any 2 s get 117."""
    emulator.set_rate_limit(LIMIT, window_seconds=WINDOW)
    try:
        yield emulator
    finally:
        emulator.set_rate_limit(None)


def rest_client(emulator_process: EmulatorProcess, pacer: Pacer | None) -> ServiceClient:
    """A client of its own (a pacer is state: never one of the shared clients) that never retries."""
    client = ServiceClient(local_config(emulator_process.url, transport="rest", maxRetries="0"))
    client.pacer = pacer
    return client


def many_calls(client: ServiceClient) -> list[object]:
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(lambda _: outcome(client.current_user), range(CALLS)))


def test_a_paced_client_is_never_throttled(
    emulator_process: EmulatorProcess, limited_emulator: EmulatorControl
) -> None:
    client = rest_client(emulator_process, Pacer(LIMIT, WINDOW))
    started = time.monotonic()
    results = many_calls(client)
    took = time.monotonic() - started
    assert [r for r in results if isinstance(r, MsadsError)] == []
    assert limited_emulator.calls() == {"GetUser": CALLS}  # every call the emulator saw, none refused and resent
    assert took >= (CALLS // LIMIT - 1) * WINDOW  # the 21st and 41st calls waited a window each


def test_the_same_calls_unpaced_are_throttled(
    emulator_process: EmulatorProcess, limited_emulator: EmulatorControl
) -> None:
    """The test above can fail: without the pacer, the emulator refuses the calls beyond its limit with 117."""
    results = many_calls(rest_client(emulator_process, None))
    throttled = [r for r in results if isinstance(r, ThrottledError)]
    assert throttled
    assert all(r.code == 117 for r in throttled)


def test_each_attempt_takes_a_place_and_a_wait_is_logged_without_secrets(
    emulator_process: EmulatorProcess,
    emulator: EmulatorControl,
    sleeps: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = {"transport": "rest", "maxRetries": "1", **{k.removeprefix("msads:"): v for k, v in CREDENTIALS.items()}}
    client = ServiceClient(local_config(emulator_process.url, **settings))
    pacer, fake = fake_pacer(2, window=10.0)
    client.pacer = pacer
    emulator.add_fault(operation="GetUser", code=117, count=1)
    client.current_user()  # refused once, then retried: two calls, the window is full
    assert sleeps == [0.0] and fake.sleeps == []
    client.current_user()
    assert fake.sleeps == [10.0]
    assert emulator.calls() == {"GetUser": 3}
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("pulumi_msads")]
    assert "GetUser: waited 10.00s for the client-side call limit (2 calls per 10s, msads:maxCallsPerMinute)" in lines
    text = "\n".join(lines)
    assert all(secret not in text for secret in CREDENTIALS.values())


# -- giving up -----------------------------------------------------------------------------------------------


def test_a_throttled_call_given_up_says_after_how_many_attempts(
    emulator_process: EmulatorProcess, emulator: EmulatorControl, sleeps: list[float]
) -> None:
    client = ServiceClient(local_config(emulator_process.url, transport="rest", maxRetries="2"))
    emulator.add_fault(operation="GetUser", code=117, count=5)
    with pytest.raises(ThrottledError) as raised:
        client.current_user()
    assert raised.value.__notes__ == ["GetUser: gave up after 3 attempts (msads:maxRetries is 2)."]
    assert emulator.calls() == {"GetUser": 3}


def test_a_call_given_up_on_its_budget_says_so(
    emulator_process: EmulatorProcess, emulator: EmulatorControl, sleeps: list[float]
) -> None:
    settings = {
        "transport": "rest",
        "maxRetries": "10",
        "throttleDelay": "4",
        "retryMaxDelay": "4",
        "retryBudget": "10",
    }
    client = ServiceClient(local_config(emulator_process.url, **settings))
    emulator.add_fault(operation="GetUser", code=117, count=20)
    with pytest.raises(ThrottledError) as raised:
        client.current_user()
    assert raised.value.__notes__ == [
        "GetUser: gave up after 3 attempts: one more would wait past msads:retryBudget (10s)."
    ]
    assert sleeps == [4.0, 4.0]
