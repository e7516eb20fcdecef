"""scripts/pulumi-language-python-wrapper: the project's virtualenv reaches the older language host.

The host scripts/pulumi-cli builds takes ``virtualenv`` only as the flags -root and -virtualenv;
the wrapper reads it from Pulumi.yaml, as a full Pulumi install would. Here the wrapper runs in
front of a stand-in host that prints the arguments it got.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .support import REPO

WRAPPER = REPO / "scripts" / "pulumi-language-python-wrapper"
ENGINE = "127.0.0.1:4242"


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """bin/pulumi-language-python (the wrapper) and libexec/pulumi-language-python (prints its arguments)."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "libexec").mkdir()
    shutil.copy(WRAPPER, tmp_path / "bin" / "pulumi-language-python")
    stand_in = tmp_path / "libexec" / "pulumi-language-python"
    stand_in.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    stand_in.chmod(0o755)
    return tmp_path / "bin" / "pulumi-language-python"


def run(host: Path, cwd: Path) -> list[str]:
    done = subprocess.run([str(host), ENGINE], cwd=cwd, capture_output=True, text=True, check=True, timeout=30)
    return done.stdout.split()


CASES = {
    "block": ("runtime:\n  name: python\n  options:\n    virtualenv: venv\n", "venv"),
    "quoted": ('runtime:\n  name: python\n  options:\n    virtualenv: "../../.venv"  # shared\n', "../../.venv"),
    "flow": ("runtime: {name: python, options: {toolchain: pip, virtualenv: .venv}}\n", ".venv"),
    "uv": ("runtime:\n  name: python\n  options:\n    toolchain: uv\n", ".venv"),
    "commented": ("# virtualenv: nothere\nruntime:\n  name: python\n  options:\n    virtualenv: env\n", "env"),
}


@pytest.mark.parametrize("name", CASES)
def test_the_virtualenv_of_pulumi_yaml_is_passed_with_the_project_root(name: str, host: Path, tmp_path: Path) -> None:
    text, venv = CASES[name]
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text(f"name: p\n{text}")
    for cwd in (project, project / "src"):  # the host may start in the program's folder
        assert run(host, cwd) == [f"-root={project}", f"-virtualenv={venv}", ENGINE]


def test_without_a_virtualenv_the_host_gets_only_the_engine(host: Path, tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    assert run(host, tmp_path) == [ENGINE]
