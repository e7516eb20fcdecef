"""Programs that declare Customers and Accounts, run under pulumi.runtime.set_mocks (no provider runs)."""

from __future__ import annotations

import base64
import runpy
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import MockResourceArgs

import pulumi_msads
from pulumi_msads import Account, AccountArgs, AddressArgs, Customer, CustomerArgs, PrimaryAccountArgs

from ..harness import RecordingMocks, reveal, run_program

CUSTOMER_TYPE = "pulumi-python:dynamic/msads:Customer"
ACCOUNT_TYPE = "pulumi-python:dynamic/msads:Account"
REPO = Path(__file__).resolve().parents[2]
ADDRESS = AddressArgs(business_name="Contoso", line1="1 Microsoft Way", city="Redmond", country_code="US")


def with_ids(args: MockResourceArgs) -> dict[str, Any]:
    """What create would add: the ids (a mock returns outputs; dynamic outputs keep snake_case)."""
    outs = dict(args.inputs)
    if args.typ == CUSTOMER_TYPE:
        outs.update(customer_id=f"{args.name}-cid", account_id=f"{args.name}-aid")
    else:
        outs.update(account_id=f"{args.name}-aid")
    return outs


def one_customer() -> Customer:
    return Customer(
        "contoso",
        CustomerArgs(
            name="Contoso",
            industry="Retail",
            market_country="US",
            market_language="English",
            account=PrimaryAccountArgs(name="Contoso Search", currency_code="USD", business_address=ADDRESS),
        ),
    )


def test_resources_register_under_stable_type_tokens() -> None:
    mocks = RecordingMocks(with_ids)

    def program() -> None:
        customer = one_customer()
        Account(
            "brand",
            AccountArgs(customer_id=customer.customer_id, name="Brand", currency_code="USD", business_address=ADDRESS),
        )

    run_program(program, mocks)
    assert [r.typ for r in mocks.resources] == [CUSTOMER_TYPE, ACCOUNT_TYPE]


def test_inputs_are_snake_case_nested_and_leave_out_none() -> None:
    mocks = RecordingMocks(with_ids)
    run_program(one_customer, mocks)
    inputs = {k: v for k, v in mocks.resources[0].inputs.items() if k != "__provider"}
    assert inputs == {
        "name": "Contoso",
        "industry": "Retail",
        "market_country": "US",
        "market_language": "English",
        "account": {
            "name": "Contoso Search",
            "currency_code": "USD",
            "business_address": {
                "business_name": "Contoso",
                "line1": "1 Microsoft Way",
                "city": "Redmond",
                "country_code": "US",
            },
        },
    }


def test_outputs_are_readable_as_attributes() -> None:
    assert run_program(lambda: one_customer().account_id, RecordingMocks(with_ids)) == "contoso-aid"


def test_customer_id_is_the_same_output_as_the_id() -> None:
    """An update's preview keeps the id known while other outputs are unknown (see tests/cli), so an Account
    wired to ``customer_id`` never previews a replacement when only its customer changes."""
    customer_id = run_program(lambda: one_customer().customer_id, RecordingMocks(with_ids))
    assert customer_id == "contoso-id", "the id, not the customer_id output of the provider"


def test_mappings_work_as_args_too() -> None:
    mocks = RecordingMocks(with_ids)
    run_program(
        lambda: Account(
            "a", {"customer_id": "1", "name": "Brand", "currency_code": "USD", "business_address": {"city": "Redmond"}}
        ),
        mocks,
    )
    assert mocks.resources[0].inputs["business_address"] == {"city": "Redmond"}


def test_args_and_keyword_arguments_together_are_refused() -> None:
    with pytest.raises(TypeError, match="either args or keyword arguments"):
        run_program(lambda: Account("a", {"name": "x"}, customer_id="1"), RecordingMocks())


def test_the_provider_blob_is_a_reference_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MSADS_DEVELOPER_TOKEN", "dev-token-0123456789")
    monkeypatch.setenv("MSADS_ACCESS_TOKEN", "access-token-0123456789")
    mocks = RecordingMocks(with_ids)
    run_program(one_customer, mocks)
    blob = reveal(mocks.resources[0].inputs["__provider"])
    assert isinstance(blob, str) and len(blob) < 200, "pickled by reference: a module path and a class name"
    decoded = base64.b64decode(blob)
    assert b"pulumi_msads.providers" in decoded and b"CustomerProvider" in decoded
    assert b"token" not in decoded.lower()


def test_providers_carry_no_state_to_pickle() -> None:
    assert vars(pulumi_msads.CustomerProvider()) == {} and vars(pulumi_msads.AccountProvider()) == {}


def test_two_thousand_resources_serialize_without_error() -> None:
    """The SDK's pickler leaks a wrapper per resource; an attribute-free provider survives thousands."""
    mocks = RecordingMocks(with_ids)

    def program() -> None:
        for index in range(1000):
            customer = Customer(
                f"c{index}",
                CustomerArgs(
                    name=f"Customer {index}",
                    industry="Retail",
                    market_country="US",
                    market_language="English",
                    account=PrimaryAccountArgs(name=f"Account {index}", currency_code="USD", business_address=ADDRESS),
                ),
            )
            Account(
                f"a{index}",
                AccountArgs(
                    customer_id=customer.customer_id,
                    name=f"Brand {index}",
                    currency_code="USD",
                    business_address=ADDRESS,
                ),
            )

    run_program(program, mocks)
    assert len(mocks.resources) == 2000


def test_quickstart_declares_a_customer_and_an_account_that_depends_on_it() -> None:
    mocks = RecordingMocks(with_ids)
    run_program(lambda: runpy.run_path(str(REPO / "__main__.py")) and None, mocks)
    customer, account = mocks.resources
    assert (customer.typ, customer.name) == (CUSTOMER_TYPE, "contoso")
    assert (account.typ, account.name) == (ACCOUNT_TYPE, "contoso-brand")
    assert account.inputs["customer_id"] == "contoso-id", "the account is wired to the customer's id"
    assert customer.inputs["account"]["currency_code"] == account.inputs["currency_code"] == "USD"


def test_the_public_api_exports_exactly_what_it_lists() -> None:
    assert set(pulumi_msads.__all__) == set(pulumi_msads._MODULE_OF)
    for name in pulumi_msads.__all__:
        assert getattr(pulumi_msads, name).__name__ == name


def test_the_emulator_does_not_load_pulumi() -> None:
    """The package's exports load lazily, so serving SOAP never pays for Pulumi and the providers."""
    import subprocess
    import sys

    code = "import sys, pulumi_msads.emulator.server; print('pulumi' in sys.modules, 'bingads' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_the_package_tells_pulumi_it_has_no_resource_plugin() -> None:
    """Language hosts take any ``pulumi-*`` distribution for a resource plugin unless its pulumi-plugin.json
    says ``"resource": false``; the engine would then try to download a "msads" plugin before every command."""
    import importlib.resources
    import json
    import tomllib

    declared = json.loads((importlib.resources.files("pulumi_msads") / "pulumi-plugin.json").read_text())
    assert declared == {"resource": False}
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "pulumi-plugin.json" in pyproject["tool"]["setuptools"]["package-data"]["pulumi_msads"], "in the wheel"
