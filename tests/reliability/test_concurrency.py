"""Four provider calls at once (as the engine makes them) while other clients write the same customers.

For a bounded time, the provider updates names while raw SOAP clients change the addresses of
the same customers: no call fails, no update is lost (each customer ends with the provider's
last name and the other writer's last address), and the TimeStamp moved forward on every write.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import zeep

from pulumi_msads.emulator.process import EmulatorControl

from ..conftest import HEADERS
from ..harness import Engine, ResourceState
from ..samples import customer_inputs

ROUNDS = 6  # provider updates per customer
CUSTOMERS = 4


def test_provider_and_raw_clients_writing_the_same_customers_lose_nothing(
    customers: Engine, emulator: EmulatorControl, zeep_client: zeep.Client
) -> None:
    states: list[ResourceState] = []
    for index in range(CUSTOMERS):
        state = customers.up_create(customer_inputs(name=f"Concurrent {index}")).state
        assert state is not None
        states.append(state)
    stop = threading.Event()
    last_city: dict[str, str] = {}
    stamps: dict[str, list[bytes]] = {s.id: [] for s in states}

    def other_writer(customer_id: str) -> int:
        writes = 0
        deadline = time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < deadline:
            live = zeep_client.service.GetCustomer(CustomerId=int(customer_id), _soapheaders=HEADERS).body.Customer
            stamps[customer_id].append(live.TimeStamp)
            city = f"City {writes}"
            address_id = live.CustomerAddress.Id if live.CustomerAddress else None  # "Update: Required" (address.md)
            live.CustomerAddress = {"Id": address_id, "City": city, "CountryCode": "US", "Line1": "1 Main St"}
            try:
                zeep_client.service.UpdateCustomer(Customer=live, _soapheaders=HEADERS)
            except zeep.exceptions.Fault as fault:
                assert "TimestampNotMatch" in str(zeep.helpers.serialize_object(fault.detail)) or "209" in str(
                    fault.detail.xpath("string()")
                )
                continue
            last_city[customer_id] = city
            writes += 1
            time.sleep(0.2)  # a busy colleague, not a loop: the provider gets 3 attempts per write
        return writes

    def provider_updates(index: int) -> ResourceState:
        state = states[index]
        for round_ in range(ROUNDS):
            outcome = customers.up_update(state, customer_inputs(name=f"Concurrent {index} v{round_}"))
            assert outcome.state is not None
            state = outcome.state
        return state

    with ThreadPoolExecutor(max_workers=CUSTOMERS * 2) as pool:
        writers = [pool.submit(other_writer, s.id) for s in states]
        started = time.monotonic()
        while len(last_city) < CUSTOMERS:  # every other writer is under way before the provider starts
            assert time.monotonic() - started < 30, "the other writers never managed a write"
            time.sleep(0.01)
        finals = [f.result(timeout=120) for f in [pool.submit(provider_updates, i) for i in range(CUSTOMERS)]]
        stop.set()
        assert sum(w.result(timeout=60) for w in writers) > 0, "the other clients did write meanwhile"

    for index, state in enumerate(finals):
        live = zeep_client.service.GetCustomer(CustomerId=int(state.id), _soapheaders=HEADERS).body.Customer
        assert live.Name == f"Concurrent {index} v{ROUNDS - 1}", "the provider's last write is there"
        if state.id in last_city:
            assert live.CustomerAddress.City == last_city[state.id], "the other writer's last write is there"
        seen = [int.from_bytes(s, "big") for s in stamps[state.id]]
        assert seen == sorted(seen), "TimeStamps only move forward"
