"""Every code block in the README is exercised here, so the README cannot drift from what works.

Each block is preceded by a ``<!-- doc: KIND ... -->`` comment saying how it is checked: ``run`` blocks
are executed, ``file`` blocks must equal the file they show, ``python`` blocks run as a program under
mocks, ``config`` blocks may only name real configuration keys, ``cli`` blocks (which need the Pulumi
CLI) must name actions the scripts accept, and the ``layout`` block may only name files that exist.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from pulumi_msads import config

from ..harness import RecordingMocks, run_program

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()
BLOCK = re.compile(r"<!-- doc: (?P<kind>[a-z]+)(?: (?P<arg>[^ ]+))? -->\n```(?P<lang>\w*)\n(?P<body>.*?)```", re.S)
BLOCKS = [(m["kind"], m["arg"], m["body"]) for m in BLOCK.finditer(README)]


def blocks(kind: str, arg: str | None = None) -> list[str]:
    return [body for k, a, body in BLOCKS if k == kind and (arg is None or a == arg)]


def test_every_code_block_says_how_it_is_checked() -> None:
    assert README.count("```") == 2 * len(BLOCKS), "a code block without a <!-- doc: ... --> tag"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_without_pulumi(tmp_path: Path) -> dict[str, str]:
    """PATH without any pulumi CLI, the emulator on a free port with its data in a temporary file."""
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "pulumi").exists())
    return {
        **os.environ,
        "PATH": path,
        "MSADS_EMULATOR_PORT": str(free_port()),
        "MSADS_EMULATOR_DB": str(tmp_path / "quickstart.sqlite3"),
    }


def test_the_main_job_command_sets_up_starts_the_emulator_and_says_how_to_get_the_cli(tmp_path: Path) -> None:
    (command,) = blocks("run", "quickstart")
    env = env_without_pulumi(tmp_path)
    try:
        result = subprocess.run(command.split(), cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 3, result.stderr
        assert (
            result.stderr.strip().splitlines()[-1].startswith("quickstart: the pulumi CLI is not on PATH; install it")
        )
        status = subprocess.run(["scripts/emulator", "status"], cwd=REPO, env=env, capture_output=True, text=True)
        assert status.returncode == 0 and "running" in status.stdout
    finally:
        subprocess.run(["scripts/emulator", "stop"], cwd=REPO, env=env, capture_output=True)


def test_the_test_command_is_what_ci_runs() -> None:
    (command,) = blocks("run", "test")
    ci = (REPO / ".ci" / "run").read_text()
    assert f"exec {command.strip()}" in ci


@pytest.mark.parametrize("line", [line for body in blocks("cli") for line in body.splitlines()])
def test_cli_blocks_name_actions_the_scripts_accept(line: str, tmp_path: Path) -> None:
    command = line.split("#", maxsplit=1)[0].split()
    env = env_without_pulumi(tmp_path)
    if command[0] == "scripts/quickstart":
        if shutil.which("pulumi"):
            pytest.skip("with the pulumi CLI on PATH this would really run the quickstart")
        result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        subprocess.run(["scripts/emulator", "stop"], cwd=REPO, env=env, capture_output=True)
        assert result.returncode == 3, f"{line!r} is not an action of scripts/quickstart: {result.stderr}"
    else:
        result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr


def test_readme_shows_the_quickstart_program_as_it_is() -> None:
    for kind, path, body in BLOCKS:
        if kind == "file":
            assert body == (REPO / str(path)).read_text(), f"the README's copy of {path} is stale"


def test_config_blocks_and_table_name_exactly_the_real_keys() -> None:
    (body,) = blocks("config")
    keys = set(re.findall(r"pulumi config set (?:--secret )?(msads:\w+)", body))
    assert keys <= {key for key, _ in config.KEYS.values()}
    table = dict(re.findall(r"^\| `(msads:\w+)` \| `(MSADS_\w+)` \|", README, re.M))
    assert table == dict(config.KEYS.values()), "the README's configuration table differs from config.KEYS"


def test_secret_settings_are_shown_with_secret() -> None:
    (body,) = blocks("config")
    for setting in config.SECRET_SETTINGS:
        key = config.KEYS[setting][0]
        assert all("--secret" in line for line in body.splitlines() if key in line)


@pytest.mark.parametrize("body", blocks("python"))
def test_python_blocks_run_as_programs(body: str) -> None:
    mocks = RecordingMocks()
    run_program(lambda: exec(compile(body, "README.md", "exec"), {}), mocks)
    assert mocks.resources, "the block declares at least one resource"


def test_the_emulator_command_prints_its_url_first(tmp_path: Path) -> None:
    (command,) = blocks("run", "emulator")
    args = command.split()
    args[0] = str(Path(sys.executable).parent / "msads-emulator")
    process = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/Api/CustomerManagement/v13/CustomerManagementService\.svc", url)
        with urllib.request.urlopen(url + "?wsdl", timeout=10) as response:
            assert url.encode() in response.read(), "the served WSDL points at the emulator"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_layout_names_only_files_that_exist() -> None:
    (body,) = blocks("layout")
    package = REPO / "provider" / "pulumi_msads"
    for name in re.findall(r"\b(\w+\.py)\b", body):
        assert (package / name).exists() or (package / "emulator" / name).exists(), name
    for folder in re.findall(r"^(\S+/)", body, re.M):
        assert (REPO / folder).is_dir(), folder
