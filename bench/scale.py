"""Section 4: many customers through one provider server, four operations at a time, against a slow service.

The engine keeps at most four provider RPCs in flight (the Python server's thread pool), so the four worker threads
here each drive their own ``Engine`` on the same server. The emulator adds a fixed latency to every SOAP call to
stand in for the real service. If the provider added nothing, N resources needing C calls would take C x latency / 4;
efficiency is that ideal over the measured time. Preview makes no call, so it has a time per resource only.

The program's side (constructing the resources under ``set_mocks``) runs in a fresh process per size, see
``program_side``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.harness import Engine, ResourceState, provider_blob

from pulumi_msads import CustomerProvider

from .common import (
    ENGINE_CONCURRENCY,
    Bench,
    PerThread,
    cpu_seconds,
    customer_inputs,
    ms,
    provider_pid,
    self_cpu,
)

REPO = Path(__file__).resolve().parents[1]
TARGET_EFFICIENCY = 0.85
FLAT_TOLERANCE = 1.15
"""Time per resource counts as flat when the largest size's is at most this multiple of the smallest size's."""


def _parallel(items: Sequence[Any], work: Callable[[Any], Any]) -> list[Any]:
    with ThreadPoolExecutor(ENGINE_CONCURRENCY, thread_name_prefix="engine") as pool:
        return list(pool.map(work, items))


def measure_phase(
    bench: Bench,
    server_pid: int,
    name: str,
    items: Sequence[Any],
    work: Callable[[Any], Any],
    *,
    latency: float,
    resources: int | None = None,
) -> tuple[dict[str, Any], list[Any]]:
    """Run ``work`` over ``items``, four at a time, and measure it: time, calls, efficiency, CPU per resource
    (``resources`` of them, when an item is more than one)."""
    size = resources or len(items)
    bench.control.reset_calls()
    cpu_before = (self_cpu(), cpu_seconds(server_pid), cpu_seconds(bench.emulator_pid))
    started = time.perf_counter()
    result = _parallel(items, work)
    elapsed = time.perf_counter() - started
    cpu_after = (self_cpu(), cpu_seconds(server_pid), cpu_seconds(bench.emulator_pid))
    calls = bench.control.total_calls()
    ideal = calls * latency / ENGINE_CONCURRENCY
    efficiency = round(ideal / elapsed, 3) if calls else None
    row = {
        "phase": name,
        "resources": size,
        "seconds": round(elapsed, 3),
        "calls": calls,
        "calls_per_resource": round(calls / size, 3),
        "ideal_seconds": round(ideal, 3),
        "efficiency": efficiency,
        "ok": None if efficiency is None else efficiency >= TARGET_EFFICIENCY,
        "ms_per_resource": ms(elapsed / size),
        # Each worker's time per operation beyond the service latency its calls waited for.
        "added_ms_per_op": ms(elapsed * ENGINE_CONCURRENCY / size - calls / size * latency),
        "cpu_ms_per_resource": {
            part: ms((after - before) / size)
            for part, before, after in zip(("bench", "provider", "emulator"), cpu_before, cpu_after, strict=True)
        },
    }
    return row, result


def run_service_side(bench: Bench, sizes: Sequence[int], latency: float) -> dict[str, Any]:
    provider_blob(CustomerProvider)  # built once here, before the worker threads race to build (and cache) it
    rows: list[dict[str, Any]] = []
    with bench.provider_server("scale") as server:
        pid = provider_pid(server)
        engines = PerThread(lambda: bench.customers(server))

        # Every gRPC worker thread of the provider builds its own zeep client on its first call: warm all four up
        # (unmeasured, no latency) so the sizes compare steady states. The warm-up's cost is reported on its own.
        bench.reset()
        parent = bench.parent_id()
        started = time.perf_counter()
        _parallel(
            range(2 * ENGINE_CONCURRENCY),
            lambda i: engines.get().up_create(customer_inputs(f"Warm {i}", parent), name=f"warm-{i}"),
        )
        warmup = time.perf_counter() - started

        for size in sizes:
            bench.reset(latency)
            parent = bench.parent_id()
            bench.control.reset_calls()
            inputs = [customer_inputs(f"Scale {size} {i}", parent) for i in range(size)]

            def create(i: int, inputs: list[dict[str, Any]] = inputs, size: int = size) -> ResourceState:
                engine: Engine = engines.get()
                state = engine.up_create(inputs[i], name=f"c{size}-{i}").state
                assert state is not None
                return state

            row, states = measure_phase(bench, pid, "create", range(size), create, latency=latency)
            rows.append(row)

            def refresh(state: ResourceState) -> ResourceState:
                engine: Engine = engines.get()
                outcome = engine.refresh(state)
                assert outcome.op == "same" and outcome.state is not None, outcome.op
                return outcome.state

            row, states = measure_phase(bench, pid, "refresh", states, refresh, latency=latency)
            rows.append(row)

            def preview(pair: tuple[ResourceState, dict[str, Any]]) -> None:
                engine: Engine = engines.get()
                outcome = engine.preview_update(pair[0], pair[1])
                assert outcome.op == "same", outcome.op

            pairs = list(zip(states, inputs, strict=True))
            row, _ = measure_phase(bench, pid, "no-op preview", pairs, preview, latency=latency)
            rows.append(row)
        bench.reset()
    flat = {}
    for phase in ("create", "refresh", "no-op preview"):
        per = {r["resources"]: r["ms_per_resource"] for r in rows if r["phase"] == phase}
        smallest, largest = per[min(per)], per[max(per)]
        growth = round(largest / smallest, 3)
        flat[phase] = {"ms_per_resource": per, "growth": growth, "ok": growth <= FLAT_TOLERANCE}
    return {
        "latency_ms": ms(latency),
        "concurrency": ENGINE_CONCURRENCY,
        "target_efficiency": TARGET_EFFICIENCY,
        "flat_tolerance": FLAT_TOLERANCE,
        "warmup": {"operations": 2 * ENGINE_CONCURRENCY, "seconds": round(warmup, 3)},
        "rows": rows,
        "flat": flat,
    }


PROGRAM_VARIANTS = {
    "default": "",
    "gc-tuned": "import gc; gc.set_threshold(50_000, 20, 100)",
}
"""How the program process is set up before it runs: as is, or with the cyclic GC's gen-0 threshold raised (the
SDK keeps every resource's futures and outputs alive, and default-threshold collections keep walking them)."""


def run_program_side(sizes: Sequence[int], variants: Sequence[str] = ("default",)) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for variant in variants:
        for size in sizes:
            code = f"{PROGRAM_VARIANTS[variant]}\nfrom bench.program_side import main\nmain({size})"
            done = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                check=False,
                timeout=600,
                cwd=REPO,
            )
            if done.returncode != 0:
                rows.append({"variant": variant, "resources": size, "error": done.stderr[-2000:]})
                continue
            rows.append({"variant": variant, **json.loads(done.stdout.strip().splitlines()[-1])})
    growth: dict[str, float | None] = {}
    for variant in variants:
        measured = [r for r in rows if r["variant"] == variant and "ms_per_resource" in r]
        growth[variant] = (
            round(measured[-1]["ms_per_resource"] / measured[0]["ms_per_resource"], 3) if len(measured) >= 2 else None
        )
    default = growth.get("default")
    return {
        "rows": rows,
        "growth": growth,
        "ok": default is not None and default <= FLAT_TOLERANCE and all("error" not in r for r in rows),
    }
