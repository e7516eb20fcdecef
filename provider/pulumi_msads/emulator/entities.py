"""What every emulated entity shares: kinds, id ranges, TimeStamps, numbers and stored values.

The emulator's operations (``customers``, ``accounts``, ``users``) keep entities as ``Record``s
whose body holds the WSDL's own field names; these helpers are the few things they all need.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from .errors import ErrorItem, ServiceError, fault
from .store import Record

Body = dict[str, Any]

CUSTOMER, ACCOUNT, USER = "customer", "account", "user"

# Id ranges look like the real service's (nine-digit ids); the first values of each counter.
FIRST_ID = {CUSTOMER: 251_000_001, ACCOUNT: 187_000_001, USER: 210_000_001, "address": 90_000_001}


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def stamp_bytes(stamp: int) -> bytes:
    """The opaque TimeStamp: like SQL Server's rowversion, eight big-endian bytes."""
    return stamp.to_bytes(8, "big")


def stamp_value(timestamp: Any) -> int | None:
    if isinstance(timestamp, bytes) and len(timestamp) == 8:
        return int.from_bytes(timestamp, "big")
    return None


def _base36(value: int, width: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while value:
        value, rem = divmod(value, 36)
        out = digits[rem] + out
    return out.rjust(width, "0")[-width:]


def customer_number(customer_id: int) -> str:
    """Ten alphanumeric characters (customer.md)."""
    return "C" + _base36(customer_id, 9)


def account_number(account_id: int) -> str:
    """Eight alphanumeric characters (advertiseraccount.md)."""
    return "F" + _base36(account_id, 7)


def plain(value: Any) -> Any:
    """A request value as JSON can store it: dates as ISO text, decimals as text, bytes as base64."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)  # Decimal


def kvps(value: Any) -> list[dict[str, Any]]:
    """The pairs of a KeyValuePairOfstringstring array (``[]`` for none)."""
    if not value:
        return []
    return list(value.get("KeyValuePairOfstringstring") or [])


def pairs(items: dict[str, Any]) -> Body | None:
    """A key/value dict as the array the WSDL carries, None when empty."""
    if not items:
        return None
    return {"KeyValuePairOfstringstring": [{"key": k, "value": v} for k, v in items.items()]}


def with_body(record: Record, **changes: Any) -> Record:
    return Record(
        record.kind, record.id, record.parent_id, record.name, record.number, record.stamp, {**record.body, **changes}
    )


def raise_if(errors: list[ErrorItem]) -> None:
    if errors:
        raise ServiceError(errors)


def check_stamp(record: Record, timestamp: Any, what: str) -> None:
    if timestamp is None:
        raise fault(203, f"{what}.TimeStamp is required.")
    if stamp_value(timestamp) != record.stamp:
        raise fault(209, f"{what} {record.id} was changed since the TimeStamp sent was read.")
