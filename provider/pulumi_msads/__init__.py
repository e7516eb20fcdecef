"""pulumi-msads: Microsoft Advertising customers and accounts as Pulumi resources.

The public API is what this module exports; everything else is private to the package.
"""

from .errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    ErrorDetail,
    InputError,
    MsadsError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    ServiceError,
    ThrottledError,
    TimestampMismatchError,
    TransportError,
)
from .providers import AccountProvider, CustomerProvider
from .resources import Account, AccountArgs, AddressArgs, Customer, CustomerArgs, PrimaryAccountArgs

__all__ = [
    "Account",
    "AccountArgs",
    "AccountProvider",
    "AddressArgs",
    "ApiError",
    "AuthenticationError",
    "ConfigurationError",
    "Customer",
    "CustomerArgs",
    "CustomerProvider",
    "ErrorDetail",
    "InputError",
    "MsadsError",
    "NotFoundError",
    "PermissionDeniedError",
    "PrimaryAccountArgs",
    "ProtocolError",
    "ServiceError",
    "ThrottledError",
    "TimestampMismatchError",
    "TransportError",
]
