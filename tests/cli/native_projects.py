"""Projects on the native provider, copied out of the repository into a test's folder with a stack of their own.

The examples name the plugin directory and the virtualenv relative to themselves (``../../provider/bin``,
``../../.venv``), as a checkout uses them; a copy elsewhere gets the same paths made absolute, as a user's copy
of an example would. Every such stack talks to an emulator of its own.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pulumi_msads.emulator.process import EmulatorProcess

from .conftest import ACCESS_TOKEN, DEVELOPER_TOKEN, EMULATOR_ARGS, STACK_SECRETS, stack_config
from .support import REPO, Stack

RELATIVE_PATHS = {"../../.venv": REPO / ".venv", "../../provider/bin": REPO / "provider" / "bin"}


@dataclass
class NativeStack:
    folder: Path
    stack: Stack
    emulator: EmulatorProcess

    def edit(self, name: str, old: str, new: str) -> None:
        """Replace the one occurrence of ``old`` in the project's file ``name``."""
        path = self.folder / name
        text = path.read_text()
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new))

    def assert_no_credentials(self) -> None:
        """Neither credential in anything the CLI printed for this stack, nor in its state."""
        everything = "\n".join(run.output for run in self.stack.transcript) + json.dumps(self.stack.export())
        assert ACCESS_TOKEN not in everything and DEVELOPER_TOKEN not in everything


def absolute_paths(project: str) -> str:
    """Pulumi.yaml text with the example-relative paths it names made absolute."""
    named = [relative for relative in RELATIVE_PATHS if relative in project]
    assert "../../provider/bin" in named, "the project names the plugin directory relative to itself"
    for relative in named:
        project = project.replace(relative, str(RELATIVE_PATHS[relative]))
    return project


@contextmanager
def native_stack(
    tmp_path: Path,
    pulumi_cli: Path,
    project: str,
    files: Sequence[Path] = (),
    links: Sequence[Path] = (),
) -> Iterator[NativeStack]:
    """A stack of ``project`` (Pulumi.yaml text, example-relative paths allowed) with ``files`` copied beside it
    and ``links`` linked there, configured for an emulator of its own."""
    with EmulatorProcess(tmp_path / "emulator.sqlite3", args=EMULATOR_ARGS) as emulator:
        folder = tmp_path / "project"
        folder.mkdir()
        for path in files:
            shutil.copy(path, folder / path.name)
        for path in links:
            (folder / path.name).symlink_to(path)
        (folder / "Pulumi.yaml").write_text(absolute_paths(project))
        stack = Stack(pulumi_cli, folder, "test", tmp_path / "home")
        stack.init(stack_config(emulator), STACK_SECRETS)
        yield NativeStack(folder, stack, emulator)
