"""The HTTP method and path of each Customer Management v13 operation over REST.

SOAP has one endpoint and names the operation in the body; REST names it with a verb and a path
instead (``SignupCustomer`` is ``POST /CustomerManagement/v13/Customer/Signup``). The REST client
needs the way from name to route and the emulator's router the way back, so both come from this one
table.

The table is ``rest_operations.json`` beside this module, generated from the code of Microsoft's
REST SDK ``msads`` (its ``openapi_client.api.customer_management_service_api``; the JSON's
``source`` says which version) rather than copied from the documentation. msads cannot be installed
next to the SOAP SDK ``bingads`` (both ship a top-level ``bingads`` package), so it lives in
``.venv-msads`` and the table is committed. To regenerate it::

    scripts/msads-env
    .venv-msads/bin/python scripts/rest-operations > provider/pulumi_msads/rest_operations.json

``tests/rest/test_rest_operations.py`` fails when the committed file differs from what the script
prints, or when its operations are not exactly the WSDL's.
"""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Mapping
from types import MappingProxyType

RESOURCE = "rest_operations.json"


def _load() -> tuple[str, Mapping[str, tuple[str, str]]]:
    """Read the table once, at import: it is small, and every caller needs all of it."""
    text = importlib.resources.files(__package__).joinpath(RESOURCE).read_text(encoding="utf-8")
    document = json.loads(text)
    routes = {name: (str(entry["method"]), str(entry["path"])) for name, entry in document["operations"].items()}
    return str(document["source"]), MappingProxyType(routes)


SOURCE, ROUTES = _load()
"""Where the table was generated from, and operation name -> (HTTP method in upper case, path)."""

_OPERATIONS_AT: Mapping[tuple[str, str], str] = MappingProxyType(
    {(method, path): name for name, (method, path) in ROUTES.items()}
)


def route(operation: str) -> tuple[str, str]:
    """``(method, path)`` of a WSDL operation name, e.g. ``("POST", "/CustomerManagement/v13/Customer/Signup")``.

    Raises KeyError naming the operation, so a typo in a caller fails loudly instead of sending a
    request to a path the service does not have.
    """
    try:
        return ROUTES[operation]
    except KeyError:
        raise KeyError(f"no REST route for operation {operation!r} (generated from {SOURCE})") from None


def operation_at(method: str, path: str) -> str | None:
    """The operation served at ``method`` + ``path``, or None (the router answers 404 or 405 then).

    The method is compared case-insensitively, as HTTP methods are tokens a client may send in any
    case; the path exactly, as the service's paths are case-sensitive resource names and the SDK
    always sends them verbatim.
    """
    return _OPERATIONS_AT.get((method.upper(), path))
