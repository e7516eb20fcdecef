"""A cancelled deployment (Ctrl-C, ``pulumi cancel``: the engine's Cancel, which the native provider passes on to
its client): waits end at once and no call is sent after it, but a create whose answer was lost is never
resolved by a guess: its outcome stays unknown, for the next ``up``'s guard.

Each test builds a client of its own: a cancelled client stays cancelled, and the shared ones serve other tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from pulumi_msads import operations
from pulumi_msads.client import ServiceClient
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess
from pulumi_msads.errors import CancelledError, CreateOutcomeUnknownError
from pulumi_msads.native_provider import MsadsProvider
from pulumi_msads.pacing import Pacer

from ..harness import run_on_private_loop as run
from ..samples import customer_inputs
from .support import local_config
from .test_native_provider import CUSTOMER, configured, create, customer

PROMPT = 2.0
"""Seconds within which a cancelled wait must have ended: far below the waits these tests set (30 s or more)."""


def cancelled_during(call: Callable[[], Any], cancel: Callable[[], None], started: Callable[[], bool]) -> Exception:
    """Run ``call`` in a thread, ``cancel`` once ``started()`` says it is waiting; what it raised, raised promptly."""
    raised: list[Exception] = []

    def target() -> None:
        try:
            call()
        except Exception as error:
            raised.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    deadline = time.monotonic() + 20
    while not started() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # into the wait
    cancelled_at = time.monotonic()
    cancel()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the call went on waiting after the cancel"
    assert time.monotonic() - cancelled_at < PROMPT
    [error] = raised
    return error


def test_a_retry_wait_ends_at_once_and_the_call_is_not_sent_again(
    emulator_process: EmulatorProcess, emulator: EmulatorControl
) -> None:
    client = ServiceClient(local_config(emulator_process.url, throttleDelay="30", maxRetries="3"))
    emulator.add_fault(operation="GetUser", code=117, count=5)
    error = cancelled_during(client.current_user, client.cancel, lambda: emulator.total_calls() > 0)
    assert isinstance(error, CancelledError) and "GetUser not retried" in str(error)
    assert "117" in "\n".join(error.__notes__), "why it was waiting"
    assert emulator.calls() == {"GetUser": 1}


def test_no_call_is_sent_after_a_cancel(emulator_process: EmulatorProcess, emulator: EmulatorControl) -> None:
    client = ServiceClient(local_config(emulator_process.url))
    client.cancel()
    with pytest.raises(CancelledError, match="GetUser not sent"):
        client.current_user()
    assert emulator.calls() == {}


def test_a_call_waiting_for_the_call_limit_stops_when_cancelled() -> None:
    cancelled = threading.Event()
    pacer = Pacer(1, window=60.0, cancelled=cancelled)
    with pacer.turn():
        pass  # the one place is taken until a minute from now

    def cancel() -> None:
        cancelled.set()
        pacer.wake()

    def waiting() -> None:
        with pacer.turn():
            pass

    error = cancelled_during(waiting, cancel, lambda: True)
    assert isinstance(error, CancelledError) and "msads:maxCallsPerMinute" in str(error)


def test_a_cancel_while_looking_for_a_lost_create_leaves_its_outcome_unknown(
    emulator_process: EmulatorProcess, emulator: EmulatorControl
) -> None:
    """Not "nothing was made": cancelled before the request's time to commit had passed, that is not known."""
    client = ServiceClient(local_config(emulator_process.url, recoveryWait="60", timeout="5"))
    emulator.add_fault(operation="SignupCustomer", drop=True, phase="before")
    error = cancelled_during(
        lambda: operations.create_customer(client, customer_inputs()),
        client.cancel,
        lambda: emulator.calls().get("SignupCustomer", 0) > 0,
    )
    assert isinstance(error, CreateOutcomeUnknownError), error
    assert "may or may not have been created" in str(error) and "was cancelled after" in str(error)
    assert emulator.calls().get("SignupCustomer") == 1, "never sent twice"


def test_the_native_providers_cancel_reaches_its_client(emulator_process: EmulatorProcess) -> None:
    native: MsadsProvider = configured(emulator_process.url)
    run(native.cancel())
    with pytest.raises(CancelledError):
        create(native, CUSTOMER, customer())
