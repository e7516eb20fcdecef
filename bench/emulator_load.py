"""Section 6: the emulator's own throughput and latency, with 1 and 8 concurrent zeep clients.

Each client thread has its own zeep client and its own customer (so updates never race on a TimeStamp) and runs a
closed loop for a fixed time. GetCustomer is measured alone. UpdateCustomer needs the customer's current TimeStamp,
which only a read gives, so each update loop is GetCustomer + UpdateCustomer; latencies are the UpdateCustomer calls
only, requests per second count both calls.

The clients run in this process (one interpreter, one GIL) on the same two cores as the emulator, so at 8 clients
the figures are a floor for the emulator; CPU seconds per request of the emulator process and of this process say
which side was the bottleneck.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .common import HEADERS, Bench, bare_service, cpu_seconds, ms, percentile, self_cpu, signup


@dataclass
class _Client:
    """One closed-loop client: its own zeep client and customer, and what it measured."""

    service: Any
    customer_id: int
    latencies: list[float] = field(default_factory=list)
    requests: int = 0


def _client_loop(client: _Client, operation: str, stop_at: float) -> None:
    service, customer_id = client.service, client.customer_id
    count = 0
    i = 0
    while time.perf_counter() < stop_at:
        if operation == "GetCustomer":
            started = time.perf_counter()
            service.GetCustomer(CustomerId=customer_id, _soapheaders=HEADERS)
            client.latencies.append(time.perf_counter() - started)
            count += 1
        else:
            customer = service.GetCustomer(CustomerId=customer_id, _soapheaders=HEADERS).body.Customer
            customer.Name = f"Load {customer_id} {i % 2}"
            started = time.perf_counter()
            service.UpdateCustomer(Customer=customer, _soapheaders=HEADERS)
            client.latencies.append(time.perf_counter() - started)
            count += 2
        i += 1
    client.requests = count


def run(bench: Bench, concurrency: Sequence[int], seconds: float) -> dict[str, Any]:
    bench.reset()
    rows = []
    for operation in ("GetCustomer", "UpdateCustomer"):
        for count in concurrency:
            services = [bare_service(bench.url) for _ in range(count)]
            parent = bench.parent_id(services[0])
            clients = [
                _Client(service, signup(service, parent, f"Load {operation} {count} {i}")[0])
                for i, service in enumerate(services)
            ]
            for client in clients:  # the first call of a zeep client is slower: keep it out
                client.service.GetCustomer(CustomerId=client.customer_id, _soapheaders=HEADERS)
            bench.control.reset_calls()
            cpu_before = (cpu_seconds(bench.emulator_pid), self_cpu())
            started = time.perf_counter()
            stop_at = started + seconds
            threads = [threading.Thread(target=_client_loop, args=(c, operation, stop_at)) for c in clients]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            emulator_cpu, bench_cpu = cpu_seconds(bench.emulator_pid) - cpu_before[0], self_cpu() - cpu_before[1]
            served = bench.control.total_calls()
            assert served == sum(c.requests for c in clients), (served, [c.requests for c in clients])
            samples = [x for client in clients for x in client.latencies]
            rows.append(
                {
                    "operation": operation,
                    "clients": count,
                    "seconds": round(elapsed, 3),
                    "requests": served,
                    "requests_per_second": round(served / elapsed, 1),
                    "p50_ms": ms(percentile(samples, 0.50)),
                    "p99_ms": ms(percentile(samples, 0.99)),
                    "emulator_cpu_ms_per_request": ms(emulator_cpu / served),
                    "client_cpu_ms_per_request": ms(bench_cpu / served),
                }
            )
    return {"seconds_per_run": seconds, "rows": rows}
