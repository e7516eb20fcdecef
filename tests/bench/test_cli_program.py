"""bench.cli_program: the harness deploys a program's resources in one order, whatever order the mocks saw.

Under load the mocks see registrations in another order from run to run; the harness once deployed a GitOps customer
after the accounts and, its provider process having been reconfigured for the Account type in between, found the
parent customer a second time (GetUser 2).
"""

from __future__ import annotations

import itertools
from typing import Any

from bench.cli_program import REF, in_waves


def _resource(logical: str, **inputs: Any) -> dict[str, Any]:
    return {"type": "t", "name": logical, "inputs": inputs}


GITOPS = [
    _resource("contoso", name="Contoso"),
    _resource("fabrikam", name="Fabrikam"),
    _resource("tailspin", name="Tailspin"),
    _resource("contoso/brand", customer_id=REF + "contoso"),
    _resource("fabrikam/ireland", customer_id=REF + "fabrikam", nested={"list": [REF + "fabrikam"]}),
]


def test_every_registration_order_gives_the_same_waves() -> None:
    names = [r["name"] for r in GITOPS]
    for order in itertools.permutations(GITOPS):
        assert [r["name"] for r in in_waves(list(order))] == names


def test_a_resource_comes_after_everything_it_references_at_any_depth() -> None:
    chain = [_resource("c", x=[{"y": REF + "b"}]), _resource("a"), _resource("b", x=REF + "a")]
    assert [r["name"] for r in in_waves(chain)] == ["a", "b", "c"]
