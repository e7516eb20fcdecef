"""The ``msads-emulator`` command (``python -m pulumi_msads.emulator``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from pulumi_msads import wsdl
from pulumi_msads.emulator import cli
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess


@pytest.fixture(scope="module")
def state_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli") / "state"


@pytest.fixture(scope="module")
def default_run(state_home: Path) -> Iterator[tuple[str, EmulatorControl]]:
    """The command with nothing but ``--port 0``, its state directory moved to a temporary one."""
    env = {**os.environ, "XDG_STATE_HOME": str(state_home), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "pulumi_msads.emulator", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env) as process:
        assert process.stdout is not None
        try:
            first_line = process.stdout.readline().strip()
            yield first_line, EmulatorControl(first_line)
        finally:
            process.terminate()
            assert process.wait(timeout=10) == 0
            process.stdout.close()


def test_the_first_line_on_stdout_is_the_service_url(default_run: tuple[str, EmulatorControl]) -> None:
    url, control = default_run
    assert urlsplit(url).path == wsdl.SERVICE_PATH
    assert control.health()["status"] == "ok"
    assert requests.get(f"{url}?wsdl", timeout=10).status_code == 200


def test_it_binds_the_loopback_address_by_default(default_run: tuple[str, EmulatorControl]) -> None:
    assert urlsplit(default_run[0]).hostname == "127.0.0.1"


def test_port_0_picks_a_free_port(default_run: tuple[str, EmulatorControl]) -> None:
    port = urlsplit(default_run[0]).port
    assert port is not None
    assert port not in (0, cli.DEFAULT_PORT)


def test_the_default_database_lives_in_the_users_state_directory(
    default_run: tuple[str, EmulatorControl], state_home: Path
) -> None:
    expected = state_home / "pulumi-msads" / "emulator.sqlite3"
    assert default_run[1].health()["db"] == str(expected)
    assert expected.exists()


def test_the_defaults_are_loopback_port_8089_and_the_state_directory() -> None:
    args = cli.parse_args([])
    assert (args.host, args.port, args.db) == ("127.0.0.1", 8089, str(cli.default_db_path()))
    assert (args.developer_token, args.access_token, args.allow_customer_delete) == (None, None, False)


def test_an_in_memory_database_leaves_no_file(deleting_emulator_process: EmulatorProcess) -> None:
    assert deleting_emulator_process.control.health()["db"] == ":memory:"
    assert not Path(":memory:").exists()


def test_a_port_in_use_is_reported_with_exit_status_2(
    emulator_process: EmulatorProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    port = str(urlsplit(emulator_process.url).port)
    assert cli.main(["--port", port, "--db", ":memory:"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"cannot listen on 127.0.0.1:{port}" in captured.err


def test_help_lists_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--host", "--port", "--db", "--developer-token", "--access-token", "--allow-customer-delete"):
        assert flag in out
