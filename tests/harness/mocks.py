"""Program-level tests under ``pulumi.runtime.set_mocks``: what a program registers, without any provider running.

Under mocks a dynamic resource is still built for real (``__provider`` is serialized, so an unpicklable provider fails
here already), but no provider method runs: ``new_resource`` decides the outputs. Output keys are not translated, so
return ``account_id``, not ``accountId`` (notes section 4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks, set_mocks

from .engine import DEFAULT_PROJECT, DEFAULT_STACK


@dataclass(frozen=True)
class RegisteredResource:
    typ: str
    name: str
    inputs: dict[str, Any]
    """As the engine would receive them: ``__provider`` secret-wrapped, numbers as floats, ``None`` dropped."""
    resource_id: str | None


class RecordingMocks(Mocks):
    """Records every ``new_resource``; outputs default to the inputs (what a preview of a dynamic resource shows).

    Pass ``outputs(args) -> dict`` to compute them instead, e.g. to add output-only properties, and
    ``ids(args) -> str`` to choose the resource ids (default ``<name>-id``).
    """

    def __init__(
        self,
        outputs: Callable[[MockResourceArgs], dict[str, Any]] | None = None,
        ids: Callable[[MockResourceArgs], str] | None = None,
    ) -> None:
        self.resources: list[RegisteredResource] = []
        self._outputs = outputs
        self._ids = ids

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.resources.append(RegisteredResource(args.typ, args.name, dict(args.inputs), args.resource_id))
        outputs = self._outputs(args) if self._outputs else dict(args.inputs)
        return args.resource_id or (self._ids(args) if self._ids else f"{args.name}-id"), outputs

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None

    def of_type(self, typ: str) -> list[RegisteredResource]:
        return [r for r in self.resources if r.typ == typ]


def run_program(
    program: Callable[[], Any],
    mocks: Mocks,
    *,
    preview: bool = False,
    project: str = DEFAULT_PROJECT,
    stack: str = DEFAULT_STACK,
) -> Any:
    """Run ``program`` under ``mocks`` and return what it returned, fully resolved (Outputs awaited, like
    ``@pulumi.runtime.test`` does). Returns ``None`` when that value is unknown, which only a preview can cause."""
    set_mocks(mocks, project=project, stack=stack, preview=preview)
    resolved: list[Any] = []

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def run() -> pulumi.Output[None]:
        return pulumi.Output.from_input(program()).apply(resolved.append)

    run()
    return resolved[0] if resolved else None
