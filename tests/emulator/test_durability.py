"""Persistence and concurrency: restarts, a SIGKILL under write load, and many clients at once."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import zeep
import zeep.exceptions

from pulumi_msads.emulator.process import EmulatorProcess

from .conftest import Soap, StartEmulator
from .support import account, customer, entity_dict, fault_from_zeep


def client_for(process: EmulatorProcess) -> Soap:
    return Soap(zeep.Client(process.url + "?wsdl"))


def signup(soap: Soap, name: str = "Contoso") -> Any:
    aggregator = soap.GetUser(UserId=None).User.CustomerId
    return soap.SignupCustomer(Customer=customer(Name=name), Account=account(), ParentCustomerId=aggregator)


def rename(soap: Soap, customer_id: int, name: str) -> None:
    current = soap.GetCustomer(CustomerId=customer_id).Customer
    current.Name = name
    soap.UpdateCustomer(Customer=current)


def run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(i)`` on ``count`` threads at once; returns what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(i: int) -> None:
        try:
            start.wait()
            work(i)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


# -- restarts ------------------------------------------------------------------------------------------------


@dataclass
class Restarted:
    """An emulator restarted on the database of a first run, and what the first run saw."""

    soap: Soap
    created: Any
    customer: dict[str, Any]
    user: dict[str, Any]


@pytest.fixture(scope="module")
def restarted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Restarted]:
    db = tmp_path_factory.mktemp("restart") / "emulator.sqlite3"
    with EmulatorProcess(db) as first:
        soap = client_for(first)
        created = signup(soap)
        rename(soap, created.CustomerId, "Renamed before restart")
        customer_before = entity_dict(soap.GetCustomer(CustomerId=created.CustomerId).Customer)
        user_before = entity_dict(soap.GetUser(UserId=None).User)
    with EmulatorProcess(db) as second:
        yield Restarted(client_for(second), created, customer_before, user_before)


def test_data_survives_a_restart_on_the_same_database(restarted: Restarted) -> None:
    soap, created = restarted.soap, restarted.created
    assert entity_dict(soap.GetCustomer(CustomerId=created.CustomerId).Customer) == restarted.customer
    assert soap.GetAccount(AccountId=created.AccountId).Account.Number == created.AccountNumber


def test_ids_and_time_stamps_keep_counting_after_a_restart(restarted: Restarted) -> None:
    again = signup(restarted.soap, "After the restart")
    assert again.CustomerId > restarted.created.CustomerId
    assert again.AccountNumber != restarted.created.AccountNumber
    assert restarted.soap.GetCustomer(CustomerId=again.CustomerId).Customer.TimeStamp != restarted.customer["TimeStamp"]


def test_the_aggregator_is_seeded_once(restarted: Restarted) -> None:
    assert entity_dict(restarted.soap.GetUser(UserId=None).User) == restarted.user


# -- SIGKILL under load ------------------------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_a_sigkill_under_write_load_loses_no_acknowledged_write(start_emulator: StartEmulator, tmp_path: Path) -> None:
    db = tmp_path / "killed.sqlite3"
    process = start_emulator(db=db)
    writers, acks_before_kill = 4, 8
    acked: dict[int, int] = {}  # customer id -> last acknowledged rename number
    signed_up: list[int] = []
    enough = threading.Semaphore(0)
    killed = threading.Event()
    errors_before_kill: list[BaseException] = []

    def write(i: int) -> None:
        try:
            soap = client_for(process)
            customer_id = signup(soap, f"writer {i}").CustomerId
            signed_up.append(customer_id)
            for n in range(1, 10_000):
                rename(soap, customer_id, f"writer {i} rename {n}")
                acked[customer_id] = n
                signed_up.append(signup(soap, f"writer {i} extra {n}").CustomerId)
                if n == acks_before_kill:
                    enough.release()
        except Exception as error:  # after the kill: the connection is refused or reset, as expected
            if not killed.is_set():
                errors_before_kill.append(error)
                enough.release()

    threads = [threading.Thread(target=write, args=(i,), daemon=True) for i in range(writers)]
    for thread in threads:
        thread.start()
    for _ in range(writers):
        assert enough.acquire(timeout=60)
    assert errors_before_kill == [], [getattr(e, "__notes__", e) for e in errors_before_kill]
    killed.set()
    process.kill()
    for thread in threads:
        thread.join(timeout=30)

    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    soap = client_for(start_emulator(db=db))
    for customer_id in signed_up:
        assert soap.GetCustomer(CustomerId=customer_id).Customer.Id == customer_id
    for customer_id, n in acked.items():
        name = soap.GetCustomer(CustomerId=customer_id).Customer.Name
        assert int(name.rsplit(" ", 1)[1]) in (n, n + 1)  # the acknowledged rename, or one in flight at the kill


# -- many clients at once ---------------------------------------------------------------------------------


def test_the_first_requests_of_a_fresh_emulator_may_come_all_at_once(start_emulator: StartEmulator) -> None:
    process = start_emulator(db=":memory:")
    clients = [client_for(process) for _ in range(8)]
    assert run_threads(8, lambda i: signup(clients[i], f"first {i}")) == []


@pytest.mark.timeout(120)
def test_concurrent_read_modify_write_loses_no_update(emulator_process: EmulatorProcess, soap: Soap) -> None:
    customer_id = signup(soap, "counter 0").CustomerId
    clients, updates_each = 8, 10
    based_on: list[bytes] = []  # the TimeStamp each successful update was made from
    lock = threading.Lock()

    def increment(_: int) -> None:
        own = client_for(emulator_process)
        done = 0
        while done < updates_each:
            current = own.GetCustomer(CustomerId=customer_id).Customer
            stamp, count = current.TimeStamp, int(current.Name.split()[1])
            current.Name = f"counter {count + 1}"
            try:
                own.UpdateCustomer(Customer=current)
            except zeep.exceptions.Fault as error:
                assert fault_from_zeep(error).code == 209  # the only acceptable failure: a lost race
                continue
            done += 1
            with lock:
                based_on.append(stamp)

    assert run_threads(clients, increment) == []
    assert soap.GetCustomer(CustomerId=customer_id).Customer.Name == f"counter {clients * updates_each}"
    assert len(set(based_on)) == len(based_on) == clients * updates_each


@pytest.mark.timeout(120)
def test_concurrent_signups_get_distinct_ids_and_numbers(emulator_process: EmulatorProcess, soap: Soap) -> None:
    created: list[Any] = []

    def sign_up(i: int) -> None:
        own = client_for(emulator_process)
        for n in range(5):
            created.append(signup(own, f"client {i} customer {n}"))

    assert run_threads(8, sign_up) == []
    assert len({c.CustomerId for c in created}) == len({c.CustomerNumber for c in created}) == 40
    assert len({c.AccountId for c in created}) == len({c.AccountNumber for c in created}) == 40


@pytest.mark.timeout(120)
def test_concurrent_independent_writers_never_fault(emulator_process: EmulatorProcess, soap: Soap) -> None:
    def write(i: int) -> None:
        own = client_for(emulator_process)
        created = signup(own, f"writer {i}")
        for n in range(10):
            rename(own, created.CustomerId, f"writer {i} rename {n}")
            assert own.GetCustomer(CustomerId=created.CustomerId).Customer.Name == f"writer {i} rename {n}"

    assert run_threads(8, write) == []
