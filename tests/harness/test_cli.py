"""End-to-end tests through the real `pulumi` CLI, where one is installed.

Everything else drives the provider server without the CLI (see ``engine.py``); when a CLI is available these are the
place for Automation-API runs that cross-check the harness against the real engine.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

pytestmark = pytest.mark.cli

PULUMI = shutil.which("pulumi")


@pytest.mark.skipif(PULUMI is None, reason="pulumi CLI not on PATH; it ships only from Pulumi's download site")
def test_pulumi_version() -> None:
    assert PULUMI is not None
    result = subprocess.run([PULUMI, "version"], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip().startswith("v3.")
