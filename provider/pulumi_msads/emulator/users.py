"""The user operations the provider needs: GetUser (who is calling, and their roles) and GetCurrentUser."""

from __future__ import annotations

from .. import wsdl
from ..rules import AGGREGATOR_ROLE_ID, SUPER_ADMIN_ROLE_ID
from .core import Core
from .entities import ACCOUNT, CUSTOMER, USER, Body, stamp_bytes
from .errors import fault
from .store import Match, Record, Transaction


def user_out(record: Record) -> Body:
    out = {f.name: record.body.get(f.name) for f in wsdl.complex_fields("User")}
    out.update(Id=record.id, TimeStamp=stamp_bytes(record.stamp), Password=None, SecretAnswer=None)
    return out


def signed_up_account_ids(tx: Transaction, customer_id: int | None) -> list[int]:
    """The accounts of the client customers signed up under ``customer_id``, by id.

    customerrole.md #linkedaccountids: "accounts created as an aggregator via SignupCustomer will
    also be returned in this element"; account-hierarchy-permissions.md #roles-aggregator-hierarchy:
    LinkedAccountIds "contains the identifer of the advertiser account in the child customer that
    you created via SignupCustomer. The child customer identifier is not represented". Our choices:
    every account of a child customer counts, one added later with AddAccount and a deleted
    (Inactive) one too, since both stay readable; only direct children of the aggregator's own
    customer count, not customers signed up under one of its clients, nor with a UserInvitation
    and no ParentCustomerId. One query for them all, reading ids only: the list grows with the
    agency by definition, the work per account stays a few index entries.
    """
    if customer_id is None:
        return []
    children = Match(CUSTOMER, parent_ids=frozenset({customer_id}))
    return tx.select_ids(Match(ACCOUNT, parents=children))


def customer_roles(tx: Transaction, user: Record) -> list[Body]:
    """The aggregator's CustomerRoles, as account-hierarchy-permissions.md #roles-aggregator-hierarchy shows.

    After a signup there are two roles, "equivalent except for the RoleId": 33 (Aggregator) and 41
    (Super Admin), both on the aggregator's own customer, with nil AccountIds (customerrole.md: "the
    user has access to all of the accounts (current and future) in the customer"), the signed-up
    accounts as LinkedAccountIds and a nil CustomerLinkPermission ("the user is signed up directly
    on the CustomerId"); 33 comes first, as in the guide's example. Our choice, where the guide is
    silent (its example follows a first signup): before any signup the aggregator has the one role
    33, with nil LinkedAccountIds ("the user does not have access to individually linked advertiser
    accounts").
    """
    linked = signed_up_account_ids(tx, user.parent_id)
    role_ids = [AGGREGATOR_ROLE_ID, SUPER_ADMIN_ROLE_ID] if linked else [AGGREGATOR_ROLE_ID]
    return [
        {
            "RoleId": role_id,
            "CustomerId": user.parent_id,
            "AccountIds": None,
            "LinkedAccountIds": {"long": linked} if linked else None,
            "CustomerLinkPermission": None,
        }
        for role_id in role_ids
    ]


class UserOperations(Core):
    def op_GetUser(self, request: Body) -> Body:  # noqa: N802 - the WSDL's operation name
        """GetUser with a nil UserId is the documented way to ask who is calling (getuser.md #userid).

        getuser.md #customerroles: "At minimum one list item will be returned"; see ``customer_roles``.
        """
        with self.store.transaction() as tx:
            user_id = request.get("UserId")
            user = self.current_user(tx) if user_id is None else tx.get(USER, int(user_id))
            if user is None:
                raise fault(210, f"User {user_id} does not exist.")
            return {"User": user_out(user), "CustomerRoles": {"CustomerRole": customer_roles(tx, user)}}

    def op_GetCurrentUser(self, request: Body) -> Body:  # noqa: N802
        with self.store.transaction() as tx:
            return {"User": user_out(self.current_user(tx))}
