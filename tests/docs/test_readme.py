"""Every code block in the README is exercised here, so the README cannot drift from what works.

Each block is preceded by a ``<!-- doc: KIND ... -->`` comment saying how it is checked: ``run`` blocks
are executed, ``file`` blocks must equal the file they show, ``python`` blocks run as a program under
mocks, ``config`` blocks may only name real configuration keys, and the ``layout`` block may only name
files that exist. The ``run quickstart`` and ``cli`` blocks run for real, under the Pulumi CLI, in
tests/cli/test_quickstart_scripts.py, and ``cli-output`` blocks are what tests/cli/test_stacks.py sees
the CLI print.
"""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from pulumi_msads import config

from ..harness import RecordingMocks, run_program

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()
BLOCK = re.compile(r"<!-- doc: (?P<kind>[a-z-]+)(?: (?P<arg>[^ ]+))? -->\n```(?P<lang>\w*)\n(?P<body>.*?)```", re.S)
BLOCKS = [(m["kind"], m["arg"], m["body"]) for m in BLOCK.finditer(README)]


def blocks(kind: str, arg: str | None = None) -> list[str]:
    return [body for k, a, body in BLOCKS if k == kind and (arg is None or a == arg)]


def test_every_code_block_says_how_it_is_checked() -> None:
    assert README.count("```") == 2 * len(BLOCKS), "a code block without a <!-- doc: ... --> tag"


def test_the_test_command_is_what_ci_runs() -> None:
    (command,) = blocks("run", "test")
    ci = (REPO / ".ci" / "run").read_text()
    assert f"exec {command.strip()}" in ci


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
