"""Serving an emulator with waitress, in the foreground (the CLI) or on a background thread (tests)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import platformdirs
from waitress.server import create_server

from .. import wsdl
from . import soap
from .app import EmulatorApp
from .backend import Backend, Settings
from .store import Store

DEFAULT_HOST, DEFAULT_PORT, DEFAULT_THREADS = "127.0.0.1", 8089, 16
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
    ) -> None:
        soap.prepare()
        self.store = Store(db)
        self.backend = Backend(self.store, settings)
        self.app = EmulatorApp(self.backend)
        self._server: Any = create_server(
            self.app,
            host=host,
            port=port,
            threads=threads,
            ident="msads-emulator",
            clear_untrusted_proxy_headers=True,
            channel_timeout=120,
            # Bodies beyond this get waitress's own 413; up to it, the SOAP layer answers a fault.
            max_request_body_size=MAX_HTTP_BODY_BYTES,
        )
        bound_host = host if ":" not in host else f"[{host}]"
        self.url = f"http://{bound_host}:{self._server.effective_port}{wsdl.SERVICE_PATH}"
        self.app.public_url = self.url
        self._thread: threading.Thread | None = None

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
