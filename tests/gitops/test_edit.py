"""Adding an adopt_id to a GitOps file: one line, in place, everything else kept."""

from __future__ import annotations

import pytest

from pulumi_msads import gitops_edit

FILE = """\
# the agency's customers
customers:
  contoso:            # Contoso
    name: Contoso Outdoor
    accounts:
      brand:
        name: Contoso Outdoor - Brand   # kept
  fabrikam: {name: Fabrikam Fiber}
"""


@pytest.mark.parametrize(
    ("logical", "keys"),
    [("contoso", ("customers", "contoso")), ("contoso/brand", ("customers", "contoso", "accounts", "brand"))],
)
def test_a_logical_name_names_its_entry(logical: str, keys: tuple[str, ...]) -> None:
    assert gitops_edit.entry_keys(logical) == keys


def test_a_customer_entry_gets_the_line_above_its_first_key() -> None:
    edited = gitops_edit.add_adopt_id(FILE, ("customers", "contoso"), "123")
    entry = "  contoso:            # Contoso\n"
    assert edited == FILE.replace(entry, entry + "    adopt_id: '123'\n")


def test_an_account_entry_gets_the_line_at_its_own_indentation() -> None:
    edited = gitops_edit.add_adopt_id(FILE, ("customers", "contoso", "accounts", "brand"), "456")
    assert "      brand:\n        adopt_id: '456'\n        name: Contoso Outdoor - Brand   # kept\n" in edited


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        (("customers", "northwind"), "customers.northwind: no such entry"),
        (("customers", "fabrikam"), "customers.fabrikam: the entry is not a block mapping"),
        (("customers", "contoso", "name", "x"), "customers.contoso.name.x: not found"),
    ],
)
def test_an_entry_that_cannot_take_the_line_is_named(keys: tuple[str, ...], problem: str) -> None:
    with pytest.raises(gitops_edit.EditError, match=problem.replace(".", r"\.")):
        gitops_edit.add_adopt_id(FILE, keys, "1")


def test_an_entry_that_already_adopts_is_not_overwritten() -> None:
    once = gitops_edit.add_adopt_id(FILE, ("customers", "contoso"), "123")
    with pytest.raises(gitops_edit.EditError, match="already has an adopt_id"):
        gitops_edit.add_adopt_id(once, ("customers", "contoso"), "999")
