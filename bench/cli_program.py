"""What an example program declares, read by running it under ``set_mocks``: the inputs the harness then deploys.

Run as ``python -m bench.cli_program FOLDER...`` (a fresh process, as the language host runs the program; the SDK
keeps state per process, and a few programs in a row are fine). Prints one JSON list per folder, one per line: each
dynamic resource with its type, logical name and inputs, in dependency order. An input wired to
another resource's id (``customer_id=contoso.customer_id``) comes out as ``REF + <name>``, so the harness can put the
real id there, or an unknown in a preview before it exists.

Reading the inputs from the program itself, rather than writing them out again, keeps the harness deploying
exactly what the CLI deploys, the edit included.

The order is the engine's in waves: every resource that references none first, then those that reference only
those, and so on, by name within a wave. The order the mocks see registrations in is not the program's (each waits
for its inputs on the event loop, so it changes from run to run under load), and the harness must not change with
it: one provider process serves both resource types, and what one operation leaves behind (the parent customer found
once, say) can change the calls of the next.
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path
from typing import Any

from pulumi.runtime import MockResourceArgs
from tests.harness import RecordingMocks, reveal, run_program

REF = "bench-ref:"
DYNAMIC = "pulumi-python:dynamic/"
PROVIDER_KEY = "__provider"


def _id(args: MockResourceArgs) -> str:
    return REF + args.name


def _references(value: Any) -> set[str]:
    """The names of the resources whose ids ``value`` holds, at any depth."""
    if isinstance(value, str) and value.startswith(REF):
        return {value.removeprefix(REF)}
    if isinstance(value, dict):
        return set().union(*map(_references, value.values()))
    if isinstance(value, list):
        return set().union(*map(_references, value))
    return set()


def in_waves(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``resources`` ordered by how deep their references go (none first), then by name."""
    refs = {r["name"]: _references(r["inputs"]) for r in resources}
    depth: dict[str, int] = {}

    def level(name: str) -> int:
        if name not in depth:
            depth[name] = 1 + max((level(other) for other in refs[name]), default=-1)
        return depth[name]

    return sorted(resources, key=lambda r: (level(r["name"]), r["name"]))


def declared(folder: Path) -> list[dict[str, Any]]:
    """The dynamic resources ``folder/__main__.py`` registers, as a list of ``{type, name, inputs}``."""
    mocks = RecordingMocks(ids=_id)
    run_program(lambda: runpy.run_path(str(folder / "__main__.py"), run_name="__main__"), mocks)
    return in_waves(
        [
            {
                "type": resource.typ,
                "name": resource.name,
                "inputs": {k: v for k, v in reveal(resource.inputs).items() if k != PROVIDER_KEY},
            }
            for resource in mocks.resources
            if resource.typ.startswith(DYNAMIC)
        ]
    )


def main(folders: list[str]) -> None:
    for folder in folders:
        print(json.dumps(declared(Path(folder))))


if __name__ == "__main__":
    main(sys.argv[1:])
