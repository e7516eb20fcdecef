"""Running an emulator as a separate process and talking to its control plane.

Used by the test fixtures, the benchmarks and the quickstart: each starts the real
``msads-emulator`` command, reads the service URL from its first line of output, and drives the
``/_emulator/`` routes over HTTP like any other client would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests

from .. import wsdl

SEED_TIMEOUT = 120
"""Seconds a seed may take: an agency of hundreds of customers takes about a second, a slow CI box more."""


class EmulatorControl:
    """A client of an emulator's ``/_emulator/`` control plane."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.base_url = url.removesuffix(wsdl.SERVICE_PATH)
        self._http = requests.Session()

    def _call(self, method: str, route: str, body: dict[str, Any] | None = None) -> Any:
        response = self._http.request(method, f"{self.base_url}/_emulator/{route}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "health")
        return result

    def reset(self, *, data: bool = True, calls: bool = True, faults: bool = True, settings: bool = True) -> None:
        self._call("POST", "reset", {"data": data, "calls": calls, "faults": faults, "settings": settings})

    def calls(self) -> dict[str, int]:
        counts: dict[str, int] = self._call("GET", "calls")["calls"]
        return counts

    def faces(self) -> dict[str, int]:
        """Calls since the last reset by the face they came through: ``{"rest": 3}``."""
        counts: dict[str, int] = self._call("GET", "calls")["faces"]
        return counts

    def max_in_flight(self) -> int:
        """The most calls the emulator was answering at once since the last reset of the counts."""
        return int(self.counts()["max_in_flight"])

    def counts(self) -> dict[str, Any]:
        """Everything ``GET /_emulator/calls`` says (calls, total, faces, max_in_flight), from one read."""
        counted: dict[str, Any] = self._call("GET", "calls")
        return counted

    def total_calls(self) -> int:
        return int(self._call("GET", "calls")["total"])

    def reset_calls(self) -> None:
        self.reset(data=False, calls=True, faults=False)

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        """Inject a fault rule; see ``control.FaultRule`` for the fields."""
        created: dict[str, Any] = self._call("POST", "faults", rule)
        return created

    def faults(self) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = self._call("GET", "faults")["faults"]
        return rules

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def set_latency(self, seconds: float) -> None:
        self._call("POST", "latency", {"seconds": seconds})

    def set_rate_limit(self, calls_per_minute: int | None, window_seconds: float = 60.0) -> dict[str, Any]:
        """Throttle calls beyond ``calls_per_minute`` in any sliding window (None: no limit), answering 117."""
        limit: dict[str, Any] = self._call(
            "POST", "rate-limit", {"calls_per_minute": calls_per_minute, "window_seconds": window_seconds}
        )
        return limit

    def settings(self, **changes: Any) -> dict[str, Any]:
        """The adjustable settings (``update_semantics``, ``listing_delay``), after applying ``changes``."""
        return self._call("POST", "settings", changes) if changes else self._call("GET", "settings")  # type: ignore[no-any-return]

    def data(self) -> dict[str, list[dict[str, Any]]]:
        """Every stored customer, account and user (``GET /_emulator/data``)."""
        stored: dict[str, list[dict[str, Any]]] = self._call("GET", "data")
        return stored

    def seed(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """Load a fixture of customers and accounts (``POST /_emulator/seed``); returns the ids created.

        A refused fixture raises ValueError with the emulator's message, which names the bad entity:
        that message, not an HTTP status, is what a test author needs to fix it.
        """
        response = self._http.post(f"{self.base_url}/_emulator/seed", json=fixture, timeout=SEED_TIMEOUT)
        if response.status_code == 400:
            raise ValueError(response.json()["error"])
        response.raise_for_status()
        created: dict[str, Any] = response.json()
        return created

    def set_account_status(self, account_id: int | str, status: str) -> None:
        self._call("POST", f"accounts/{account_id}/status", {"status": status})

    def is_up(self) -> bool:
        try:
            return self.health().get("status") == "ok"
        except requests.RequestException:
            return False


class EmulatorProcess:
    """``msads-emulator`` in a child process; stop() ends it, kill() ends it with SIGKILL."""

    def __init__(self, db: str | Path = ":memory:", args: Sequence[str] = (), port: int = 0) -> None:
        self.db = str(db)
        self.args = list(args)
        self.port = port
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.control: EmulatorControl

    def start(self, timeout: float = 30) -> EmulatorProcess:
        command = [sys.executable, "-m", "pulumi_msads.emulator", "--port", str(self.port), "--db", self.db, *self.args]
        # stderr goes to a file: a pipe nobody reads would block the emulator once it filled up.
        self.log = tempfile.NamedTemporaryFile(prefix="msads-emulator-", suffix=".log", delete=False)  # noqa: SIM115
        self.proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=self.log, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http"):
            self.proc.kill()
            self.proc.wait(timeout=5)
            raise RuntimeError(f"the emulator did not start: {line}{self.log_text()}")
        self.url = line
        self.control = EmulatorControl(line)
        deadline = time.monotonic() + timeout
        while not self.control.is_up():
            if time.monotonic() > deadline:
                raise RuntimeError("the emulator did not answer its health check")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._close_pipes()

    def kill(self) -> None:
        """End the process with SIGKILL: no cleanup, as in a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close_pipes()

    def log_text(self) -> str:
        """What the emulator wrote on stderr so far."""
        return Path(self.log.name).read_text(errors="replace")

    def _close_pipes(self) -> None:
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        self.log.close()

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
