"""Section 5: the provider process's cold start and its memory over many operations.

Cold start: from starting ``python -m pulumi.dynamic`` (as the engine's shim does) through the engine's
provider-level RPCs (Handshake, GetPluginInfo, Configure) to the first answered Check, which is when the server
unpickles ``__provider``, imports ``pulumi_msads`` and runs ``configure()``. The first Create follows: it builds the
worker thread's zeep client (fetching and parsing the WSDL). Import times of the two halves (the Pulumi SDK stack,
then the provider package) are measured in a fresh interpreter of their own.

Memory: RSS of a fresh provider process after a number of engine operations (create, one-field update, refresh of
each customer, four at a time), sampled at checkpoints; it should not grow once the process is warm.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.harness import Engine, ProviderServer

from .common import (
    ENGINE_CONCURRENCY,
    Bench,
    PerThread,
    customer_inputs,
    median,
    ms,
    provider_config,
    provider_pid,
    rss_kib,
)

REPO = Path(__file__).resolve().parents[1]
TARGET_FIRST_CHECK_S = 1.0
GROWTH_TOLERANCE = 0.02
"""RSS counts as not growing when the last checkpoint is within 2% of the first (allocator noise, not a leak)."""

IMPORTS = """
import json, sys, time

def rss():  # current VmRSS in KiB (ru_maxrss would carry the parent's peak across fork and exec)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

t0, r0 = time.perf_counter(), rss()
import grpc, dill, pulumi, pulumi.dynamic, pulumi.runtime
t1, r1 = time.perf_counter(), rss()
if sys.argv[1] == "bingads-first":
    import bingads
t2, r2 = time.perf_counter(), rss()
import pulumi_msads.providers
t3, r3 = time.perf_counter(), rss()
print(json.dumps({
    "pulumi_sdk_s": t1 - t0,
    "bingads_package_s": t2 - t1,
    "pulumi_msads_s": t3 - t2,
    "pulumi_sdk_kib": r1 - r0,
    "bingads_package_kib": r2 - r1,
    "pulumi_msads_kib": r3 - r2,
    "rss_kib": r3,
    "suds_loaded": "suds.client" in sys.modules,
}))
"""


def _imports(mode: str) -> dict[str, Any]:
    """Import times in a fresh interpreter: the Pulumi SDK, then (``bingads-first``) the bingads package, then ours.

    ``plain`` shows what importing pulumi_msads costs as shipped, and whether it pulls in bingads (whose
    ``__init__`` builds a suds client for the Campaign Management WSDL at import time).
    """
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS, mode], capture_output=True, text=True, check=True, cwd=REPO, timeout=120
    )
    times: dict[str, Any] = json.loads(done.stdout)
    return times


def _cold_start(bench: Bench, parent: str, run: int) -> tuple[dict[str, float], ProviderServer]:
    server = ProviderServer(provider_config(bench.url), log_dir=bench.log_dir / f"cold-{run}")
    started = time.perf_counter()
    server.start()
    configured = time.perf_counter()
    try:
        engine = bench.customers(server)
        engine.preview_create(customer_inputs("Cold", parent), name="cold")
        checked = time.perf_counter()
        engine.up_create(customer_inputs(f"Cold {run}", parent), name="cold")
        created = time.perf_counter()
        engine.up_create(customer_inputs(f"Cold {run} again", parent), name="cold2")
        again = time.perf_counter()
    except BaseException:
        server.stop()
        raise
    return {
        "configured_s": configured - started,
        "first_check_s": checked - started,
        "first_create_s": created - checked,
        "second_create_s": again - created,
    }, server


def _memory(bench: Bench, server: ProviderServer, parent: str, checkpoints: Sequence[int]) -> dict[str, Any]:
    pid = provider_pid(server)
    engines = PerThread(lambda: bench.customers(server))
    samples = [{"operations": 0, "rss_kib": rss_kib(pid)}]
    done = 0

    def cycle(i: int) -> int:
        engine: Engine = engines.get()
        inputs = customer_inputs(f"Memory {i}", parent)
        state = engine.up_create(inputs, name=f"m{i}").state
        assert state is not None
        renamed = customer_inputs(f"Memory {i} renamed", parent, account_name=inputs["account"]["name"])
        state = engine.up_update(state, renamed).state
        assert state is not None
        engine.refresh(state)
        return 3

    next_customer = 0
    with ThreadPoolExecutor(ENGINE_CONCURRENCY, thread_name_prefix="engine") as pool:
        for checkpoint in checkpoints:
            customers = math.ceil((checkpoint - done) / 3)
            done += sum(pool.map(cycle, range(next_customer, next_customer + customers)))
            next_customer += customers
            samples.append({"operations": done, "rss_kib": rss_kib(pid)})
    first, last = samples[1], samples[-1]
    growth = (last["rss_kib"] - first["rss_kib"]) / first["rss_kib"]
    return {
        "samples": samples,
        "from_operations": first["operations"],
        "to_operations": last["operations"],
        "growth_kib": last["rss_kib"] - first["rss_kib"],
        "growth_fraction": round(growth, 4),
        "tolerance": GROWTH_TOLERANCE,
        "ok": growth <= GROWTH_TOLERANCE,
    }


def run(bench: Bench, runs: int, checkpoints: Sequence[int]) -> dict[str, Any]:
    bench.reset()
    parent = bench.parent_id()
    measured: list[dict[str, float]] = []
    server: ProviderServer | None = None
    try:
        for run_number in range(runs):
            if server is not None:
                server.stop()
            times, server = _cold_start(bench, parent, run_number)
            measured.append(times)
        assert server is not None
        memory = _memory(bench, server, parent, checkpoints)
    finally:
        if server is not None:
            server.stop()
    medians = {key: ms(median([m[key] for m in measured])) for key in measured[0]}
    bench.reset()
    return {
        "runs": runs,
        "median_ms": medians,
        "all_ms": [{key: ms(value) for key, value in m.items()} for m in measured],
        "target_first_check_ms": ms(TARGET_FIRST_CHECK_S),
        "ok": medians["first_check_s"] <= ms(TARGET_FIRST_CHECK_S),
        "imports": {mode: _imports(mode) for mode in ("plain", "bingads-first")},
        "memory": memory,
    }
