"""``python -m bench``: run the benchmark suite against a local emulator; write JSON and Markdown, print the tables.

Run it from the repository root with the project's virtualenv: ``.venv/bin/python -m bench`` (about ten minutes on
two cores) or ``.venv/bin/python -m bench --quick`` (a smoke run of well under a minute). ``--sections`` picks some
of: roundtrips, overhead, peer, scale, program, coldstart, emulator, cli, transports (REST and SOAP side by side),
export (an agency of 300 customers and 900 accounts exported, then adopted with no write), agency (the same
estate's up, no-op up and refresh at 100 and 300 ms a call), calls (the client's CPU per call against a bare
``http.client`` POST), store (every emulator operation as its store grows from 300 to 100,000 customers), native
(the native provider next to the dynamic one under the Pulumi CLI: 100 customers at 100 ms a call).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from pulumi_msads.emulator.process import EmulatorProcess

from . import (
    agency,
    call_cost,
    cli,
    coldstart,
    emulator_load,
    export,
    native,
    overhead,
    peer,
    report,
    roundtrips,
    scale,
    store_scale,
    transports,
)
from .common import Bench, load_average

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Sizes:
    overhead_iterations: int
    overhead_latency_iterations: int
    peer_iterations: int
    scale_sizes: tuple[int, ...]
    program_sizes: tuple[int, ...]
    program_variants: tuple[str, ...]
    latency: float
    cold_runs: int
    memory_checkpoints: tuple[int, ...]
    emulator_clients: tuple[int, ...]
    emulator_seconds: float
    cli_iterations: int
    cli_variants: tuple[str, ...]
    cli_examples: tuple[str, ...]
    cli_profile_variant: str
    cli_profile: tuple[str, ...]
    transports_iterations: int
    transports_latency_iterations: int
    export_customers: int
    export_accounts: int
    agency_customers: int
    agency_accounts: int
    agency_latencies: tuple[float, ...]
    calls_iterations: int
    store_sizes: tuple[int, ...]
    store_iterations: int
    native_customers: int
    native_iterations: int
    native_latency: float
    native_operations: tuple[str, ...]


FULL = Sizes(
    overhead_iterations=40,
    overhead_latency_iterations=12,
    peer_iterations=60,
    scale_sizes=(100, 500, 2000),
    program_sizes=(100, 500, 2000),
    program_variants=("default", "gc-tuned"),
    latency=0.05,
    cold_runs=5,
    memory_checkpoints=(500, 1000, 2000),
    emulator_clients=(1, 8),
    emulator_seconds=3.0,
    cli_iterations=3,
    cli_variants=("cli", "cli-plugin-download", "harness", "harness-warm"),
    cli_examples=("quickstart", "gitops"),
    cli_profile_variant="cli",
    cli_profile=("up-create", "preview", "up-edit"),
    transports_iterations=60,
    transports_latency_iterations=15,
    export_customers=300,
    export_accounts=900,
    agency_customers=300,
    agency_accounts=900,
    agency_latencies=(0.1, 0.3),
    calls_iterations=15,
    store_sizes=store_scale.SIZES,
    store_iterations=store_scale.ITERATIONS,
    native_customers=100,
    native_iterations=3,
    native_latency=0.1,
    native_operations=tuple(native.OPERATIONS),
)
QUICK = Sizes(
    overhead_iterations=4,
    overhead_latency_iterations=1,
    peer_iterations=6,
    scale_sizes=(20, 50),
    program_sizes=(10, 30),
    program_variants=("default",),
    latency=0.05,
    cold_runs=1,
    memory_checkpoints=(12, 36),
    emulator_clients=(1, 8),
    emulator_seconds=0.25,
    # CI's run must fit in ten minutes: the smoke run checks behaviour only, so one CLI and one harness variant,
    # one example (tests/cli runs both under the CLI), no profile.
    cli_iterations=1,
    cli_variants=("cli", "harness"),
    cli_examples=("quickstart",),
    cli_profile_variant="cli",
    cli_profile=(),
    transports_iterations=4,
    transports_latency_iterations=1,
    export_customers=10,
    export_accounts=30,
    agency_customers=12,
    agency_accounts=30,
    agency_latencies=(0.01,),
    calls_iterations=3,
    store_sizes=(100, 300),
    store_iterations=3,
    # two CLI commands: the section's behaviour (the same calls either way), not its times
    native_customers=6,
    native_iterations=1,
    native_latency=0.01,
    native_operations=("up-create",),
)


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x.strip())


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few iterations: a smoke run")
    parser.add_argument(
        "--sections",
        default=",".join(report.SECTIONS),
        help="comma-separated subset of: %(default)s",
    )
    parser.add_argument("--scale-sizes", type=_ints, help="customers per scale run, e.g. 100,500,2000")
    parser.add_argument("--program-sizes", type=_ints, help="resources per program-side run, e.g. 100,500,2000")
    parser.add_argument(
        "--export-size", type=_ints, help="customers,accounts of the export section's agency, e.g. 300,900"
    )
    parser.add_argument(
        "--store-sizes", type=_ints, help="customers stored at each step of the store section, e.g. 300,3000,100000"
    )
    parser.add_argument("--memory-checkpoints", type=_ints, help="operations at which RSS is sampled, e.g. 500,2000")
    parser.add_argument(
        "--latency",
        type=float,
        help="seconds the emulator adds to every call in the latency runs (overhead, scale, transports)",
    )
    parser.add_argument("--iterations", type=int, help="alternating runs per variant for overhead, peer and transports")
    parser.add_argument("--cli-iterations", type=int, help="scenarios per variant in the cli section")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results", help="directory (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="do not print the Markdown tables")
    parser.add_argument(
        "--docs",
        action="store_true",
        help="also write docs/performance.md and docs/performance.json from this run (a full run, on a quiet machine)",
    )
    return parser.parse_args(argv)


def _sizes(args: argparse.Namespace) -> Sizes:
    sizes = QUICK if args.quick else FULL
    if args.scale_sizes:
        sizes = replace(sizes, scale_sizes=args.scale_sizes)
    if args.program_sizes:
        sizes = replace(sizes, program_sizes=args.program_sizes)
    if args.store_sizes:
        sizes = replace(sizes, store_sizes=args.store_sizes)
    if args.memory_checkpoints:
        sizes = replace(sizes, memory_checkpoints=args.memory_checkpoints)
    if args.export_size:
        if len(args.export_size) != 2:
            raise SystemExit("--export-size takes two numbers: customers,accounts")
        sizes = replace(sizes, export_customers=args.export_size[0], export_accounts=args.export_size[1])
    if args.latency is not None:
        sizes = replace(sizes, latency=args.latency)
    if args.cli_iterations:
        sizes = replace(sizes, cli_iterations=args.cli_iterations)
    if args.iterations:
        sizes = replace(
            sizes,
            overhead_iterations=args.iterations,
            peer_iterations=args.iterations,
            overhead_latency_iterations=max(2, args.iterations // 3),
            transports_iterations=args.iterations,
            transports_latency_iterations=max(2, args.iterations // 4),
            calls_iterations=args.iterations,
        )
    return sizes


def _machine() -> dict[str, Any]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True, cwd=REPO
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, check=True, cwd=REPO)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def _versions() -> dict[str, str]:
    found = {}
    for name in ("pulumi", "zeep", "bingads", "suds-community", "grpcio", "waitress", "lxml"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, argv: Sequence[str]) -> dict[str, Any]:
    sizes = _sizes(args)
    wanted = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = sorted(set(wanted) - set(report.SECTIONS))
    if unknown:
        raise SystemExit(f"unknown sections: {', '.join(unknown)}; choose from {', '.join(report.SECTIONS)}")
    results: dict[str, Any] = {
        "meta": {
            "command": shlex.join([".venv/bin/python", "-m", "bench", *argv]),
            "mode": "quick" if args.quick else "full",
            "sizes": sizes.__dict__,
            "machine": _machine(),
            "commit": _commit(),
            "versions": _versions(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "load_before": load_average(),
        }
    }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="msads-bench-") as scratch, EmulatorProcess() as emulator:
        bench = Bench(emulator, Path(scratch))
        for section in report.SECTIONS:
            if section not in wanted:
                continue
            _log(f"{section} ...")
            section_started = time.perf_counter()
            if section == "roundtrips":
                results[section] = roundtrips.run(bench)
            elif section == "overhead":
                results[section] = overhead.run(
                    bench, sizes.overhead_iterations, sizes.overhead_latency_iterations, sizes.latency
                )
            elif section == "peer":
                results[section] = peer.run(bench, sizes.peer_iterations)
            elif section == "scale":
                results[section] = scale.run_service_side(bench, sizes.scale_sizes, sizes.latency)
            elif section == "program":
                results[section] = scale.run_program_side(sizes.program_sizes, sizes.program_variants)
            elif section == "coldstart":
                results[section] = coldstart.run(bench, sizes.cold_runs, sizes.memory_checkpoints)
            elif section == "emulator":
                results[section] = emulator_load.run(bench, sizes.emulator_clients, sizes.emulator_seconds)
            elif section == "cli":
                results[section] = cli.run(
                    bench,
                    sizes.cli_iterations,
                    sizes.cli_variants,
                    sizes.cli_profile_variant,
                    sizes.cli_profile,
                    examples=sizes.cli_examples,
                )
            elif section == "transports":
                results[section] = transports.run(
                    bench, sizes.transports_iterations, sizes.transports_latency_iterations, sizes.latency
                )
            elif section == "export":
                results[section] = export.run(bench, sizes.export_customers, sizes.export_accounts)
            elif section == "agency":
                results[section] = agency.run(
                    bench, sizes.agency_customers, sizes.agency_accounts, sizes.agency_latencies
                )
            elif section == "calls":
                results[section] = call_cost.run(bench, sizes.calls_iterations)
            elif section == "store":
                results[section] = store_scale.run(bench, sizes.store_sizes, sizes.store_iterations)
            elif section == "native":
                results[section] = native.run(
                    bench,
                    sizes.native_customers,
                    sizes.native_iterations,
                    sizes.native_latency,
                    sizes.native_operations,
                )
            _log(f"{section} done in {time.perf_counter() - section_started:.1f} s")
    results["meta"]["duration_s"] = round(time.perf_counter() - started, 1)
    results["meta"]["load_after"] = load_average()
    results["targets"] = report.targets(results)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    results = run(args, argv)
    text = report.markdown(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (args.out / "results.md").write_text(text)
    if args.docs:
        (REPO / "docs" / "performance.json").write_text(json.dumps(results, indent=1) + "\n")
        (REPO / "docs" / "performance.md").write_text(report.document(results))
        _log("wrote docs/performance.md and docs/performance.json")
    if not args.quiet:
        print(text)
    _log(f"wrote {args.out / 'results.json'} and {args.out / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
