"""The user operations the provider needs: GetUser (who is calling, and their roles) and GetCurrentUser."""

from __future__ import annotations

from .. import wsdl
from .core import Core
from .entities import USER, Body, stamp_bytes
from .errors import fault
from .store import Record

AGGREGATOR_ROLE_ID = 33


def user_out(record: Record) -> Body:
    out = {f.name: record.body.get(f.name) for f in wsdl.complex_fields("User")}
    out.update(Id=record.id, TimeStamp=stamp_bytes(record.stamp), Password=None, SecretAnswer=None)
    return out


class UserOperations(Core):
    def op_GetUser(self, request: Body) -> Body:  # noqa: N802 - the WSDL's operation name
        """GetUser with a nil UserId is the documented way to ask who is calling."""
        with self.store.transaction() as tx:
            user_id = request.get("UserId")
            user = self.current_user(tx) if user_id is None else tx.get(USER, int(user_id))
            if user is None:
                raise fault(210, f"User {user_id} does not exist.")
            roles = [
                {
                    "RoleId": AGGREGATOR_ROLE_ID,
                    "CustomerId": user.parent_id,
                    "AccountIds": None,
                    "LinkedAccountIds": None,
                    "CustomerLinkPermission": None,
                }
            ]
            return {"User": user_out(user), "CustomerRoles": {"CustomerRole": roles}}

    def op_GetCurrentUser(self, request: Body) -> Body:  # noqa: N802
        with self.store.transaction() as tx:
            return {"User": user_out(self.current_user(tx))}
