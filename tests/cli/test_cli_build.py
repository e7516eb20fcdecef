"""The CLI the tests use: the pinned version, stamped so that the Automation API accepts it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pulumi.automation import PulumiCommand

from .support import REPO

pytestmark = pytest.mark.cli

PINNED = re.search(r"^PULUMI_VERSION=(v\S+)", (REPO / "scripts" / "pulumi-cli").read_text(), re.M)


def test_pulumi_reports_a_version(pulumi_cli: Path) -> None:
    shown = subprocess.run([str(pulumi_cli / "pulumi"), "version"], capture_output=True, text=True, check=True)
    assert re.fullmatch(r"v3\.\d+\.\d+", shown.stdout.strip()), "an unstamped build prints nothing"
    if "pulumi-msads" in str(pulumi_cli):  # built by scripts/pulumi-cli, not a CLI found on PATH
        assert PINNED is not None and shown.stdout.strip() == PINNED[1]


def test_the_automation_api_accepts_the_cli(pulumi_cli: Path) -> None:
    command = PulumiCommand(root=str(pulumi_cli.parent))
    assert command.version is not None and command.version.major == 3


def test_the_launcher_and_the_language_host_sit_beside_pulumi(pulumi_cli: Path) -> None:
    for plugin in ("pulumi-resource-pulumi-python", "pulumi-language-python"):
        assert (pulumi_cli / plugin).is_file(), f"the engine looks for {plugin} next to pulumi"
