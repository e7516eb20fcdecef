"""What every group of operations stands on: the store, the instance's settings, and lookups."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .entities import ACCOUNT, CUSTOMER, USER
from .errors import fault
from .store import Record, Store, Transaction
from .updates import PER_FIELD, SEMANTICS, Semantics


@dataclass(frozen=True)
class Settings:
    """Behaviour switches of one emulator instance (see the CLI flags)."""

    developer_token: str | None = None
    access_token: str | None = None
    allow_customer_delete: bool = False
    update_semantics: Semantics = PER_FIELD
    listing_delay: float = 0.0


MAX_LISTING_DELAY = 600.0
ADJUSTABLE = ("update_semantics", "listing_delay")
"""Settings ``POST /_emulator/settings`` may change; a reset goes back to the command line's."""


def settings_with(settings: Settings, changes: dict[str, Any]) -> Settings:
    """``settings`` with the control plane's ``changes``, each checked (ValueError says what is wrong)."""
    unknown = sorted(set(changes) - set(ADJUSTABLE))
    if unknown:
        raise ValueError(f"unknown setting(s) {', '.join(unknown)}; allowed: {', '.join(ADJUSTABLE)}")
    semantics = changes.get("update_semantics", settings.update_semantics)
    if semantics not in SEMANTICS:
        raise ValueError(f"update_semantics must be one of {', '.join(SEMANTICS)}, not {semantics!r}")
    delay = changes.get("listing_delay", settings.listing_delay)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not 0 <= delay <= MAX_LISTING_DELAY:
        raise ValueError(f"listing_delay must be a number of seconds from 0 to {MAX_LISTING_DELAY:g}")
    return replace(settings, update_semantics=semantics, listing_delay=float(delay))


def settings_view(settings: Settings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in ADJUSTABLE}


class Core:
    """The store and settings the operation groups (customers, accounts, users) share."""

    store: Store
    settings: Settings

    def current_user(self, tx: Transaction) -> Record:
        return tx.find(USER)[0]

    def _customer(self, tx: Transaction, customer_id: Any) -> Record:
        if customer_id is None:
            raise fault(203, "CustomerId is required.")
        record = tx.get(CUSTOMER, int(customer_id))
        if record is None:
            raise fault(210, f"Customer {customer_id} does not exist.")
        return record

    def _account(self, tx: Transaction, account_id: Any) -> Record:
        if account_id is None:
            raise fault(203, "AccountId is required.")
        record = tx.get(ACCOUNT, int(account_id))
        if record is None:
            raise fault(2108, f"Account {account_id} does not exist.")
        return record
