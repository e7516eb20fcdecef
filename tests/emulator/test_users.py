"""GetUser and GetCurrentUser: who is calling. The emulator has one user, an aggregator."""

from __future__ import annotations

from typing import Any

from .support import fault_of


def test_get_user_with_a_nil_id_returns_the_caller_and_their_roles(soap: Any, aggregator: int) -> None:
    got = soap.GetUser(UserId=None)
    assert got.User.Id > 0
    assert got.User.CustomerId == aggregator
    assert [(r.RoleId, r.CustomerId) for r in got.CustomerRoles.CustomerRole] == [(33, aggregator)]


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
