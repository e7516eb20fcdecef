"""Section: what one call costs the client in CPU, against a bare ``http.client`` POST of the same bytes.

Against the emulator at zero added latency (the emulator runs in its own process, so its CPU is not counted
here), one GetCustomer four ways, alternating run by run in a rotating order:

* ``bare REST``: an ``http.client.HTTPConnection`` kept alive, sending exactly the bytes the REST transport sent
  for the same GetCustomer (request line, headers in their order, JSON body: captured once at the socket) and
  reading the answer, nothing more: no JSON decoding, no error mapping;
* ``REST``: ``ServiceClient.call("GetCustomer", ...)`` over ``RestTransport``, as the provider makes it;
* ``bare SOAP`` and ``SOAP``: the same for the SOAP envelope and ``SoapTransport`` (zeep's serializing and parsing
  are in the client's figure, not the bare one's).

Per variant: the median over runs of this process's CPU time per call (``time.process_time``, every thread; the
calls run on this one) and of the wall time per call, and the client's CPU over the bare POST's. The difference is
what the client does per call besides the exchange: building the body and headers, decoding the answer, and the
HTTP layer above ``http.client``. Runnable alone: ``python -m bench.call_cost [--iterations N] [--json]``; the
module only needs ``ServiceClient`` and the emulator, so it also measures older code (a ``git worktree`` of it
on PYTHONPATH) for a before/after.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pulumi_msads.client import ServiceClient
from pulumi_msads.config import ProviderConfig
from pulumi_msads.emulator.process import EmulatorProcess

from .common import Bench, bare_service, median, provider_config, signup

CALLS_PER_RUN = 50
VARIANTS = ("bare REST", "REST", "bare SOAP", "SOAP")
PAIRS = (("REST", "bare REST"), ("SOAP", "bare SOAP"))
"""(client, its bare POST) for the ratios."""


def client_for(url: str, transport: str) -> ServiceClient:
    """A client as the provider builds one for the emulator (no pacing locally, retries without waits)."""
    return ServiceClient(ProviderConfig.from_sources(provider_config(url, **{"msads:transport": transport}), {}))


@contextmanager
def sent_to(port: int) -> Iterator[list[bytes]]:
    """Every byte this process writes to sockets connected to ``port`` meanwhile (sendall: http.client and urllib3)."""
    sent: list[bytes] = []
    original = socket.socket.sendall

    def recording(sock: socket.socket, data: Any, *args: Any) -> None:
        try:
            peer = sock.getpeername()
        except OSError:
            peer = None
        if isinstance(peer, tuple) and peer[1] == port:
            sent.append(bytes(data))
        original(sock, data, *args)

    socket.socket.sendall = recording  # type: ignore[method-assign, assignment]
    try:
        yield sent
    finally:
        socket.socket.sendall = original  # type: ignore[method-assign]


class Captured:
    """One HTTP request as it went over the wire: its request line, its headers in order, its body."""

    def __init__(self, raw: bytes) -> None:
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.method, self.target, _ = lines[0].split(" ", 2)
        self.headers = [tuple(line.split(": ", 1)) for line in lines[1:]]
        self.size = len(raw)


def capture(port: int, call: Callable[[], object]) -> Captured:
    """The bytes ``call`` (one exchange, on a connection already open) sent to the emulator."""
    with sent_to(port) as sent:
        call()
    return Captured(b"".join(sent))


def bare_post(host: str, port: int, request: Captured) -> Callable[[], None]:
    """Send exactly ``request``'s bytes on one kept-alive connection and read the whole answer: nothing else."""
    connection = http.client.HTTPConnection(host, port, timeout=60)

    def post() -> None:
        connection.putrequest(request.method, request.target, skip_host=True, skip_accept_encoding=True)
        for name, value in request.headers:
            connection.putheader(name, value)
        connection.endheaders(request.body)
        answer = connection.getresponse()
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"the bare POST got HTTP {answer.status}")

    return post


def _runs(calls: dict[str, Callable[[], None]], iterations: int) -> dict[str, dict[str, list[float]]]:
    """Per variant, CPU and wall seconds per call of each run; variants alternate in a rotating order."""
    names = list(calls)
    found: dict[str, dict[str, list[float]]] = {name: {"cpu": [], "wall": []} for name in names}
    for name in names:  # warm-up: connections open, zeep's and the codecs' caches filled
        for _ in range(CALLS_PER_RUN):
            calls[name]()
    for i in range(iterations):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            call = calls[name]
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(CALLS_PER_RUN):
                call()
            found[name]["wall"].append((time.perf_counter() - wall) / CALLS_PER_RUN)
            found[name]["cpu"].append((time.process_time() - cpu) / CALLS_PER_RUN)
    return found


def _us(seconds: float) -> float:
    return round(seconds * 1e6, 1)


def run(bench: Bench, iterations: int) -> dict[str, Any]:
    bench.reset()
    service = bare_service(bench.url)
    customer_id, _ = signup(service, bench.parent_id(service), "Bench call cost")
    parts = urlsplit(bench.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    calls: dict[str, Callable[[], None]] = {}
    sizes: dict[str, int] = {}
    for transport, label in (("rest", "REST"), ("soap", "SOAP")):
        client = client_for(bench.url, transport)

        def call(client: ServiceClient = client) -> None:
            client.call("GetCustomer", CustomerId=customer_id)

        call()  # the connection (and SOAP's WSDL) first, so that the capture is of the call alone
        request = capture(port, call)
        calls[f"bare {label}"], calls[label] = bare_post(host, port, request), call
        sizes[label] = request.size
    found = _runs(calls, iterations)
    bench.reset()
    rows = {
        name: {
            "cpu_us_per_call": _us(median(found[name]["cpu"])),
            "wall_us_per_call": _us(median(found[name]["wall"])),
        }
        for name in VARIANTS
    }
    return {
        "operation": "GetCustomer",
        "iterations": iterations,
        "calls_per_run": CALLS_PER_RUN,
        "request_bytes": sizes,
        "variants": rows,
        "ratios": {
            client: {
                "cpu": round(rows[client]["cpu_us_per_call"] / rows[bare]["cpu_us_per_call"], 2),
                "wall": round(rows[client]["wall_us_per_call"] / rows[bare]["wall_us_per_call"], 2),
            }
            for client, bare in PAIRS
        },
    }


def markdown(section: dict[str, Any]) -> list[str]:
    """The section as Markdown lines: a table of the four variants, then what the ratios say."""
    rows = section["variants"]
    ratios = section["ratios"]
    lines = [
        f"One {section['operation']} against the emulator at zero added latency, median of {section['iterations']} "
        f"runs of {section['calls_per_run']} calls per variant (alternating); CPU is this process's, the emulator's "
        "not counted. The bare POST sends the same bytes as the transport (REST "
        f"{section['request_bytes']['REST']} B, SOAP {section['request_bytes']['SOAP']} B per request) on a kept-alive "
        "`http.client` connection and reads the answer without decoding it.",
        "",
        "| variant | CPU µs per call | wall µs per call | client / bare, CPU | client / bare, wall |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in VARIANTS:
        ratio = ratios.get(name)
        cpu, wall = (f"{ratio['cpu']:.2f}", f"{ratio['wall']:.2f}") if ratio else ("", "")
        lines.append(
            f"| {name} | {rows[name]['cpu_us_per_call']:.0f} | {rows[name]['wall_us_per_call']:.0f} | {cpu} | {wall} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.call_cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=15, help="runs per variant (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the section as JSON instead of Markdown")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="msads-bench-") as scratch, EmulatorProcess() as emulator:
        section = run(Bench(emulator, Path(scratch)), args.iterations)
    print(json.dumps(section, indent=2) if args.json else "\n".join(markdown(section)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
