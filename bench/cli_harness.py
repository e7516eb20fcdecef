"""The CLI section's harness side: an example program's resources deployed through ``tests.harness``.

A deployment pass here is what one pass of the CLI does for the same resources: every resource the program declares,
in dependency order (``cli_program.in_waves``), through Check and Diff (and Create or Update when applying), on one
provider server.
``pulumi preview`` is one pass; ``pulumi up`` is two, a preview and then the update, each with a provider process
of its own. The harness runs a pass's resources one after another where the engine may run independent ones at
once; with a handful of resources on a local emulator that is a few milliseconds either way.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi.dynamic import ResourceProvider
from tests.harness import Engine, Outcome, ProviderServer, ResourceState, unknown
from tests.samples import ACCOUNT_TYPE, CUSTOMER_TYPE

from pulumi_msads import AccountProvider, CustomerProvider

from .cli_program import REF

REPO = Path(__file__).resolve().parents[1]
PROVIDERS: dict[str, type[ResourceProvider]] = {CUSTOMER_TYPE: CustomerProvider, ACCOUNT_TYPE: AccountProvider}
Declared = list[dict[str, Any]]
"""What ``bench.cli_program`` prints: ``{type, name, inputs}`` per dynamic resource, in dependency order."""


def declared(*folders: Path) -> list[Declared]:
    """Run the program in each folder under mocks, in one fresh process, and return their resources."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.cli_program", *map(str, folders)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        timeout=120,
    )
    programs: list[Declared] = [json.loads(line) for line in done.stdout.strip().splitlines()[-len(folders) :]]
    return programs


def _resolve(value: Any, ids: dict[str, str]) -> Any:
    """Put each referenced resource's id in place of its ``REF`` marker; unknown while it has none (a preview)."""
    if isinstance(value, str) and value.startswith(REF):
        name = value.removeprefix(REF)
        return ids[name] if name in ids else unknown()
    if isinstance(value, dict):
        return {k: _resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, ids) for v in value]
    return value


@dataclass
class HarnessStack:
    """One stack's state, kept the way the engine keeps it, and the program it deploys (as declared, or edited).

    ``server`` gives the provider server of one pass: a fresh process per pass (as the CLI starts one), or one
    server already running (the warm variant).
    """

    program: Declared
    server: Callable[[], AbstractContextManager[ProviderServer]]
    states: dict[str, ResourceState] = field(default_factory=dict)

    def preview(self) -> dict[str, str]:
        """``pulumi preview``: one pass that changes nothing; the steps it plans, by resource."""
        return self._pass(apply=False)

    def up(self) -> dict[str, str]:
        """``pulumi up``: its preview pass, then the pass that applies; the steps applied, by resource."""
        self._pass(apply=False)
        return self._pass(apply=True)

    def _pass(self, *, apply: bool) -> dict[str, str]:
        steps: dict[str, str] = {}
        with self.server() as server:
            engines = {token: Engine(server, cls, token) for token, cls in PROVIDERS.items()}
            for resource in self.program:
                outcome = self._step(engines[resource["type"]], resource, apply=apply)
                if outcome.op != "same":
                    steps[resource["name"]] = outcome.op
                if apply:
                    assert outcome.state is not None, f"{resource['name']}: {outcome.op} left no state"
                    self.states[resource["name"]] = outcome.state
        return steps

    def _step(self, engine: Engine, resource: dict[str, Any], *, apply: bool) -> Outcome:
        name = resource["name"]
        inputs = _resolve(resource["inputs"], {n: s.id for n, s in self.states.items()})
        old = self.states.get(name)
        if old is None:
            return engine.up_create(inputs, name=name) if apply else engine.preview_create(inputs, name=name)
        return engine.up_update(old, inputs) if apply else engine.preview_update(old, inputs)


def fresh_servers(config: dict[str, Any], log_dir: Path) -> Callable[[], AbstractContextManager[ProviderServer]]:
    """A new provider server for every pass, started inside the timed operation, as the CLI starts one."""

    @contextmanager
    def server() -> Iterator[ProviderServer]:
        with ProviderServer(config, log_dir=log_dir) as started:
            yield started

    return server


def warm_server(server: ProviderServer) -> Callable[[], AbstractContextManager[ProviderServer]]:
    """The same running provider server for every pass."""
    return lambda: nullcontext(server)
