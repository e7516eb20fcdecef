"""The README's main job, run for real: `scripts/quickstart`, then its `drift` and `down`, under the Pulumi CLI.

Exactly the commands the README shows, in the repository itself (the committed Pulumi.yaml,
Pulumi.local.yaml and __main__.py), with the CLI that scripts/pulumi-cli provides, an emulator on
a free port with its data in a temporary file, and state and PULUMI_HOME of the test's own.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_msads import wsdl
from pulumi_msads.emulator.process import EmulatorControl

from ..conftest import Soap
from ..docs.test_readme import blocks
from .conftest import web_ui
from .support import CLEAN_ENV, REPO

pytestmark = [pytest.mark.cli, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=["default", "soap"])
def quickstart_env(request: pytest.FixtureRequest, tmp_path: Path, pulumi_cli: Path) -> Iterator[dict[str, str]]:
    """A user's shell with only the CLI under test on PATH; the emulator and the state in the test's folder;
    the transport left to its default (REST), or SOAP by MSADS_TRANSPORT, the variable beside msads:transport."""
    others = [p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "pulumi").exists()]
    path = os.pathsep.join([str(pulumi_cli), *others])
    env = {k: v for k, v in os.environ.items() if not k.startswith(CLEAN_ENV)}
    env.update(
        PATH=path,
        MSADS_EMULATOR_PORT=str(free_port()),
        MSADS_EMULATOR_DB=str(tmp_path / "quickstart.sqlite3"),
        MSADS_QUICKSTART_STATE=str(tmp_path / "state"),
        PULUMI_HOME=str(tmp_path / "pulumi-home"),
    )
    if request.param == "soap":
        env["MSADS_TRANSPORT"] = "soap"
    try:
        yield env
    finally:
        subprocess.run(["scripts/emulator", "stop"], cwd=REPO, env=env, capture_output=True, check=False)


def sh(line: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = line.split("#", maxsplit=1)[0].split()
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=3600, check=False)


def service(env: dict[str, str]) -> Soap:
    return web_ui(f"http://127.0.0.1:{env['MSADS_EMULATOR_PORT']}{wsdl.SERVICE_PATH}")


def test_the_readme_commands_create_check_and_destroy_the_quickstart(quickstart_env: dict[str, str]) -> None:
    (main_job,) = blocks("run", "quickstart")
    (cli,) = blocks("cli")
    drift, down, stop = (line for line in cli.splitlines() if line.strip())
    assert drift.startswith("scripts/quickstart drift") and down.startswith("scripts/quickstart down")

    up = sh(main_job, quickstart_env)
    assert up.returncode == 0, up.stdout + up.stderr
    assert "+ 3 created" in up.stdout
    control = EmulatorControl(f"http://127.0.0.1:{quickstart_env['MSADS_EMULATOR_PORT']}{wsdl.SERVICE_PATH}")
    assert set(control.faces()) == {quickstart_env.get("MSADS_TRANSPORT", "rest")}, "every call over that transport"
    (customer_id,) = re.findall(r'^ +customer_id +: "(\d+)"$', up.stdout, re.M)  # the outputs after the update

    clean = sh(drift, quickstart_env)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    soap = service(quickstart_env)
    live = soap.GetCustomer(CustomerId=int(customer_id)).Customer
    live.Name = "Renamed in the web UI"
    soap.UpdateCustomer(Customer=live)
    drifted = sh(drift, quickstart_env)
    assert drifted.returncode != 0
    assert re.search(r'~ name +: "Renamed in the web UI" => "Contoso Outdoor"', drifted.stdout), drifted.stdout

    converged = sh(main_job, quickstart_env)  # up --refresh: puts it back
    assert converged.returncode == 0, converged.stdout + converged.stderr
    assert soap.GetCustomer(CustomerId=int(customer_id)).Customer.Name == "Contoso Outdoor"

    destroyed = sh(down, quickstart_env)
    assert destroyed.returncode == 0, destroyed.stdout + destroyed.stderr
    assert "- 3 deleted" in destroyed.stdout
    stopped = sh(stop, quickstart_env)
    assert stopped.returncode == 0 and "emulator: stopped" in stopped.stdout
