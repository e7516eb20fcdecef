"""The service's error codes that this project produces or reacts to.

Numbers, symbolic names and messages are Microsoft's (``guides/operation-error-codes.md``): a
message is the documented description up to the documentation's own explanation of it (a
sentence starting "Typically", "For example" or "For more information"), which a test checks. Codes
that the documentation lists with the symbolic name "Not applicable" (Customer Management's own)
get a name of ours in the same style, marked below; the service itself never sends an ErrorCode
for them (ApiFault's OperationError has no such field).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorCode:
    code: int
    name: str
    message: str


def _table(*rows: tuple[int, str, str]) -> dict[int, ErrorCode]:
    return {code: ErrorCode(code, name, message) for code, name, message in rows}


CODES: dict[int, ErrorCode] = _table(
    (
        0,
        "InternalError",
        "An unidentified error has occurred. You may obtain additional information about this error by "
        "contacting Microsoft Advertising Support.",
    ),
    (100, "NullRequest", "The request message is null."),
    (
        105,
        "InvalidCredentials",
        "Authentication failed. Either supplied credentials are invalid or the account is inactive.",
    ),
    (106, "UserIsNotAuthorized", "The user is not authorized to perform this action."),
    (109, "AuthenticationTokenExpired", "Authentication token expired. Please renew it or obtain a new token."),
    (116, "RequestMissingHeaders", "One or more required header elements are missing from the request."),
    (
        117,
        "CallRateExceeded",
        "You have exceeded the number of calls that you are allowed to make in a minute. Please reduce the "
        "number of calls that you make per minute.",
    ),
    (201, "ApiInputValidationError", "One or more input elements failed validation."),
    (202, "ApiExecutionError", "The operation cannot be completed."),
    (203, "NullParameter", "The parameter cannot be null."),
    (204, "OperationNotSupported", "The operation is not supported."),
    (208, "InvalidAccount", "The account is not valid."),
    (209, "TimestampNotMatch", "The time stamp does not match."),
    (210, "EntityNotExistent", "The entity does not exist."),
    (211, "NameTooLong", "The specified name is too long."),
    # Customer Management codes listed as "Not applicable": names are ours.
    (
        310,
        "CustomerObjectRequired",
        "You should specify a Customer object, for example when creating or updating customers.",
    ),
    (
        1138,
        "InvoiceAccountBusinessAddressReadOnly",
        "Invoice accounts are not allowed to add or update the business address.",
    ),
    (1139, "BusinessAddressRequired", "The business address of this account is required."),
    (1140, "BusinessAddressInvalid", "The business address of this account is not valid."),
    (
        1144,
        "TaxInformationNotApplicable",
        "The tax information is not applicable for the business address. Check rules for each country/region.",
    ),
    (
        1145,
        "TaxInformationInvalidKeys",
        "The tax information has invalid or duplicate keys for the Account Business Address.",
    ),
    (1148, "PanNumberRequired", "The PAN number is required."),
    (2108, "InvalidAccountId", "The account identifier is invalid."),
    (
        2192,
        "AccountNotUpdatableInLifecycleStatus",
        "The account may not be updated given its current lifecycle status.",
    ),
    (2208, "SystemIssueTryLater", "Microsoft Advertising encountered a system issue. Please try again later."),
    (3030, "InvalidPredicate", "The Predicate passed in the search is invalid."),  # then "For example ..."
    (3079, "PredicateRequired", "At least one predicate is required to search for customers."),
    (3080, "PageInfoRequired", "Page Info must be present and have index greater than 0 (zero)."),
)

ADDRESS_MESSAGES = {
    200: "The Address City property is invalid.",
    205: "The Address Line1 property is invalid.",
    207: "The Address Line3 property is invalid.",
    209: "The Address PostalCode property is invalid.",
}
"""Codes the documentation lists a second time for an address field, with that meaning's message
(205 is also InvalidVersion, 207 ConcurrentRequestOverLimit, 209 TimestampNotMatch)."""

TRANSIENT_CODES = frozenset({0, 117, 2208})
"""Codes after which the same call may succeed unchanged: internal errors and throttling."""

AUTH_CODES = frozenset({105, 106, 109, 116, 117, 0})
"""Codes the service reports in an ``AdApiFaultDetail`` rather than an ``ApiFault``."""


def lookup(code: int) -> ErrorCode:
    """The entry for ``code``; an unknown code gets a generic one rather than an error."""
    return CODES.get(code, ErrorCode(code, f"Error{code}", f"Error code {code}."))
