"""Section 2: what the provider adds on top of the SOAP calls it makes.

Three ways of doing the same create, one-field update and read, alternating against the same emulator:

* ``bare``: the zeep calls alone (GetCustomersInfo + SignupCustomer, the create guard's read included;
  GetCustomer + UpdateCustomer; GetCustomer + GetAccount) on a zeep client built once;
* ``in-process``: the provider's own methods (check/create, check/diff/update, read/diff) called in this process,
  so the provider's logic and its client layer are in, but no gRPC and no property marshalling;
* ``grpc``: the engine operation through the real provider server (Check+Create, Check+Diff+Update, Read+Diff),
  the engine's marshalling (done here by ``tests.harness``) included.

Measured at zero added latency (the worst case for the ratio: the calls are as cheap as they get) and at the
stand-in service latency, where the fixed cost shrinks against the calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.harness import Engine, ResourceState

from pulumi_msads import CustomerProvider, runtime

from .common import (
    HEADERS,
    Bench,
    alternate,
    bare_service,
    cpu_seconds,
    customer_inputs,
    median,
    ms,
    provider_config,
    provider_pid,
    self_cpu,
    signup,
)

OPERATIONS = ("create", "update", "read")
PATHS = ("bare", "in-process", "grpc")
TARGET_RATIO = 1.25
CPU_PARTS = ("bench", "provider", "emulator")
"""Where CPU time goes per operation: this process (bare clients, or the engine's side for grpc), the provider
server process, the emulator process."""
ACCOUNT = "Bench account"
"""The primary account's name, fixed, so that the one-field update changes the customer only."""


def _bare_runners(service: Any, parent: str) -> dict[str, Callable[[int], None]]:
    customer_id, account_id = signup(service, parent, "Bench bare")

    def create(i: int) -> None:
        service.GetCustomersInfo(CustomerNameFilter=f"Bench bare {i}", TopN=1000, _soapheaders=HEADERS)
        signup(service, parent, f"Bench bare {i}")

    def update(i: int) -> None:
        customer = service.GetCustomer(CustomerId=customer_id, _soapheaders=HEADERS).body.Customer
        customer.Name = f"Bench bare {i % 2}"
        service.UpdateCustomer(Customer=customer, _soapheaders=HEADERS)

    def read(_: int) -> None:
        service.GetCustomer(CustomerId=customer_id, _soapheaders=HEADERS)
        service.GetAccount(AccountId=account_id, _soapheaders=HEADERS)

    return {"create": create, "update": update, "read": read}


def _in_process_runners(parent: str) -> dict[str, Callable[[int], None]]:
    provider = CustomerProvider()
    inputs = customer_inputs("Bench in-process", parent, account_name=ACCOUNT)
    checked = provider.check({}, inputs).inputs
    created = provider.create(checked)
    resource_id, outputs = created.id, dict(created.outs or {})
    state = {"inputs": checked, "outputs": outputs}

    def create(i: int) -> None:
        news = provider.check({}, customer_inputs(f"Bench in-process {i}", parent)).inputs
        provider.create(news)

    def update(i: int) -> None:
        news = provider.check(
            state["inputs"], customer_inputs(f"Bench in-process {i % 2}", parent, account_name=ACCOUNT)
        ).inputs
        diff = provider.diff(resource_id, state["outputs"], news)
        assert diff.changes, "the update changes nothing"
        state["outputs"] = dict(provider.update(resource_id, state["outputs"], news).outs or {})
        state["inputs"] = news

    def read(_: int) -> None:
        result = provider.read(resource_id, state["outputs"])
        provider.diff(resource_id, dict(result.outs or {}), state["inputs"])

    return {"create": create, "update": update, "read": read}


def _grpc_runners(customers: Engine, parent: str) -> dict[str, Callable[[int], None]]:
    created = customers.up_create(customer_inputs("Bench grpc", parent, account_name=ACCOUNT), name="grpc").state
    assert created is not None
    current: list[ResourceState] = [created]

    def create(i: int) -> None:
        customers.up_create(customer_inputs(f"Bench grpc {i}", parent), name=f"grpc-{i}")

    def update(i: int) -> None:
        outcome = customers.up_update(current[0], customer_inputs(f"Bench grpc {i % 2}", parent, account_name=ACCOUNT))
        assert outcome.op == "update" and outcome.state is not None
        current[0] = outcome.state

    def read(_: int) -> None:
        customers.refresh(current[0])

    return {"create": create, "update": update, "read": read}


def _measure(bench: Bench, customers: Engine, latency: float, iterations: int) -> list[dict[str, Any]]:
    bench.reset(latency)
    service = bare_service(bench.url)
    parent = bench.parent_id(service)
    runners = {
        "bare": _bare_runners(service, parent),
        "in-process": _in_process_runners(parent),
        "grpc": _grpc_runners(customers, parent),
    }
    provider, emulator = provider_pid(customers.server), bench.emulator_pid

    def cpus() -> list[float]:
        return [self_cpu(), cpu_seconds(provider), cpu_seconds(emulator)]

    rows = []
    for operation in OPERATIONS:
        result = alternate({path: runners[path][operation] for path in PATHS}, iterations, sample=cpus)
        medians = {path: median(result.times[path]) for path in PATHS}
        cpu = {path: [ms(total / iterations) for total in result.samples[path]] for path in PATHS}
        bare = medians["bare"]
        rows.append(
            {
                "operation": operation,
                "latency_ms": ms(latency),
                "iterations": iterations,
                "bare_ms": ms(bare),
                "in_process_ms": ms(medians["in-process"]),
                "grpc_ms": ms(medians["grpc"]),
                "in_process_ratio": round(medians["in-process"] / bare, 3),
                "ratio": round(medians["grpc"] / bare, 3),
                "added_ms": ms(medians["grpc"] - bare),
                "added_in_provider_ms": ms(medians["in-process"] - bare),
                "ok": medians["grpc"] / bare <= TARGET_RATIO,
                "cpu_ms_per_op": {path: dict(zip(CPU_PARTS, cpu[path], strict=True)) for path in PATHS},
            }
        )
    return rows


def run(bench: Bench, iterations: int, latency_iterations: int, latency: float) -> dict[str, Any]:
    config = provider_config(bench.url)
    runtime.configure(config.get)  # the in-process provider reads the same stack config as the server
    with bench.provider_server("overhead") as server:
        customers = bench.customers(server)
        rows = _measure(bench, customers, 0.0, iterations)
        if latency_iterations:
            rows += _measure(bench, customers, latency, latency_iterations)
    bench.reset()
    return {"target_ratio": TARGET_RATIO, "rows": rows}
