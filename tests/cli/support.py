"""The official Pulumi CLI, run the way a user runs it: a project folder, a stack, a local backend.

Nothing here stands in for the engine: every command is the real `pulumi` (scripts/pulumi-cli
finds or builds it), the real language host and the real dynamic-provider launcher, against an
emulator over HTTP. What the tests read is what a user reads: exit codes, the text the CLI prints
(``preview --diff`` parsed by ``parse_diff``), `pulumi stack export`, and the emulator's call counts.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
COMMAND_TIMEOUT = 300.0
"""Seconds one CLI command may take; the slowest here (a first `up`) takes about ten."""
CLEAN_ENV = ("PULUMI_", "MSADS_")
"""Variables of the caller's own environment that would change what the CLI or the provider does."""


@dataclass(frozen=True)
class Run:
    """One finished CLI command."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:
        return f"$ pulumi {' '.join(self.args)}  (exit {self.returncode})\n{self.output}"


WRITES = ("SignupCustomer", "AddAccount", "UpdateCustomer", "UpdateAccount", "DeleteCustomer", "DeleteAccount")


def writes(calls: dict[str, int]) -> dict[str, int]:
    """The emulator's call counts of the operations that change something."""
    return {op: n for op, n in calls.items() if op in WRITES}


class CommandFailedError(AssertionError):
    """A CLI command ended with another exit code than the test required."""


def find_cli() -> Path:
    """The directory of the `pulumi` to test with: on PATH, else built once by scripts/pulumi-cli."""
    result = subprocess.run(
        [str(REPO / "scripts" / "pulumi-cli")], capture_output=True, text=True, timeout=3600, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"scripts/pulumi-cli failed (exit {result.returncode}):\n{result.stderr}")
    return Path(result.stdout.strip())


@dataclass
class Stack:
    """A stack of one project, with a private PULUMI_HOME and a file backend of its own."""

    cli: Path
    project: Path
    name: str
    home: Path
    extra_env: Mapping[str, str] = field(default_factory=dict)
    transcript: list[Run] = field(default_factory=list)
    """Every command run on this stack, for tests that search all the CLI printed."""

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(CLEAN_ENV)}
        state = self.home / "state"
        state.mkdir(parents=True, exist_ok=True)
        env.update(
            PATH=f"{self.cli}{os.pathsep}{env.get('PATH', '')}",
            PULUMI_HOME=str(self.home / "pulumi-home"),
            # metadata=skip: no `.attrs` sidecar beside each state file, which the file backend (gocloud's
            # fileblob) truncates and then writes, so a CLI killed in between left an empty one and every
            # later command failed "failed to load checkpoint: EOF" (README, "When a deployment is interrupted").
            PULUMI_BACKEND_URL=f"{state.as_uri()}?metadata=skip",
            PULUMI_CONFIG_PASSPHRASE="",
            PULUMI_SKIP_UPDATE_CHECK="true",
            # As scripts/quickstart does: no "msads" plugin download attempt (see there).
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        )
        env.update(self.extra_env)
        return env

    def run(self, *args: str, expect: int | None = 0, stack: bool = True) -> Run:
        """``pulumi <args>`` in the project folder; ``expect`` is the exit code required (None: any)."""
        full = (*args, "--non-interactive", *(("--stack", self.name) if stack else ()))
        if args[0] in ("up", "preview", "refresh", "destroy"):
            full = (*full, "--color", "never")
        completed = subprocess.run(
            ["pulumi", *full],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        run = Run(full, completed.returncode, completed.stdout, completed.stderr)
        self.transcript.append(run)
        if expect is not None and run.returncode != expect:
            raise CommandFailedError(f"expected exit {expect}\n{run}")
        return run

    def init(self, config: Mapping[str, str], secrets: Mapping[str, str]) -> Stack:
        """Create the stack and set its config and secrets, all keys in one `config set-all`."""
        self.run("stack", "init", self.name, stack=False)
        pairs = [arg for key, value in config.items() for arg in ("--plaintext", f"{key}={value}")]
        pairs += [arg for key, value in secrets.items() for arg in ("--secret", f"{key}={value}")]
        self.run("config", "set-all", *pairs)
        return self

    def set_config(self, config: Mapping[str, str]) -> None:
        for key, value in config.items():
            self.run("config", "set", key, value)

    def up(self, *args: str, expect: int | None = 0) -> Run:
        return self.run("up", "--yes", "--diff", *args, expect=expect)

    def preview(self, *args: str, expect: int | None = 0) -> Run:
        return self.run("preview", "--diff", *args, expect=expect)

    def refresh(self, *args: str, expect: int | None = 0) -> Run:
        return self.run("refresh", "--yes", *args, expect=expect)

    def destroy(self, *args: str, expect: int | None = 0) -> Run:
        return self.run("destroy", "--yes", *args, expect=expect)

    def export(self) -> dict[str, Any]:
        exported: dict[str, Any] = json.loads(self.run("stack", "export").stdout)
        return exported

    def outputs(self) -> dict[str, Any]:
        shown: dict[str, Any] = json.loads(self.run("stack", "output", "--json").stdout)
        return shown

    def resources(self) -> dict[str, dict[str, Any]]:
        """The stack's dynamic resources in state, by logical name."""
        found = self.export()["deployment"].get("resources") or []
        return {r["urn"].rsplit("::", 1)[-1]: r for r in found if r["type"].startswith("pulumi-python:dynamic/")}


@dataclass
class Project:
    """A copy of one of the repository's projects in a folder of its own, laid out as in the repository.

    The repository's ``.venv`` is linked in at the same place relative to the copy, so the committed
    Pulumi.yaml (``virtualenv``) is what the launcher and the language host resolve.
    """

    folder: Path
    originals: dict[str, str] = field(default_factory=dict)

    @classmethod
    def copy(cls, files: list[Path], to: Path, venv_at: Path) -> Project:
        to.mkdir(parents=True, exist_ok=True)
        for path in files:
            shutil.copy(path, to / path.name)
        venv_at.parent.mkdir(parents=True, exist_ok=True)
        if not venv_at.exists():
            venv_at.symlink_to(REPO / ".venv", target_is_directory=True)
        return cls(to, {path.name: (to / path.name).read_text() for path in files})

    def edit(self, name: str, old: str, new: str, count: int = 1) -> None:
        """Replace ``old`` (which must occur ``count`` times) in the copy of file ``name``."""
        path = self.folder / name
        text = path.read_text()
        assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times in {name}, not {count}"
        path.write_text(text.replace(old, new))

    def append(self, name: str, text: str) -> None:
        path = self.folder / name
        path.write_text(path.read_text() + text)

    def prepend(self, name: str, text: str) -> None:
        path = self.folder / name
        path.write_text(text + path.read_text())

    def restore(self) -> None:
        for name, text in self.originals.items():
            (self.folder / name).write_text(text)

    @contextmanager
    def edited(self) -> Iterator[Project]:
        """Edits made inside the block are undone after it."""
        try:
            yield self
        finally:
            self.restore()


SDK_CANCEL_RACE = re.compile(
    r"^error: Program failed with an unhandled exception:\nTraceback \(most recent call last\):\n"
    r"(?:.*\n)*?Exception: context canceled\n",
    re.MULTILINE,
)
"""What the program's Pulumi SDK prints now and then when the engine stops on an error while the program still has
a RegisterResource in flight: the engine answers that call CANCELLED ("context canceled"), and the SDK takes only
UNAVAILABLE for the engine shutting down (pulumi/runtime/settings.py grpc_error_to_exception, in 3.272 as at
Pulumi's HEAD), so the language host reports an unhandled exception. About one failed preview in thirty here;
neither the provider's doing nor an error of the program."""


def assert_no_traceback(run: Run) -> None:
    """The provider's errors reached the user as their message alone (the SDK's own race aside)."""
    assert "Traceback" not in SDK_CANCEL_RACE.sub("", run.output), f"our errors are their message alone\n{run}"


# -- what `preview --diff` printed --------------------------------------------------------------------------

HEADER = re.compile(
    r"^\s*(?P<mark>[~+\-]{1,2})?\s*(?P<type>[\w\-]+:[\w/\-]*:[\w\-]+): \((?P<step>[\w\-]+)\)(?P<lock> 🔒)?$"
)
URN = re.compile(r"^\s*\[urn=(?P<urn>[^\]]+)\]$")
CHANGE = re.compile(r"^\s*(?P<mark>\+-|-\+|[~+\-])\s*(?P<key>[\w\-]+)\s*:")
OPEN = re.compile(r"^\s*(?:(?:\+-|-\+|[~+\-])\s*)?(?P<key>[\w\-]+)\s*: \{$")


@dataclass
class Block:
    """One resource in a diff: its step (update, replace, refresh, ...) and the lines marked as changes."""

    type: str
    step: str
    protected: bool = False
    name: str = ""
    changes: list[str] = field(default_factory=list)
    """Marked property lines as ``<mark><path>``: ``~name``, ``-time_zone``, ``~business_address.city``;
    lines after ``--outputs:--`` (a refresh) as ``~outputs.name``."""


def parse_diff(text: str) -> list[Block]:
    """The resource blocks of a `pulumi preview --diff` (or `up --diff`) transcript, in order."""
    blocks: list[Block] = []
    section: list[str] = []  # ["outputs"] after a refresh block's --outputs:-- marker
    nested: list[str] = []  # the keys of the objects ({ ... }) the line is in
    for line in text.splitlines():
        if header := HEADER.match(line):
            blocks.append(Block(header["type"], header["step"], bool(header["lock"])))
            section, nested = [], []
            continue
        if line.startswith(("Resources:", "Outputs:", "Diagnostics:")):
            blocks.append(Block("", "end"))  # what follows is no resource's diff
            continue
        if not blocks or blocks[-1].step == "end":
            continue
        block = blocks[-1]
        if urn := URN.match(line):
            block.name = urn["urn"].rsplit("::", 1)[-1]
        elif line.strip() == "--outputs:--":
            section, nested = ["outputs"], []
        elif line.strip() == "}":
            nested = nested[:-1]
        else:
            if change := CHANGE.match(line):
                block.changes.append(change["mark"] + ".".join([*section, *nested, change["key"]]))
            if opened := OPEN.match(line):
                nested = [*nested, opened["key"]]
    return [b for b in blocks if b.step != "end"]


OUR_TYPES = ("pulumi-python:dynamic/", "msads:index:")
"""The type tokens of our resources: the dynamic provider's, then the native provider's (``msads:index:Customer``)."""


def steps(text: str) -> dict[str, str]:
    """``{resource name: step}`` of our resources in a diff, leaving out "same" and refresh blocks."""
    return {
        b.name: b.step for b in parse_diff(text) if b.type.startswith(OUR_TYPES) and b.step not in ("same", "refresh")
    }


def changes(text: str, name: str, step: str | None = None) -> list[str]:
    """The marked lines of resource ``name`` in a diff (of its ``step`` block, when given)."""
    found = [b.changes for b in parse_diff(text) if b.name == name and (step is None or b.step == step)]
    assert found, f"no {step or ''} block for {name!r} in:\n{text}"
    return found[-1]


# -- what the README quotes ------------------------------------------------------------------------------

VARIABLE = (
    # TrackingIds first: a UUID's last group can be all digits (one in about 300), and would pass for an id.
    (re.compile(r"TrackingId: [0-9a-f.\-]+"), "TrackingId: <tracking>"),
    (re.compile(r"\b\d{6,}\b"), "<id>"),
    (re.compile(r"resource '[^']+'"), "resource '<name>'"),
    (re.compile(r"'[^']+ - (?:Social|Video)'"), "'<account>'"),
    (re.compile(r"a customer named '[^']+'"), "a customer named '<name>'"),
    (re.compile(r"number [A-Z0-9]{6,}"), "number <number>"),
    (re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+(?:[+-]\d\d:\d\d|Z)?"), "<time>"),
    (re.compile(r"^\s*[a-z0-9/_-]+: (Customer|Account) '[^']+' was"), r"<key>: \1 '<name>' was"),
    (re.compile(r"at customers\.[\w.]+:"), "at customers.<key>:"),
    (re.compile(r'on (Customer|Account)\("[^"]+"'), r'on \1("<key>"'),
    (re.compile(r"\b\d+ adopt_id line"), "<n> adopt_id line"),
    (re.compile(r"\s+"), " "),
)
"""What differs between the README's quotes and a given run: ids, TrackingIds, names, spacing."""


def _normalized(text: str) -> str:
    for pattern, replacement in VARIABLE:
        text = pattern.sub(replacement, text)
    return text.strip()


def quoted_in_readme(name: str) -> list[str]:
    """The lines of the README's ``<!-- doc: cli-output NAME -->`` block."""
    from ..docs.test_readme import blocks

    (body,) = blocks("cli-output", name)
    return [line for line in body.splitlines() if line.strip()]


def assert_shows_readme_quote(run: Run, name: str) -> None:
    """Every line the README quotes as block ``name`` is a line of what the CLI printed (up to ids and names)."""
    printed = {_normalized(line) for line in run.output.splitlines()}
    for line in quoted_in_readme(name):
        assert _normalized(line) in printed, f"the README quotes a line the CLI does not print: {line!r}\n{run}"


# -- killing a CLI -------------------------------------------------------------------------------------------


def _processes() -> dict[int, tuple[int, str]]:
    """Each live process's parent and start time (from /proc/<pid>/stat), the start time telling a reused pid apart."""
    found: dict[int, tuple[int, str]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            found[int(stat.parent.name)] = (int(fields[1]), fields[19])
    return found


def _descendants(pid: int) -> dict[int, str]:
    """Every live process below ``pid``, with its start time, so that a test can end what the kill of one process
    group orphans (the CLI starts each plugin in a group of its own)."""
    processes = _processes()
    found: dict[int, str] = {}
    frontier = {pid}
    while frontier:
        frontier = {child for child, (parent, _) in processes.items() if parent in frontier}
        found.update((child, processes[child][1]) for child in frontier)
    return found


def _kill_if_same(processes: dict[int, str]) -> None:
    now = _processes()
    for pid, started in processes.items():
        if pid in now and now[pid][1] == started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def kill_cli(process: subprocess.Popen[Any], grace: float = 0.0) -> None:
    """SIGKILL a CLI started in a session of its own (its whole process group), wait ``grace`` seconds for the
    requests in flight to commit, then end the plugins the kill orphaned: each runs in a process group of its own,
    so the group kill misses them, and they would wait for an engine forever, one per killed run."""
    plugins = _descendants(process.pid)
    with contextlib.suppress(ProcessLookupError):  # the engine may have ended on its own already
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    time.sleep(grace)
    _kill_if_same(plugins)
