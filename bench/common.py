"""What every benchmark section shares: the emulator, provider servers, inputs, clocks and statistics.

Everything runs in one process tree: this process (the engine's side, through ``tests.harness``, and the bare
clients), one emulator child process and the provider server child processes. Figures that compare two ways of
doing the same thing come from alternating runs against the same emulator, so they are ratios, not absolute claims.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zeep
from tests.harness import Engine, ProviderServer
from tests.samples import ACCOUNT_TYPE, ADDRESS, CUSTOMER_TYPE
from tests.samples import provider_config as _provider_config

from pulumi_msads import AccountProvider, CustomerProvider
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess
from pulumi_msads.fields import pascal
from pulumi_msads.soap_transport import BINDING

HEADERS = {"DeveloperToken": "bench-developer-token", "AuthenticationToken": "bench-access-token"}
API_ADDRESS: dict[str, str] = {pascal(name): value for name, value in ADDRESS.items()}
ENGINE_CONCURRENCY = 4
"""The Python dynamic-provider server runs at most four RPCs at once (a ThreadPoolExecutor of four workers)."""

BENCH_TRANSPORT = "soap"
"""The provider's transport in these sections: SOAP, the wire the bare-zeep and bingads paths they are
compared with speak. The ``transports`` section compares REST with SOAP side by side."""


def provider_config(url: str, **extra: str) -> dict[str, Any]:
    """The tests' emulator config, over the bench's transport."""
    return _provider_config(url, BENCH_TRANSPORT, **extra)


def customer_inputs(
    name: str, parent: str | None = None, *, account_name: str | None = None, **changes: Any
) -> dict[str, Any]:
    """A Customer resource's program inputs, as the quickstart declares one (the account named after the customer)."""
    inputs: dict[str, Any] = {
        "name": name,
        "industry": "Retail",
        "market_country": "US",
        "market_language": "English",
        "account": {
            "name": account_name or f"{name} - Search",
            "currency_code": "USD",
            "business_address": dict(ADDRESS),
        },
    }
    if parent is not None:
        inputs["parent_customer_id"] = parent
    inputs.update(changes)
    return inputs


def account_inputs(customer_id: str, name: str, **changes: Any) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "name": name,
        "currency_code": "USD",
        "business_address": dict(ADDRESS),
        **changes,
    }


# --- clocks and statistics -------------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), for p50/p99 of latency samples."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


@dataclass
class Alternated:
    """Seconds per run, by variant; and, when a sampler was given, the summed sample deltas per variant."""

    times: dict[str, list[float]]
    samples: dict[str, list[float]]


def alternate(
    runners: Mapping[str, Callable[[int], None]],
    iterations: int,
    warmup: int = 1,
    sample: Callable[[], list[float]] | None = None,
) -> Alternated:
    """Run each runner ``iterations`` times, interleaved and in a rotating order.

    Interleaving makes the variants share whatever the machine is doing at the time (other processes, CPU frequency,
    the emulator's growing store); rotating the order keeps any "runs right after X" effect from favouring one.
    ``sample`` (CPU clocks, say) is read just outside each timed run and its deltas summed per variant.
    """
    names = list(runners)
    for i in range(warmup):
        for name in names:
            runners[name](-1 - i)
    result = Alternated({name: [] for name in names}, {})
    for i in range(iterations):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            before = sample() if sample else []
            started = time.perf_counter()
            runners[name](i)
            result.times[name].append(time.perf_counter() - started)
            if sample:
                deltas = [b - a for a, b in zip(before, sample(), strict=True)]
                totals = result.samples.setdefault(name, [0.0] * len(deltas))
                result.samples[name] = [t + d for t, d in zip(totals, deltas, strict=True)]
    return result


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds a process has used so far (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_kib(pid: int) -> int:
    """Resident set size of a process, in KiB (VmRSS from /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """CPU seconds used by a process's live threads, to the nanosecond (sum of /proc/<pid>/task/*/schedstat).

    Finer than /proc/<pid>/stat's 10 ms ticks, which matters for per-operation figures of a few milliseconds.
    Threads that have exited are not counted; the processes measured here keep theirs.
    """
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1e9


def self_cpu() -> float:
    """CPU seconds used by this process, all threads."""
    return time.process_time()


def load_average() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


# --- the emulator and the provider ------------------------------------------------------------------------------------


def bare_service(url: str) -> Any:
    """A plain zeep service proxy on the emulator's own WSDL: what calling the API without the provider looks like."""
    client = zeep.Client(url + "?wsdl")  # type: ignore[no-untyped-call]
    return client.create_service(BINDING, url)  # type: ignore[no-untyped-call]


@dataclass
class Bench:
    """The shared emulator, its control plane and a bare zeep client, plus where the provider servers log."""

    emulator: EmulatorProcess
    log_dir: Path

    @property
    def url(self) -> str:
        return self.emulator.url

    @property
    def control(self) -> EmulatorControl:
        return self.emulator.control

    @property
    def emulator_pid(self) -> int:
        assert self.emulator.proc is not None
        return self.emulator.proc.pid

    def reset(self, latency: float = 0.0) -> None:
        """Empty the emulator (data, counts, faults) and set its added latency per SOAP call."""
        self.control.reset()
        if latency:
            self.control.set_latency(latency)

    def parent_id(self, service: Any | None = None) -> str:
        """The aggregator customer every client customer is signed up under."""
        user = (service or bare_service(self.url)).GetUser(UserId=None, _soapheaders=HEADERS).body
        return str(user.CustomerRoles.CustomerRole[0].CustomerId)

    @contextmanager
    def provider_server(self, name: str) -> Iterator[ProviderServer]:
        server = ProviderServer(provider_config(self.url), log_dir=self.log_dir / name)
        with server:
            yield server

    def customers(self, server: ProviderServer) -> Engine:
        return Engine(server, CustomerProvider, CUSTOMER_TYPE)

    def accounts(self, server: ProviderServer) -> Engine:
        return Engine(server, AccountProvider, ACCOUNT_TYPE)


def provider_pid(server: ProviderServer) -> int:
    process = server._process
    assert process is not None
    return process.pid


def signup(service: Any, parent: str, name: str) -> tuple[int, int]:
    """Sign a customer up with bare zeep, the way the provider's create would; (customer id, account id)."""
    body = service.SignupCustomer(
        Customer={"Name": name, "Industry": "Retail", "MarketCountry": "US", "MarketLanguage": "English"},
        Account={
            "Name": f"{name} - Search",
            "CurrencyCode": "USD",
            "ParentCustomerId": int(parent),
            "BusinessAddress": API_ADDRESS,
        },
        ParentCustomerId=int(parent),
        _soapheaders=HEADERS,
    ).body
    return int(body.CustomerId), int(body.AccountId)


class PerThread:
    """One object per thread, built on first use: an Engine or a zeep client for each worker."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._local = threading.local()

    def get(self) -> Any:
        value = getattr(self._local, "value", None)
        if value is None:
            value = self._local.value = self._factory()
        return value
