"""What the emulated Customer Management service does, operation by operation.

This is the emulator's model layer (moto's ``models.py``): plain dicts in, plain dicts out, in the
WSDL's own field names, with every rule the real service documents (``shared/reference``) that a
provider can run into. It never sees XML or JSON: the SOAP and REST faces decode requests before
calling in and encode what it returns. The operations live with their entity (``customers``,
``accounts``, ``users``); the rules they share in ``addresses``, ``taxes``, ``updates`` and
``search``, and the documented limits in ``pulumi_msads.rules``, which the provider's check uses
too. Where the documentation is silent and a choice had to be made, the docstring of the rule says so.
"""

from __future__ import annotations

from collections.abc import Callable

from .accounts import AccountOperations
from .core import Settings
from .customers import CREATED_AT, INVOICE_PAYMENT_METHOD, CustomerOperations
from .entities import ACCOUNT, CUSTOMER, FIRST_ID, USER, Body, customer_number, now
from .errors import fault
from .store import Record, Store
from .users import UserOperations

__all__ = ["Backend", "Settings"]

AGGREGATOR_INVOICE_ID = 330_000_001
"""The aggregator's invoice payment instrument, which SignupCustomer bills new accounts to."""


class Backend(CustomerOperations, AccountOperations, UserOperations):
    """The service's operations over a ``Store``; one instance per emulator process."""

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.ensure_seeded()

    # -- seed data: the caller's aggregator customer and user ----------------------------------

    def ensure_seeded(self) -> None:
        """Create the signed-in user and the aggregator customer they manage, once per store.

        On the real service the caller of SignupCustomer is an aggregator (RoleId 33) whose own
        customer is the ParentCustomerId of every client it signs up. Our choice: the aggregator
        customer was created when the store was seeded, the date SearchCustomers' CreatedDate and
        DateRange read for it (predicate.md, searchcustomers.md).
        """
        with self.store.transaction() as tx:
            if tx.find(USER):
                return
            seeded = now()
            customer_id = tx.next_value(CUSTOMER, FIRST_ID[CUSTOMER])
            user_id = tx.next_value(USER, FIRST_ID[USER])
            tx.put(
                Record(
                    CUSTOMER,
                    customer_id,
                    None,
                    "Emulator Aggregator",
                    customer_number(customer_id),
                    0,
                    {
                        "Industry": "AgencySalesHouse",
                        "MarketCountry": "US",
                        "MarketLanguage": "English",
                        "Name": "Emulator Aggregator",
                        "CustomerLifeCycleStatus": "Active",
                        "CustomerFinancialStatus": "ClearFinancialStatus",
                        "ServiceLevel": "Premium",
                        "LastModifiedTime": seeded,
                        "LastModifiedByUserId": user_id,
                        INVOICE_PAYMENT_METHOD: AGGREGATOR_INVOICE_ID,
                        CREATED_AT: seeded,
                    },
                )
            )
            tx.put(
                Record(
                    USER,
                    user_id,
                    customer_id,
                    "aggregator@emulator.local",
                    None,
                    0,
                    {
                        "CustomerId": customer_id,
                        "UserName": "aggregator@emulator.local",
                        "Lcid": "EnglishUS",
                        "Name": {"FirstName": "Emulator", "LastName": "Aggregator", "MiddleInitial": None},
                        "ContactInfo": {"Email": "aggregator@emulator.local", "EmailFormat": "Html"},
                        "UserLifeCycleStatus": "Active",
                        "SecretQuestion": "None",
                        "LastModifiedTime": now(),
                    },
                )
            )

    def reset(self) -> None:
        self.store.reset()
        self.ensure_seeded()

    def dump(self) -> Body:
        """Everything stored, as ``GET /_emulator/data`` shows it: each entity's id, owner, stamp and fields."""
        with self.store.transaction() as tx:
            return {
                f"{kind}s": [
                    {
                        "Id": r.id,
                        "ParentId": r.parent_id,
                        "Stamp": r.stamp,
                        **{k: v for k, v in r.body.items() if not k.startswith("_")},
                    }
                    for r in tx.find(kind)
                ]
                for kind in (CUSTOMER, ACCOUNT, USER)
            }

    # -- authentication ------------------------------------------------------------------------

    def authenticate(self, headers: Body) -> None:
        """Check the DeveloperToken and AuthenticationToken headers like the service does.

        Missing headers give 116 RequestMissingHeaders; wrong values 105 InvalidCredentials. Any
        non-empty value passes unless the emulator was started with the expected tokens. The
        deprecated UserName and Password headers do not replace the OAuth access token: the service
        has required OAuth since 2022.
        """
        developer = (headers or {}).get("DeveloperToken")
        access = (headers or {}).get("AuthenticationToken")
        missing = [
            name for name, value in (("DeveloperToken", developer), ("AuthenticationToken", access)) if not value
        ]
        if missing:
            raise fault(116, "Missing header(s): " + ", ".join(missing))
        if self.settings.developer_token is not None and developer != self.settings.developer_token:
            raise fault(105, "The developer token is not valid.")
        if self.settings.access_token is not None and access != self.settings.access_token:
            raise fault(105, "The authentication token is not valid.")

    # -- dispatch --------------------------------------------------------------------------------

    def operation(self, name: str) -> Callable[[Body], Body] | None:
        """The handler of a supported operation, or None."""
        handler = getattr(self, f"op_{name}", None)
        return handler if callable(handler) else None
