"""What a provider process holds between calls: its configuration and its SOAP client.

Module state on purpose: Pulumi pickles provider *instances* into every resource's state, so the
provider classes keep no attributes at all (no credentials in state, no unpicklable zeep client,
and none of the SDK's pickler recursion past a few hundred resources). ``configure()`` fills
this module inside the provider process; everything else reads it through ``client()``.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable

from .client import ServiceClient
from .config import KEYS, ProviderConfig
from .errors import ConfigurationError


class _State:
    """The process's one configuration and client (attributes of an object, not module globals)."""

    config: ProviderConfig | None = None
    error: ConfigurationError | None = None
    client: ServiceClient | None = None


_lock = threading.Lock()
_state = _State()


def configure(lookup: Callable[[str], object]) -> None:
    """Read the ``msads:`` keys through ``lookup`` (Pulumi config), falling back to the environment.

    A configuration error is kept: ``check`` reports it (so a preview fails on it) and every call
    that needs the service raises it. The server configures each provider class on its first use
    (Customer, then Account), with the same stack config: the same settings keep the client, and
    with it its zeep clients and what it learnt (the aggregator, a refused DeleteCustomer).
    """
    configure_logging(os.environ.get("MSADS_LOG_LEVEL", "WARNING"))
    values = {key: str(v) for key, _ in KEYS.values() if (v := lookup(key)) not in (None, "")}
    try:
        settings, problem = ProviderConfig.from_sources(values, os.environ), None
    except ConfigurationError as error:
        settings, problem = None, error
    with _lock:
        if settings is None or settings != _state.config:
            _state.config, _state.client = settings, None
        _state.error = problem


def configuration_error() -> ConfigurationError | None:
    """What is wrong with the configuration this process was given; None if it is usable (or unset)."""
    with _lock:
        return _state.error


def config() -> ProviderConfig:
    with _lock:
        if _state.error is not None:
            raise _state.error
        if _state.config is None:  # used outside a configured provider process: environment only
            _state.config = ProviderConfig.from_sources({}, os.environ)
        return _state.config


def client() -> ServiceClient:
    settings = config()
    with _lock:
        if _state.client is None or _state.client.config is not settings:
            _state.client = ServiceClient(settings)
        return _state.client


def configure_logging(level: str) -> None:
    """Send the package's log records to stderr, which the engine shows, at ``MSADS_LOG_LEVEL``.

    Only the ``pulumi_msads`` loggers: zeep's and requests' debug output would include the SOAP
    headers, and so the tokens.
    """
    logger = logging.getLogger("pulumi_msads")
    logger.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "WARNING")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("msads %(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
