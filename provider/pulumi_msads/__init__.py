"""pulumi-msads: Microsoft Advertising customers and accounts as Pulumi resources.

The public API is what this module exports; everything else is private to the package. The
exports are loaded on first use, so that ``pulumi_msads.emulator`` does not import Pulumi, the
providers and the bingads SDK just to serve SOAP (it starts in a third of the time).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import (
        AccountInDraftError,
        ApiError,
        AuthenticationError,
        ConfigurationError,
        CreateOutcomeUnknownError,
        DeletionPreventedError,
        ErrorDetail,
        InputError,
        MsadsError,
        NameTakenError,
        NotFoundError,
        PermissionDeniedError,
        ProtocolError,
        ServiceError,
        ThrottledError,
        TimestampMismatchError,
        TransportError,
        UnchangeableError,
    )
    from .providers import AccountProvider, CustomerProvider
    from .resources import Account, AccountArgs, AddressArgs, Customer, CustomerArgs, PrimaryAccountArgs

_EXPORTS = {
    "errors": (
        "AccountInDraftError", "ApiError", "AuthenticationError", "ConfigurationError", "CreateOutcomeUnknownError",
        "DeletionPreventedError", "ErrorDetail", "InputError", "MsadsError", "NameTakenError", "NotFoundError",
        "UnchangeableError",
        "PermissionDeniedError", "ProtocolError", "ServiceError", "ThrottledError",
        "TimestampMismatchError", "TransportError",
    ),
    "providers": ("AccountProvider", "CustomerProvider"),
    "resources": ("Account", "AccountArgs", "AddressArgs", "Customer", "CustomerArgs", "PrimaryAccountArgs"),
}  # fmt: skip
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = [  # the same names as _EXPORTS (a test checks), written out for tools that read it statically
    "Account",
    "AccountArgs",
    "AccountInDraftError",
    "AccountProvider",
    "AddressArgs",
    "ApiError",
    "AuthenticationError",
    "ConfigurationError",
    "CreateOutcomeUnknownError",
    "Customer",
    "CustomerArgs",
    "CustomerProvider",
    "DeletionPreventedError",
    "ErrorDetail",
    "InputError",
    "MsadsError",
    "NameTakenError",
    "NotFoundError",
    "PermissionDeniedError",
    "PrimaryAccountArgs",
    "ProtocolError",
    "ServiceError",
    "ThrottledError",
    "TimestampMismatchError",
    "TransportError",
    "UnchangeableError",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'pulumi_msads' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
