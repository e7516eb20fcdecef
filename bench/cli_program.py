"""What an example program declares, read by running it under ``set_mocks``: the inputs the harness then deploys.

Run as ``python -m bench.cli_program FOLDER...`` (a fresh process, as the language host runs the program; the SDK
keeps state per process, and a few programs in a row are fine). Prints one JSON list per folder, one per line: each
dynamic resource in the order the program registered it, with its type, logical name and inputs. An input wired to
another resource's id (``customer_id=contoso.customer_id``) comes out as ``REF + <name>``, so the harness can put the
real id there, or an unknown in a preview before it exists.

Reading the inputs from the program itself, rather than writing them out again, keeps the harness deploying
exactly what the CLI deploys, the edit included.
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


def declared(folder: Path) -> list[dict[str, Any]]:
    """The dynamic resources ``folder/__main__.py`` registers, as a list of ``{type, name, inputs}``."""
    mocks = RecordingMocks(ids=_id)
    run_program(lambda: runpy.run_path(str(folder / "__main__.py"), run_name="__main__"), mocks)
    return [
        {
            "type": resource.typ,
            "name": resource.name,
            "inputs": {k: v for k, v in reveal(resource.inputs).items() if k != PROVIDER_KEY},
        }
        for resource in mocks.resources
        if resource.typ.startswith(DYNAMIC)
    ]


def main(folders: list[str]) -> None:
    for folder in folders:
        print(json.dumps(declared(Path(folder))))


if __name__ == "__main__":
    main(sys.argv[1:])
