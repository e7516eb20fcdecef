"""Every Python Pulumi project in the repository starts its dynamic provider under the real launcher.

The engine runs the language host against the project root and the dynamic-provider launcher
(`pulumi-resource-pulumi-python`) in the program's directory, handing it Pulumi.yaml's
``virtualenv`` as PULUMI_RUNTIME_VIRTUALENV, which the launcher resolves against its own working
directory (pulumi/pulumi#7061; sdk/go/common/resource/plugin/provider_plugin.go NewProvider, and
engine/project.go getPwdMain for the program's directory). A layout where the two resolve
differently runs the program and then fails on the first resource.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .support import REPO

pytestmark = pytest.mark.cli

ALL_PROJECTS = sorted(
    REPO / line
    for line in subprocess.run(
        ["git", "ls-files", "Pulumi.yaml", "*/Pulumi.yaml"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
)


def runtime(path: Path) -> str:
    declared = yaml.safe_load(path.read_text())["runtime"]
    return str(declared if isinstance(declared, str) else declared["name"])


PROJECTS = [path for path in ALL_PROJECTS if runtime(path) == "python"]
"""The Python projects: the dynamic provider's, and examples/native, whose program the same host runs with the
same virtualenv (its provider is the native plugin; the launcher still starts there). examples/yaml and
examples/typescript have no Python."""


def program_dir(root: Path, project: dict[str, Any]) -> Path:
    """Where the engine runs the program and starts the launcher (engine/project.go getPwdMain)."""
    main = project.get("main")
    if not main:
        return root
    path = (root / main).resolve()
    return path if path.is_dir() else path.parent


def virtualenv(project: dict[str, Any]) -> str:
    options = (project.get("runtime") or {}).get("options") or {}
    return str(options.get("virtualenv", ""))


def test_the_repository_has_its_projects() -> None:
    assert {p.relative_to(REPO).as_posix(): runtime(p) for p in ALL_PROJECTS} == {
        "Pulumi.yaml": "python",
        "examples/gitops/Pulumi.yaml": "python",
        "examples/native/Pulumi.yaml": "python",
        "examples/typescript/Pulumi.yaml": "nodejs",
        "examples/yaml/Pulumi.yaml": "yaml",
    }


@pytest.mark.parametrize("path", PROJECTS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_host_and_launcher_resolve_one_virtualenv_the_repositorys(path: Path) -> None:
    project = yaml.safe_load(path.read_text())
    venv = virtualenv(project)
    assert venv, "a project names its virtualenv, so a full Pulumi install finds the packages"
    for_host = (path.parent / venv).resolve()
    for_launcher = (program_dir(path.parent, project) / venv).resolve()
    assert for_host == for_launcher == (REPO / ".venv").resolve()


@pytest.mark.parametrize("path", PROJECTS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_the_launcher_starts_the_provider_server_in_the_program_directory(path: Path, pulumi_cli: Path) -> None:
    project = yaml.safe_load(path.read_text())
    launcher = pulumi_cli / "pulumi-resource-pulumi-python"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "VIRTUAL_ENV"))}
    env["PULUMI_RUNTIME_VIRTUALENV"] = virtualenv(project)
    process = subprocess.Popen(
        [str(launcher), "127.0.0.1:0"],
        cwd=program_dir(path.parent, project),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the launcher is a shell script with python as its child: stop both
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.isdigit(), f"the launcher printed no port: {first!r}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        _, errors = process.communicate(timeout=10)
    assert "virtualenv" not in errors, errors
