"""One exception tree for everything this package raises (after httpx's).

``MsadsError`` is the root. ``ApiError`` and its subclasses are SOAP faults from the service and
carry every error of the fault (code, symbolic name, message, details) plus the TrackingId that
Microsoft support asks for; ``TransportError`` is a failure to get an answer at all. No message
built here ever includes a credential: they are made from the fault, the operation and ids only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .codes import lookup


class MsadsError(Exception):
    """Base class of every error raised by pulumi_msads."""


class ConfigurationError(MsadsError):
    """The provider's configuration is missing something or contradicts itself."""


class InputError(MsadsError):
    """Resource inputs that fail validation; ``failures`` pairs each property path with the reason."""

    def __init__(self, failures: Sequence[tuple[str, str]]) -> None:
        self.failures = list(failures)
        super().__init__("; ".join(f"{path}: {reason}" for path, reason in self.failures))


class NameTakenError(InputError):
    """A create refused before any write: an object with the declared name exists already.

    Creating it anyway would make a second customer (names are not unique under an aggregator) or
    be refused (account names are unique within a customer); taking the existing one over without
    being asked would overwrite it. ``existing`` holds the ids found; the message says how to adopt.
    """

    def __init__(self, prop: str, reason: str, existing: Sequence[str]) -> None:
        super().__init__([(prop, reason)])
        self.existing = tuple(existing)


class CreateOutcomeUnknownError(MsadsError):
    """A create whose answer was lost, and whose object did not turn up while it could still commit.

    It may still appear on the service; nothing was recorded in the stack. The create guard makes
    the next ``pulumi up`` stop at it, by name, instead of creating a second one.
    """


class IncompleteCreateError(MsadsError):
    """A create that made its object, then failed a step after it (setting what the create call cannot set).

    The object exists: a provider that can record a partial create (the native one) records it and fails the
    step with this; the dynamic one records it as made. Either way the next ``pulumi up`` sets what is missing.
    """

    def __init__(self, what: str, unset: Sequence[str], cause: MsadsError) -> None:
        super().__init__(f"{what} was created, but setting {', '.join(unset)} failed: {cause}")
        self.cause = cause


class CancelledError(MsadsError):
    """The deployment was cancelled (Ctrl-C, ``pulumi cancel``): the operation stopped before its next call.

    A call already sent is answered first; only waits (retries, the call limit) and calls not yet sent stop.
    """


class DeletionPreventedError(MsadsError):
    """A delete (or a replacement, which deletes) refused by the resource's ``deletion_policy``."""


class UnchangeableError(MsadsError):
    """A change the API cannot make in place and that no replacement would make either (refused in the preview)."""


FAULT_SHAPES: dict[str, tuple[str, str]] = {
    "AdApiFaultDetail": ("Errors", "Detail"),
    "ApiFault": ("OperationErrors", "Details"),
}
"""The service's two fault types: the list that holds their errors, and the name of an error's details."""


@dataclass(frozen=True)
class ErrorDetail:
    """One error of a fault, whichever of the two fault shapes (``FAULT_SHAPES``) and wires it came in."""

    code: int
    error_code: str
    message: str
    details: str | None = None

    @classmethod
    def of(
        cls, code: int, error_code: str | None = None, message: str | None = None, details: str | None = None
    ) -> ErrorDetail:
        """An error as a fault reports it, with Microsoft's name and message for its code where it leaves
        them out (an ApiFault's OperationError has no ErrorCode at all)."""
        return cls(code, error_code or lookup(code).name, message or lookup(code).message, details)

    def __str__(self) -> str:
        text = f"{self.code} {self.error_code}: {self.message}"
        return f"{text} ({self.details})" if self.details else text


class ApiError(MsadsError):
    """The service answered with a SOAP fault."""

    codes: frozenset[int] = frozenset()
    """The error codes that select this subclass (see ``ApiError.build``)."""

    def __init__(
        self, operation: str, errors: Sequence[ErrorDetail], tracking_id: str | None, http_status: int | None = None
    ) -> None:
        self.operation = operation
        self.errors = tuple(errors)
        self.tracking_id = tracking_id
        self.http_status = http_status
        text = "; ".join(str(e) for e in self.errors) or "no error details in the fault"
        super().__init__(f"{operation} failed: {text} [TrackingId: {tracking_id or 'none'}]")

    @property
    def code(self) -> int | None:
        """The first error's code, the one that decides what to do."""
        return self.errors[0].code if self.errors else None

    def has_code(self, *codes: int) -> bool:
        return any(e.code in codes for e in self.errors)

    @classmethod
    def build(
        cls, operation: str, errors: Sequence[ErrorDetail], tracking_id: str | None, http_status: int | None = None
    ) -> ApiError:
        """The most specific subclass for the fault's first error code."""
        for subclass in _SUBCLASSES:
            if errors and subclass.selects(errors[0]):
                return subclass(operation, errors, tracking_id, http_status)
        return cls(operation, errors, tracking_id, http_status)

    @classmethod
    def selects(cls, error: ErrorDetail) -> bool:
        """Is ``error`` (a fault's first error) one this subclass stands for?"""
        return error.code in cls.codes

    @classmethod
    def from_codes(cls, operation: str, codes: Iterable[int], tracking_id: str | None = None) -> ApiError:
        """An error built from codes alone, with Microsoft's messages (used where no fault exists)."""
        details = [ErrorDetail.of(c) for c in codes]
        return cls.build(operation, details, tracking_id)


class AuthenticationError(ApiError):
    """Credentials missing, invalid or expired (105, 109, 116)."""

    codes = frozenset({105, 109, 116})


class PermissionDeniedError(ApiError):
    """Valid credentials without the right to do this (106, 1001)."""

    codes = frozenset({106, 1001})


class ThrottledError(ApiError):
    """Too many calls in the last minute (117)."""

    codes = frozenset({117})


class TimestampMismatchError(ApiError):
    """The object changed since its TimeStamp was read (209): someone else wrote it."""

    codes = frozenset({209})

    @classmethod
    def selects(cls, error: ErrorDetail) -> bool:
        """209 is also "The Address PostalCode property is invalid" (operation-error-codes.md): that one is a
        validation error, which reading again and retrying would only repeat."""
        about_postal_code = "postalcode" in f"{error.message} {error.details or ''}".replace(" ", "").casefold()
        return error.code in cls.codes and not about_postal_code


class NotFoundError(ApiError):
    """The customer or account does not exist (210, 2108)."""

    codes = frozenset({210, 2108})


class ServiceError(ApiError):
    """The service failed on its side (0, 2208): the same call may work later."""

    codes = frozenset({0, 2208})


class AccountInDraftError(ApiError):
    """AddAccount was refused while another account of the customer is in Draft.

    The service adds no account to a customer until its Draft account is Active (billing set up).
    Microsoft documents the rule, not its error code, so this is chosen by looking at the
    customer's accounts after a refusal, never by code; it keeps the fault's errors and TrackingId.
    """

    def __init__(self, refused: ApiError, account_name: str, customer_id: str, drafts: Sequence[str]) -> None:
        super().__init__(refused.operation, refused.errors, refused.tracking_id, refused.http_status)
        self.account_name = account_name
        self.customer_id = customer_id
        self.drafts = tuple(drafts)
        faults = "; ".join(str(e) for e in self.errors) or "no error details in the fault"
        self.args = (
            f"account {account_name!r} cannot be added yet: customer {customer_id} has account "
            f"{', '.join(self.drafts)} in Draft, and no account is added to a customer until its Draft one is "
            f"Active. Set up billing for it in the web UI, then run `pulumi up` again "
            f"[{self.operation}: {faults}; TrackingId: {self.tracking_id or 'none'}]",
        )


_SUBCLASSES: tuple[type[ApiError], ...] = (
    AuthenticationError,
    PermissionDeniedError,
    ThrottledError,
    TimestampMismatchError,
    NotFoundError,
    ServiceError,
)


class TransportError(MsadsError):
    """No usable answer: a connection failure, a timeout or an HTTP error without a SOAP fault.

    ``ambiguous`` is true when the request may have reached the service, so a write may or may
    not have happened; callers of non-idempotent operations must find out before trying again.
    """

    def __init__(
        self, operation: str, reason: str, *, ambiguous: bool, http_status: int | None = None, timed_out: bool = False
    ) -> None:
        self.operation = operation
        self.reason = reason
        self.ambiguous = ambiguous
        self.timed_out = timed_out
        """We stopped waiting: the service may still be working on the request, and finish it later."""
        self.http_status = http_status
        super().__init__(f"{operation} failed: {reason}")


class ProtocolError(MsadsError):
    """The service answered with something that is not a usable SOAP message.

    Also raised for answers carrying a DTD, entity declarations or external references, which the
    client refuses to parse. Not retried: the same request would get the same answer.
    """

    def __init__(self, operation: str, reason: str) -> None:
        self.operation = operation
        self.reason = reason
        super().__init__(f"{operation} failed: {reason}")
