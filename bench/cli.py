"""Section 7: the quickstart and the GitOps example under the official Pulumi CLI, next to the harness doing the same.

For each example, against an emulator of its own, the same five operations run one after another on a new stack:
``pulumi up`` creating it, ``pulumi preview`` of the unchanged stack, ``pulumi preview`` after one edited field (an
account renamed in the example's own file, as ``tests/cli`` edits it), ``pulumi up`` of that edit, and a no-op
``pulumi up``. The variants, alternated scenario by scenario in a rotating order (``common.alternate``):

* ``cli``: the real ``pulumi`` (scripts/pulumi-cli) as ``tests.cli.support.Stack`` and scripts/quickstart run it,
  with ``PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true``;
* ``cli-plugin-download``: the same with automatic plugin acquisition on. Language hosts take any ``pulumi-*``
  distribution for a resource plugin unless its ``pulumi-plugin.json`` says ``"resource": false``; the older host
  that scripts/pulumi-cli builds does not find that file in an editable install, so the engine tries to download a
  plugin "msads" (five attempts) before it goes on. This is what every command cost before the file existed, and
  still costs in this repository's ``.venv`` without the variable;
* ``harness``: the same resources (read from the program itself, see ``cli_program``) through ``tests.harness``, with
  a fresh provider server per deployment pass, as the CLI starts one per pass;
* ``harness-warm``: the same on one provider server started before the clock: the RPCs alone.

The emulator's call counts per operation are behaviour, not timing: every variant must make the same calls, the
fewest the API allows. One more run of the quickstart with the CLI's verbose log shows where a command's time goes
(``cli_profile``).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tests.cli.conftest import EMULATOR_ARGS, STACK_SECRETS, stack_config
from tests.cli.examples import EXAMPLES, QUICKSTART, Example
from tests.cli.support import Project, Run, Stack, find_cli, steps
from tests.harness import ProviderServer, secret

from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess

from . import cli_profile
from .cli_harness import Declared, HarnessStack, declared, fresh_servers, warm_server
from .common import Bench, alternate, median, ms

OPERATIONS = {
    "up-create": "`pulumi up`, creating the stack",
    "preview": "`pulumi preview`, nothing changed",
    "preview-edit": "`pulumi preview`, one field edited",
    "up-edit": "`pulumi up` of that edit",
    "up-noop": "`pulumi up`, nothing to do",
}
VARIANTS = {
    "cli": "pulumi as tests/cli and scripts/quickstart run it (PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true)",
    "cli-plugin-download": "the same with automatic plugin acquisition on: the engine tries to download 'msads'",
    "harness": "tests.harness, a fresh provider server per deployment pass (as the CLI)",
    "harness-warm": "tests.harness, one provider server started before the clock",
}
CLI_ENV = {"cli": {}, "cli-plugin-download": {"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "false"}}
"""Added to the environment ``Stack`` gives every command (which turns automatic plugin acquisition off)."""
EDIT_SUFFIX = " Shop"
UPDATE_CALLS = {"GetAccount": 1, "UpdateAccount": 1}
"""Renaming an account: a read for its TimeStamp, then the write."""


def edit(example: Example, project: Project) -> None:
    """The one edited field: the example's account renamed in its own file, as a user (and tests/cli) would."""
    example.rename_account(project, example.account_name + EDIT_SUFFIX)


def expected_calls(example: Example, operation: str) -> dict[str, int]:
    """The fewest calls the API allows: the example's creates, the rename's read and write, and nothing else."""
    return {"up-create": example.created_calls, "up-edit": UPDATE_CALLS}.get(operation, {})


def expected_steps(example: Example, names: Sequence[str], operation: str) -> dict[str, str]:
    """What each operation plans or applies, by resource: everything created, then only the edited account."""
    if operation == "up-create":
        return dict.fromkeys(names, "create")
    return {example.account: "update"} if operation in ("preview-edit", "up-edit") else {}


# --- what the operations run on ----------------------------------------------------------------------------------


class Target(Protocol):
    """A stack that the scenario drives: the CLI's or the harness's."""

    def up(self) -> dict[str, str]: ...

    def preview(self) -> dict[str, str]: ...

    def edit(self) -> None: ...


@dataclass
class CliTarget:
    """A CLI stack; the steps are those ``--diff`` printed. ``extra`` flags go to the next command."""

    stack: Stack
    example: Example
    project: Project
    extra: tuple[str, ...] = ()
    last: Run | None = None

    def up(self) -> dict[str, str]:
        self.last = self.stack.up(*self.extra)
        return steps(self.last.stdout)

    def preview(self) -> dict[str, str]:
        self.last = self.stack.preview(*self.extra)
        return steps(self.last.stdout)

    def edit(self) -> None:
        edit(self.example, self.project)


@dataclass
class HarnessTarget:
    """The harness's stack; the edit switches it to the program's inputs as read after the same edit."""

    stack: HarnessStack
    edited: Declared

    def up(self) -> dict[str, str]:
        return self.stack.up()

    def preview(self) -> dict[str, str]:
        return self.stack.preview()

    def edit(self) -> None:
        self.stack.program = self.edited


Measure = Callable[[str, Callable[[], dict[str, str]]], None]


def scenario(target: Target, measure: Measure, until: str = "up-noop") -> None:
    """The five operations in order (the edit made before the second preview), through ``until``."""
    for operation in OPERATIONS:
        if operation == "preview-edit":
            target.edit()
        measure(operation, target.up if operation.startswith("up") else target.preview)
        if operation == until:
            return


def timer(control: EmulatorControl, into: dict[str, dict[str, Any]]) -> Measure:
    """Time each operation and record the emulator's calls and the steps it planned or applied."""

    def measure(operation: str, action: Callable[[], dict[str, str]]) -> None:
        control.reset_calls()
        started = time.perf_counter()
        planned = action()
        seconds = time.perf_counter() - started
        into[operation] = {"seconds": seconds, "calls": control.calls(), "steps": planned}

    return measure


# --- one example, its emulator and its stacks --------------------------------------------------------------------


@dataclass
class ExampleRun:
    """One example's project copy, emulator and program, and a new stack per scenario."""

    example: Example
    emulator: EmulatorProcess
    cli: Path
    folder: Path
    project: Project = field(init=False)
    program: Declared = field(init=False)
    edited: Declared = field(init=False)

    def __post_init__(self) -> None:
        self.project = self.example.copy(self.folder)
        changed = self.example.copy(self.folder / "edited")  # the program after the edit, read once, up front
        edit(self.example, changed)
        self.program, self.edited = declared(self.project.folder, changed.folder)

    @property
    def names(self) -> list[str]:
        return [resource["name"] for resource in self.program]

    def cli_stack(self, name: str, env: dict[str, str]) -> Stack:
        """A new stack with the tests' config: ``stack init`` and one ``config set-all`` (two commands, untimed)."""
        stack = Stack(self.cli, self.project.folder, name, self.folder / "home", extra_env=env)
        return stack.init(stack_config(self.emulator), STACK_SECRETS)

    def provider_config(self) -> dict[str, Any]:
        """The stack's config as the engine hands it to the provider, secrets marked secret."""
        return {**stack_config(self.emulator), **{k: secret(v) for k, v in STACK_SECRETS.items()}}

    @contextmanager
    def target(self, variant: str, label: str) -> Iterator[Target]:
        """A new stack of ``variant`` on an emptied emulator; the example's files are restored afterwards."""
        self.emulator.control.reset()
        logs = self.folder / "providers" / f"{variant}-{label}"
        try:
            if variant in CLI_ENV:
                yield CliTarget(self.cli_stack(f"{variant}-{label}", CLI_ENV[variant]), self.example, self.project)
            elif variant == "harness":
                servers = fresh_servers(self.provider_config(), logs)
                yield HarnessTarget(HarnessStack(self.program, servers), self.edited)
            else:
                with ProviderServer(self.provider_config(), log_dir=logs) as server:
                    yield HarnessTarget(HarnessStack(self.program, warm_server(server)), self.edited)
        finally:
            self.project.restore()

    def scenario(self, variant: str, label: str) -> dict[str, dict[str, Any]]:
        results: dict[str, dict[str, Any]] = {}
        with self.target(variant, label) as target:
            scenario(target, timer(self.emulator.control, results))
        return results


# --- figures -----------------------------------------------------------------------------------------------------


def _stats(seconds: list[float]) -> dict[str, Any]:
    middle = median(seconds)
    return {
        "median_ms": ms(middle),
        "min_ms": ms(min(seconds)),
        "max_ms": ms(max(seconds)),
        "spread": round((max(seconds) - min(seconds)) / middle, 3),
        "runs": len(seconds),
    }


def _ratio(stats: dict[str, dict[str, Any]], top: str, bottom: str) -> float | None:
    if top not in stats or bottom not in stats:
        return None
    return round(float(stats[top]["median_ms"]) / float(stats[bottom]["median_ms"]), 2)


def _row(run: ExampleRun, operation: str, results: dict[str, list[dict[str, dict[str, Any]]]]) -> dict[str, Any]:
    calls = {variant: [r[operation]["calls"] for r in runs] for variant, runs in results.items()}
    planned = {variant: [r[operation]["steps"] for r in runs] for variant, runs in results.items()}
    expected = expected_calls(run.example, operation)
    expected_plan = expected_steps(run.example, run.names, operation)
    stats = {variant: _stats([r[operation]["seconds"] for r in runs]) for variant, runs in results.items()}
    return {
        "example": run.example.name,
        "operation": operation,
        "label": OPERATIONS[operation],
        "calls": next(iter(calls.values()))[0],
        "expected_calls": expected,
        "calls_ok": all(c == expected for cs in calls.values() for c in cs),
        "calls_by_variant": calls,
        "steps_ok": all(p == expected_plan for ps in planned.values() for p in ps),
        "steps_by_variant": planned,
        "ms": stats,
        "ratio": _ratio(stats, "cli", "harness"),
        "ratio_plugin_download": _ratio(stats, "cli-plugin-download", "harness"),
        "ratio_download_cost": _ratio(stats, "cli-plugin-download", "cli"),
        "ratio_warm": _ratio(stats, "harness", "harness-warm"),
    }


def _measure(run: ExampleRun, variants: Sequence[str], iterations: int) -> list[dict[str, Any]]:
    results: dict[str, list[dict[str, dict[str, Any]]]] = {variant: [] for variant in variants}

    def runner(variant: str) -> Callable[[int], None]:
        return lambda i: results[variant].append(run.scenario(variant, str(i)))

    alternate({variant: runner(variant) for variant in variants}, iterations, warmup=0)
    return [_row(run, operation, results) for operation in OPERATIONS]


def _profile(run: ExampleRun, variant: str, operations: Sequence[str]) -> list[dict[str, Any]]:
    """One more scenario, through the last of ``operations``, those with the CLI's verbose log, split in segments."""
    profiled: list[dict[str, Any]] = []
    with run.target(variant, "profile") as target:
        assert isinstance(target, CliTarget), "only a CLI command has a log to read"

        def measure(operation: str, action: Callable[[], dict[str, str]]) -> None:
            target.extra = cli_profile.VERBOSE if operation in operations else ()
            started = time.time()
            action()
            ended = time.time()
            if operation in operations and target.last is not None:
                segments = cli_profile.timeline(target.last.stderr, started, ended)
                profiled.append(
                    {
                        "operation": operation,
                        "total_ms": ms(ended - started),
                        "segments": segments,
                        "by_segment": cli_profile.by_segment(segments),
                    }
                )

        scenario(target, measure, until=[op for op in OPERATIONS if op in operations][-1])
    return profiled


def _cli_version(cli: Path) -> str:
    done = subprocess.run([str(cli / "pulumi"), "version"], capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.strip()


def run(
    bench: Bench,
    iterations: int,
    variants: Sequence[str],
    profile_variant: str,
    profile_operations: Sequence[str],
    *,
    examples: Sequence[str] = tuple(example.name for example in EXAMPLES),
) -> dict[str, Any]:
    cli = find_cli()
    rows: list[dict[str, Any]] = []
    profile: list[dict[str, Any]] = []
    resources: dict[str, list[str]] = {}
    for example in (e for e in EXAMPLES if e.name in examples):
        with EmulatorProcess(args=EMULATOR_ARGS) as emulator:
            example_run = ExampleRun(example, emulator, cli, bench.log_dir / "cli" / example.name)
            resources[example.name] = example_run.names
            rows += _measure(example_run, variants, iterations)
            if example is QUICKSTART and profile_operations:
                profile = _profile(example_run, profile_variant, profile_operations)
    return {
        "cli_version": _cli_version(cli),
        "iterations": iterations,
        "variants": {variant: VARIANTS[variant] for variant in variants},
        "resources": resources,
        "rows": rows,
        "profile": {"example": QUICKSTART.name, "variant": profile_variant, "operations": profile},
        "ok": all(row["calls_ok"] and row["steps_ok"] for row in rows),
    }
