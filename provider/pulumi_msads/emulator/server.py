"""Serving an emulator with waitress, in the foreground (the CLI) or on a background thread (tests)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import platformdirs
from waitress.server import create_server

from .. import wsdl
from . import seed, soap
from .app import EmulatorApp
from .backend import Backend, Settings
from .control import RateLimit
from .store import Store

DEFAULT_HOST, DEFAULT_PORT, DEFAULT_THREADS = "127.0.0.1", 8089, 16
CONNECTION_LIMIT = 2000
MAX_HTTP_BODY_BYTES = 64 * 1024 * 1024


def default_db_path() -> Path:
    """Where the emulator keeps its data unless told otherwise: the user's state directory."""
    return Path(platformdirs.user_state_dir("pulumi-msads")) / "emulator.sqlite3"


class EmulatorServer:
    """An emulator bound to a socket; ``url`` is its service URL once constructed."""

    def __init__(
        self,
        db: str | Path = ":memory:",
        host: str = DEFAULT_HOST,
        port: int = 0,
        settings: Settings | None = None,
        threads: int = DEFAULT_THREADS,
        *,
        allow_hosts: tuple[str, ...] = (),
        allow_origins: tuple[str, ...] = (),
        calls_per_minute: int | None = None,
        seed_fixture: Any = None,
    ) -> None:
        soap.prepare()
        self.store = Store(db)
        self.backend = Backend(self.store, settings)
        self.app = EmulatorApp(self.backend)
        try:
            self.seeded = self._seed(seed_fixture)
        except BaseException:
            self.store.close()
            raise
        self._server: Any = create_server(
            self.app,
            host=host,
            port=port,
            threads=threads,
            ident="msads-emulator",
            clear_untrusted_proxy_headers=True,
            channel_timeout=120,
            # waitress's default of 100 connections makes the 101st client wait for an idle one to
            # time out; agency-sized runs and keep-alive pools need more (each idle socket costs no thread).
            connection_limit=CONNECTION_LIMIT,
            # Bodies beyond this get waitress's own 413; up to it, the SOAP layer answers a fault.
            max_request_body_size=MAX_HTTP_BODY_BYTES,
        )
        bound_host = host if ":" not in host else f"[{host}]"
        self.url = f"http://{bound_host}:{self._server.effective_port}{wsdl.SERVICE_PATH}"
        self.app.public_url = self.url
        port = self._server.effective_port
        if "*" in allow_hosts or host in ("0.0.0.0", "::", ""):
            self.app.allowed_hosts = None  # bound to every interface: the user chose to serve other names
        else:
            names = {bound_host, "127.0.0.1", "localhost", "[::1]", *allow_hosts}
            self.app.allowed_hosts = frozenset(f"{n}:{port}".lower() for n in names) | {n.lower() for n in allow_hosts}
        self.app.allowed_origins = frozenset(o.lower().rstrip("/") for o in allow_origins)
        if calls_per_minute is not None:
            self.app.control.started_with = calls_per_minute
            self.app.control.set_rate_limit(RateLimit(calls_per_minute))
        self._thread: threading.Thread | None = None

    def _seed(self, fixture: Any) -> dict[str, Any] | None:
        """Load ``--seed``'s fixture into a store that holds no clients yet, and keep it for every reset.

        A store that already holds clients (a restart on the same ``--db`` file) is left as it is, so
        that the agency is not created twice; None then. A bad fixture raises ``seed.SeedError``
        before the socket is bound.
        """
        if fixture is None:
            return None
        self.app.seed_fixture = fixture
        return seed.load(self.backend, fixture) if seed.holds_no_clients(self.store) else None

    @property
    def base_url(self) -> str:
        return self.url.removesuffix(wsdl.SERVICE_PATH)

    def serve_forever(self) -> None:
        self._server.run()

    def start(self) -> EmulatorServer:
        self._thread = threading.Thread(target=self.serve_forever, name="msads-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.store.close()
