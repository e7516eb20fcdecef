"""Section 8: the same client operations over REST and over SOAP, side by side against the same emulator.

Two ``pulumi_msads.client.ServiceClient`` objects, built the way the provider builds one (``ProviderConfig`` with
the emulator's URL, retries without waits), differ only in ``msads:transport``: ``rest`` (``RestTransport``,
JSON as Microsoft's ``msads`` SDK sends it) and ``soap`` (``SoapTransport``, zeep over the WSDL). Each makes the same
operations, alternating transport by transport in a rotating order, on objects of its own (so that no update races
the other's TimeStamp):

* GetCustomer, GetAccount;
* UpdateAccount: a one-field read-modify-write (GetAccount for the TimeStamp, then UpdateAccount with the name
  changed), as ``operations.write_account`` does it, through the client's calls directly;
* SearchAccounts by CustomerId (``accounts_named``, the Account create guard's read);
* GetCustomersInfo by name (``customers_named``, the Customer create guard's read);
* SignupCustomer of a new customer (unique names), its body built by ``fields.to_api`` as the provider builds it.

Per operation and transport: the calls the emulator counted (a counted run of its own, before the timed runs, and
the timed runs' total checked against it), the HTTP bytes per call (an observer on the ``wire.Connections`` the
transport sends through: bodies as sent and received, and the request and status lines with the headers), the
median wall time and the CPU time of this process and of the emulator per operation, at zero added latency and at
the stand-in service latency. WSDL loading happens when the SOAP client is built, before the hook is installed, so
neither the bytes nor the times include it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pulumi_msads import fields, wire
from pulumi_msads.client import ServiceClient
from pulumi_msads.config import ProviderConfig
from pulumi_msads.rest_transport import RestTransport
from pulumi_msads.soap_transport import SoapTransport

from .common import (
    Bench,
    alternate,
    bare_service,
    cpu_seconds,
    customer_inputs,
    median,
    ms,
    provider_config,
    self_cpu,
    signup,
)

TRANSPORTS = ("rest", "soap")
OPERATIONS = ("GetCustomer", "GetAccount", "UpdateAccount", "SearchAccounts", "GetCustomersInfo", "SignupCustomer")
LABELS = {
    "UpdateAccount": "UpdateAccount, one field (GetAccount + UpdateAccount)",
    "SearchAccounts": "SearchAccounts by CustomerId",
    "GetCustomersInfo": "GetCustomersInfo by name",
    "SignupCustomer": "SignupCustomer (new name each run)",
}
CPU_PARTS = ("client", "emulator")
"""CPU time per operation: this process (the client and its transport), the emulator process."""


def client_for(url: str, transport: str) -> ServiceClient:
    """A client as the provider builds one, against the emulator, over ``transport``."""
    return ServiceClient(ProviderConfig.from_sources(provider_config(url, **{"msads:transport": transport}), {}))


def connections(client: ServiceClient) -> wire.Connections:
    """The connections the client's transport sends through (one kept-alive connection per thread, either wire)."""
    transport = client.transport
    if isinstance(transport, (RestTransport, SoapTransport)):
        return transport.connections
    raise TypeError(f"no connections known for transport {type(transport).__name__}")


def _header_bytes(start_line: str, headers: Any) -> int:
    """Bytes of an HTTP/1.1 start line and header block as sent (``Name: value`` CRLF each, a blank line after)."""
    return len(start_line) + 2 + sum(len(f"{name}: {value}\r\n") for name, value in headers.items()) + 2


@dataclass
class Wire:
    """HTTP exchanges a session made since the last ``clear()``: how many, and their bytes."""

    exchanges: int = 0
    request_body: int = 0
    request_headers: int = 0
    response_body: int = 0
    response_headers: int = 0

    def install(self, connections: wire.Connections) -> Wire:
        connections.observe(self._observe)
        return self

    def clear(self) -> None:
        self.exchanges = self.request_body = self.request_headers = self.response_body = self.response_headers = 0

    def _observe(self, exchange: wire.Exchange) -> None:
        answer = exchange.answer
        self.exchanges += 1
        self.request_body += len(exchange.body)
        self.request_headers += _header_bytes(f"{exchange.method} {exchange.target} HTTP/1.1", exchange.headers)
        self.response_body += len(answer.content)
        self.response_headers += _header_bytes(f"HTTP/1.1 {answer.status_code} {answer.reason}", answer.headers)

    def per_call(self) -> dict[str, float]:
        n = self.exchanges or 1
        return {
            "request_body": round(self.request_body / n, 1),
            "request_headers": round(self.request_headers / n, 1),
            "response_body": round(self.response_body / n, 1),
            "response_headers": round(self.response_headers / n, 1),
            "total": round(
                (self.request_body + self.request_headers + self.response_body + self.response_headers) / n, 1
            ),
        }


def _runners(service: Any, client: ServiceClient, parent: str, transport: str) -> dict[str, Callable[[int], None]]:
    """Each operation as a run of its own, on this transport's own customer and account."""
    name = f"Bench transports {transport}"
    customer_id, account_id = (str(x) for x in signup(service, parent, name))
    account_name = f"{name} - Search"
    customer_fields, account_fields = fields.customer_fields(), fields.account_fields()

    def get_customer(_: int) -> None:
        client.get_customer(customer_id)

    def get_account(_: int) -> None:
        client.get_account(account_id)

    def update_account(i: int) -> None:
        account = client.get_account(account_id)
        account["Name"] = f"{account_name} {i % 2}"
        client.update_account(account)

    def search_accounts(_: int) -> None:
        client.accounts_named(customer_id, account_name)

    def get_customers_info(_: int) -> None:
        assert len(client.customers_named(name)) == 1

    def signup_customer(i: int) -> None:
        inputs = customer_inputs(f"Bench transports signup {transport} {i}", parent)
        body = client.signup_customer(
            fields.to_api(customer_fields, inputs), fields.to_api(account_fields, inputs["account"]), parent
        )
        assert body["CustomerId"], body

    return {
        "GetCustomer": get_customer,
        "GetAccount": get_account,
        "UpdateAccount": update_account,
        "SearchAccounts": search_accounts,
        "GetCustomersInfo": get_customers_info,
        "SignupCustomer": signup_customer,
    }


def _measure(bench: Bench, latency: float, iterations: int) -> list[dict[str, Any]]:
    bench.reset(latency)
    service = bare_service(bench.url)
    parent = bench.parent_id(service)
    clients = {t: client_for(bench.url, t) for t in TRANSPORTS}
    wires = {t: Wire().install(connections(clients[t])) for t in TRANSPORTS}
    runners = {t: _runners(service, clients[t], parent, t) for t in TRANSPORTS}
    emulator = bench.emulator_pid

    def cpus() -> list[float]:
        return [self_cpu(), cpu_seconds(emulator)]

    rows = []
    for operation in OPERATIONS:
        # The counted run, one per transport, doubles as the warm-up.
        calls: dict[str, dict[str, int]] = {}
        for transport in TRANSPORTS:
            bench.control.reset_calls()
            runners[transport][operation](-1)
            calls[transport] = bench.control.calls()
        for counter in wires.values():
            counter.clear()
        bench.control.reset_calls()
        result = alternate({t: runners[t][operation] for t in TRANSPORTS}, iterations, warmup=0, sample=cpus)
        served = bench.control.total_calls()
        expected = {t: sum(calls[t].values()) * iterations for t in TRANSPORTS}
        assert served == sum(expected.values()), (operation, served, calls)
        for transport in TRANSPORTS:
            assert wires[transport].exchanges == expected[transport], (operation, transport, wires[transport])
            rows.append(
                {
                    "operation": operation,
                    "transport": transport,
                    "latency_ms": ms(latency),
                    "iterations": iterations,
                    "calls": calls[transport],
                    "bytes_per_call": wires[transport].per_call(),
                    "median_ms": ms(median(result.times[transport])),
                    "cpu_ms_per_op": {
                        part: ms(total / iterations)
                        for part, total in zip(CPU_PARTS, result.samples[transport], strict=True)
                    },
                }
            )
    return rows


def _ratio(rest: float, soap: float) -> float | None:
    return round(rest / soap, 3) if soap else None


def ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """REST / SOAP per operation and latency: time, CPU of this process and of the emulator, bytes."""
    by = {(r["operation"], r["latency_ms"], r["transport"]): r for r in rows}
    found = []
    for operation, latency in dict.fromkeys((r["operation"], r["latency_ms"]) for r in rows):
        rest, soap = by[(operation, latency, "rest")], by[(operation, latency, "soap")]
        found.append(
            {
                "operation": operation,
                "latency_ms": latency,
                "same_calls": rest["calls"] == soap["calls"],
                "time": _ratio(rest["median_ms"], soap["median_ms"]),
                "cpu": {part: _ratio(rest["cpu_ms_per_op"][part], soap["cpu_ms_per_op"][part]) for part in CPU_PARTS},
                "bytes": {
                    part: _ratio(rest["bytes_per_call"][part], soap["bytes_per_call"][part])
                    for part in ("request_body", "response_body", "total")
                },
            }
        )
    return found


def run(bench: Bench, iterations: int, latency_iterations: int, latency: float) -> dict[str, Any]:
    rows = _measure(bench, 0.0, iterations)
    if latency_iterations:
        rows += _measure(bench, latency, latency_iterations)
    bench.reset()
    return {
        "operations": list(OPERATIONS),
        "labels": {op: LABELS.get(op, op) for op in OPERATIONS},
        "transports": list(TRANSPORTS),
        "latency_ms": ms(latency),
        "rows": rows,
        "ratios": ratios(rows),
    }
