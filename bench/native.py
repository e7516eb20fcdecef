"""Section 13: the native provider next to the dynamic one, on the same work under the real Pulumi CLI.

The same customers (each signed up with its primary account), declared by a Python program of each kind: the
dynamic provider's (``pulumi_msads.Customer``, tests/cli/programs/declared) and one on the native provider
(``msads:index:Customer`` through the ``plugins.providers`` path, tests/cli/programs/native). Each run gets a
new stack on an emptied emulator with the latency of the service added to every call, then ``pulumi up`` creates
the customers and (in the full run) ``pulumi refresh`` reads them back, bulk reads on, as users get them.

For each operation: the wall time of the command, the emulator's calls (the same in both variants: the same
operations make them) and the most calls it was answering at once. The dynamic provider server answers four
RPCs at a time; the native provider as many as the engine sends, ``4 x CPUs`` by default (``pulumi up
--parallel``). The variants alternate run by run in a rotating order; medians are reported.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.cli.conftest import STACK_SECRETS, stack_config
from tests.cli.native_projects import absolute_paths
from tests.cli.support import REPO, Stack, find_cli
from tests.cli.test_lifecycle import PULUMI_YAML as DECLARED_PROJECT
from tests.cli.test_lifecycle import customer as declared_customer
from tests.cli.test_native_provider import PULUMI_YAML as NATIVE_PULUMI_YAML

from pulumi_msads import naming

from .common import Bench, alternate, median, ms

PROGRAMS = REPO / "tests" / "cli" / "programs"
VARIANTS = {
    "dynamic": "pulumi_msads.Customer, the dynamic provider (python -m pulumi.dynamic, four RPCs at a time)",
    "native": "msads:index:Customer, the native provider plugin (provider/bin/pulumi-resource-msads)",
}
OPERATIONS = {"up-create": "`pulumi up`, creating every customer", "refresh": "`pulumi refresh`, bulk reads on"}
DYNAMIC_PROJECT = DECLARED_PROJECT.format(venv=REPO / ".venv")
"""The dynamic provider's project: tests/cli/test_lifecycle's, around programs/declared."""
NATIVE_PROJECT = NATIVE_PULUMI_YAML
"""The native provider's: tests/cli/test_native_provider's, naming provider/bin as the plugins' path."""


def camel(value: Any) -> Any:
    """A declaration's snake_case inputs as the package schema names them (``market_country`` -> ``marketCountry``)."""
    if isinstance(value, Mapping):
        return {naming.camel(str(key)): camel(item) for key, item in value.items()}
    return value


def declarations(customers: int) -> dict[str, dict[str, Any]]:
    """The customers both programs declare: tests/cli's declaration of each, by logical name."""
    return {f"c{i:03d}": declared_customer(f"Native Bench {i:03d}") for i in range(customers)}


def _project(folder: Path, variant: str, declared: Mapping[str, dict[str, Any]]) -> None:
    """The variant's program and project in ``folder``, declaring ``declared``."""
    folder.mkdir(parents=True)
    if variant == "dynamic":
        (folder / "Pulumi.yaml").write_text(DYNAMIC_PROJECT)
        (folder / "__main__.py").write_text((PROGRAMS / "declared" / "__main__.py").read_text())
        (folder / "declarations.json").write_text(json.dumps(declared, indent=1))
    else:
        (folder / "Pulumi.yaml").write_text(absolute_paths(NATIVE_PROJECT))
        (folder / "__main__.py").write_text((PROGRAMS / "native" / "__main__.py").read_text())
        inputs = {name: camel(spec["args"]) for name, spec in declared.items()}
        (folder / "customers.json").write_text(json.dumps(inputs, indent=1))


def _measure(bench: Bench, command: Callable[[], object]) -> dict[str, Any]:
    bench.control.reset_calls()
    started = time.perf_counter()
    command()
    seconds = time.perf_counter() - started
    counted = bench.control.counts()  # one read: the counts and the peak of the same calls
    return {
        "seconds": round(seconds, 3),
        "calls": counted["calls"],
        "total_calls": counted["total"],
        "max_in_flight": counted["max_in_flight"],
    }


def run(
    bench: Bench, customers: int, iterations: int, latency: float, operations: Sequence[str] = tuple(OPERATIONS)
) -> dict[str, Any]:
    cli = find_cli()
    declared = declarations(customers)
    samples: dict[str, dict[str, list[dict[str, Any]]]] = {v: {op: [] for op in operations} for v in VARIANTS}

    def runner(variant: str) -> Callable[[int], None]:
        def one(i: int) -> None:
            bench.reset(latency)
            folder = bench.log_dir / "native" / f"{variant}-{i + 1}"  # warm-up runs are i < 0
            _project(folder / "project", variant, declared)
            stack = Stack(cli, folder / "project", "bench", folder / "home")
            stack.init(stack_config(bench.emulator), STACK_SECRETS)
            measured = {"up-create": _measure(bench, stack.up)}
            if "refresh" in operations:
                measured["refresh"] = _measure(bench, stack.refresh)
            if i >= 0:
                for op in operations:
                    samples[variant][op].append(measured[op])

        return one

    alternate({variant: runner(variant) for variant in VARIANTS}, iterations, warmup=0)
    rows = []
    for op in operations:
        row: dict[str, Any] = {"operation": op, "description": OPERATIONS[op]}
        for variant in VARIANTS:
            runs = samples[variant][op]
            row[variant] = {
                "seconds": [r["seconds"] for r in runs],
                "median_s": round(median([r["seconds"] for r in runs]), 3),
                "calls": runs[0]["calls"],
                "total_calls": runs[0]["total_calls"],
                "max_in_flight": max(r["max_in_flight"] for r in runs),
                "same_calls": all(r["calls"] == runs[0]["calls"] for r in runs),
            }
        row["same_calls"] = row["dynamic"]["calls"] == row["native"]["calls"] and all(
            row[v]["same_calls"] for v in VARIANTS
        )
        row["dynamic_over_native"] = round(row["dynamic"]["median_s"] / row["native"]["median_s"], 2)
        rows.append(row)
    return {
        "customers": customers,
        "iterations": iterations,
        "latency_ms": ms(latency),
        "variants": VARIANTS,
        "rows": rows,
    }
