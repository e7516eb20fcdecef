"""GetUser and GetCurrentUser: who is calling. The emulator has one user, an aggregator.

Its roles follow account-hierarchy-permissions.md #roles-aggregator-hierarchy: after a signup, 33
(Aggregator) and 41 (Super Admin) on its own customer, with the signed-up accounts as LinkedAccountIds.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Added, Signup
from .support import account, customer, fault_of


def test_get_user_with_a_nil_id_returns_the_caller_and_their_roles(soap: Any, aggregator: int) -> None:
    got = soap.GetUser(UserId=None)
    assert got.User.Id > 0
    assert got.User.CustomerId == aggregator
    assert [(r.RoleId, r.CustomerId) for r in got.CustomerRoles.CustomerRole] == [(33, aggregator)]


def roles(soap: Any, **request: Any) -> list[tuple[int, int, list[int] | None, list[int] | None, str | None]]:
    """GetUser's CustomerRoles as (RoleId, CustomerId, AccountIds, LinkedAccountIds, CustomerLinkPermission)."""
    got = soap.GetUser(**({"UserId": None} | request)).CustomerRoles.CustomerRole
    return [
        (
            r.RoleId,
            r.CustomerId,
            r.AccountIds and list(r.AccountIds.long),
            r.LinkedAccountIds and list(r.LinkedAccountIds.long),
            r.CustomerLinkPermission,
        )
        for r in got
    ]


def test_before_any_signup_the_aggregator_has_only_the_aggregator_role(soap: Any, aggregator: int) -> None:
    assert roles(soap) == [(33, aggregator, None, None, None)]


def test_after_a_signup_the_aggregator_is_also_super_admin_with_the_account_linked(
    soap: Any, aggregator: int, signup: Signup
) -> None:
    created = signup()
    linked = [created.AccountId]
    assert roles(soap) == [(33, aggregator, None, linked, None), (41, aggregator, None, linked, None)]


def test_linked_account_ids_are_every_account_of_the_signed_up_customers(
    soap: Any, signup: Signup, added: Added
) -> None:
    signed_up = [signup().AccountId, signup().AccountId]
    extra = added()  # an AddAccount account, in a third customer signed up for it
    third = soap.GetAccount(AccountId=extra).Account.ParentCustomerId
    in_third = [a.Id for a in soap.GetAccountsInfo(CustomerId=third).AccountsInfo.AccountInfo]
    assert extra in in_third and len(in_third) == 2
    assert [r[3] for r in roles(soap)] == [sorted(signed_up + in_third)] * 2


def test_a_deleted_account_stays_linked(soap: Any, signup: Signup) -> None:
    created = signup()
    stamp = soap.GetAccount(AccountId=created.AccountId).Account.TimeStamp
    soap.DeleteAccount(AccountId=created.AccountId, TimeStamp=stamp)
    assert [r[3] for r in roles(soap)] == [[created.AccountId]] * 2


def test_a_customer_signed_up_under_a_client_is_not_linked_to_the_aggregator(soap: Any, signup: Signup) -> None:
    client = signup()
    soap.SignupCustomer(Customer=customer(Name="Grandchild"), Account=account(), ParentCustomerId=client.CustomerId)
    assert [r[3] for r in roles(soap)] == [[client.AccountId]] * 2


def test_get_user_by_id_shows_the_same_roles(soap: Any, signup: Signup) -> None:
    signup()
    me = soap.GetUser(UserId=None).User.Id
    assert roles(soap, UserId=me) == roles(soap)


@pytest.mark.parametrize("signups", [0, 1, 2])
def test_every_role_is_on_the_aggregator_customer(soap: Any, aggregator: int, signup: Signup, signups: int) -> None:
    """The provider's parent_customer reads the one CustomerId of the RoleId 33 roles."""
    for _ in range(signups):
        signup()
    assert {r[1] for r in roles(soap)} == {aggregator}
    assert [r[0] for r in roles(soap)].count(33) == 1


def test_get_user_by_id_returns_the_same_user(soap: Any) -> None:
    me = soap.GetUser(UserId=None).User
    assert soap.GetUser(UserId=me.Id).User == me


def test_get_user_of_an_unknown_id_is_entity_not_existent(soap: Any) -> None:
    assert fault_of(soap.GetUser, UserId=123456).code == 210


def test_get_current_user_returns_the_caller(soap: Any) -> None:
    assert soap.GetCurrentUser().User == soap.GetUser(UserId=None).User


def test_the_user_has_a_name_a_locale_and_a_time_stamp(soap: Any) -> None:
    user = soap.GetCurrentUser().User
    assert user.UserName
    assert user.Lcid == "EnglishUS"
    assert user.UserLifeCycleStatus == "Active"
    assert user.TimeStamp


def test_secrets_are_never_returned(soap: Any) -> None:
    user = soap.GetCurrentUser().User
    assert (user.Password, user.SecretAnswer) == (None, None)
