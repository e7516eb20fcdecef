"""How our errors reach the user through Pulumi's dynamic-provider server: as their message alone.

The server (``pulumi/dynamic/__main__.py``, ``_abort_with_traceback``) answers every exception a
provider method raises with ``traceback.format_exc()`` as the gRPC error, and the CLI prints all
of it: 25 lines of server and provider frames around the one line a user needs ("AddAccount
failed: ... [TrackingId: ...]"). Our own errors (``MsadsError``) already say what failed, why and
what to do, so for them the server is handed the message alone. Anything else is a bug of ours or
of a library, and keeps its full traceback, which is what a bug report needs.

This replaces the ``traceback`` name that the server module looks up, in the provider process
only, and only when that module is the server as we know it; elsewhere (tests calling provider
methods directly, the program) nothing changes. tests/cli checks what the real CLI prints.
"""

from __future__ import annotations

import sys
import traceback
from types import ModuleType
from typing import Any

from .errors import MsadsError

SERVER_MODULE = "pulumi.dynamic.__main__"
NATIVE_SERVER_MODULE = "pulumi.provider.experimental.server"


class _MessageOfOurErrors:
    """``traceback`` as the server uses it, but ``format_exc`` gives an MsadsError's message (and notes) alone."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def format_exc(self, *args: Any, **kwargs: Any) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, MsadsError):
            return "\n".join([str(error), *getattr(error, "__notes__", ())])  # notes say what to do
        return str(self._module.format_exc(*args, **kwargs))

    def extract_tb(self, *args: Any, **kwargs: Any) -> traceback.StackSummary:
        """The native server (``NATIVE_SERVER_MODULE``) prints ``message:`` and these frames: none for ours."""
        if isinstance(sys.exc_info()[1], MsadsError):
            return traceback.StackSummary()
        summary: traceback.StackSummary = self._module.extract_tb(*args, **kwargs)
        return summary

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


def install() -> None:
    """Shorten our errors in the dynamic-provider server of this process, if this process is one."""
    server = sys.modules.get("__main__")
    spec = getattr(server, "__spec__", None)
    if server is None or spec is None or spec.name != SERVER_MODULE:
        return
    if getattr(server, "traceback", None) is traceback and hasattr(server, "_abort_with_traceback"):
        server.traceback = _MessageOfOurErrors(traceback)  # type: ignore[attr-defined]


def install_native() -> None:
    """The same for the SDK's provider server that the native provider runs on (``native_provider``).

    Its methods answer an exception with ``f"{error}:\n{frames}"`` (``_raise_with_traceback``, which reads
    ``traceback.extract_tb``): an MsadsError gets no frames, anything else keeps them.
    """
    server = sys.modules.get(NATIVE_SERVER_MODULE)
    if server is not None and getattr(server, "traceback", None) is traceback:
        server.traceback = _MessageOfOurErrors(traceback)  # type: ignore[attr-defined]
