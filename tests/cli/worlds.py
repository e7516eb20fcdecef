"""A deployed example: its project copy, its stack and the emulator it runs against."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess

from ..conftest import Soap
from .conftest import EMULATOR_ARGS, STACK_SECRETS, stack_config, web_ui
from .examples import Example
from .support import Project, Run, Stack


@dataclass
class World:
    """One example, deployed with `pulumi up` on an emulator of its own."""

    example: Example
    transport: str
    project: Project
    stack: Stack
    emulator: EmulatorProcess
    created: Run
    created_calls: dict[str, int]

    @property
    def control(self) -> EmulatorControl:
        return self.emulator.control

    def soap(self) -> Soap:
        return web_ui(self.emulator.url)

    def resource_id(self, name: str) -> str:
        return str(self.stack.resources()[name]["id"])


def deploy(example: Example, folder: Path, pulumi_cli: Path, transport: str) -> Iterator[World]:
    """`pulumi up` over ``transport`` of a fresh copy of the example in ``folder``; the emulator stops when the
    generator ends."""
    with EmulatorProcess(folder / "emulator.sqlite3", args=EMULATOR_ARGS) as emulator:
        project = example.copy(folder)
        stack = Stack(pulumi_cli, project.folder, "test", folder / "home")
        stack.init(stack_config(emulator, transport), STACK_SECRETS)
        emulator.control.reset_calls()
        created = stack.up()
        yield World(example, transport, project, stack, emulator, created, emulator.control.calls())
