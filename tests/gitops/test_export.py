"""``msads export``: an existing estate written as a GitOps file that adopts it, proven to change nothing.

The estate is a scaled-down agency seeded into the session's emulator: twelve customers with one to
four accounts each, in several countries (a BR account with its CPF, a DE one with its VATNumber),
one Inactive account, and names that collide once made into keys.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_msads import AccountProvider, CustomerProvider, export, fields, gitops
from pulumi_msads.client import ServiceClient
from pulumi_msads.commands import main
from pulumi_msads.config import ProviderConfig
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess
from pulumi_msads.emulator.updates import SEMANTICS
from pulumi_msads.models import AddressModel

from ..harness import Engine, ProviderServer
from ..lifecycle.conftest import provider_server  # noqa: F401 - the lifecycle tests' provider server, once per wire
from ..samples import ACCOUNT_TYPE, CUSTOMER_TYPE, provider_config

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
ESTATE_CHANGING = ("UpdateCustomer", "UpdateAccount", "SignupCustomer", "AddAccount", "DeleteAccount")


def _address(business: str, line1: str, city: str, country: str, **more: str) -> dict[str, str]:
    return {"BusinessName": business, "Line1": line1, "City": city, "CountryCode": country, **more}


US = _address("Contoso LLC", "1 Microsoft Way", "Redmond", "US", StateOrProvince="WA", PostalCode="98052")
CA = _address("Contoso Canada", "200 Granville St", "Vancouver", "CA", StateOrProvince="BC", PostalCode="V6C 1S4")
GB = _address("Northwind Ltd", "10 Downing Lane", "London", "GB", PostalCode="SW1A 2AA")
DE = _address("Tailspin GmbH", "Unter den Linden 1", "Berlin", "DE", PostalCode="10117")
FR = _address("Lucerne SARL", "5 Rue de Rivoli", "Paris", "FR", PostalCode="75001")
BR = _address(
    "Viagens Ltda", "Avenida Atlantica 1702", "Rio de Janeiro", "BR", StateOrProvince="RJ", PostalCode="22021-001"
)


def _account(name: str, currency: str, address: dict[str, str], **more: Any) -> dict[str, Any]:
    return {"Name": name, "CurrencyCode": currency, "BusinessAddress": address, **more}


def _customer(name: str, country: str, language: str, *accounts: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "Name": name,
        "Industry": "Retail",
        "MarketCountry": country,
        "MarketLanguage": language,
        **more,
        "accounts": list(accounts),
    }


AGENCY: dict[str, Any] = {
    "customers": [
        _customer(
            "Contoso Outdoor",
            "US",
            "English",
            _account("Contoso Outdoor - Search", "USD", US, TimeZone="PacificTimeUSCanadaTijuana"),
            _account("Contoso Outdoor - Brand", "USD", US, AutoTagType="Preserve"),
            _account("Contoso Outdoor Canada", "CAD", CA),
            CustomerAddress=US,
        ),
        _customer("Contoso  outdoor!", "US", "English", _account("Second Contoso", "USD", US)),  # same key
        _customer(
            "Viagens do Brasil",
            "BR",
            "Portuguese",
            _account("Viagens do Brasil", "BRL", BR, TimeZone="Brasilia", TaxInformation={"CPF": "12345678909"}),
        ),
        _customer(
            "Tailspin Toys",
            "DE",
            "German",
            _account("Tailspin Toys DE", "EUR", DE, TaxInformation={"VATNumber": "DE123456789"}, Language="German"),
            _account("Tailspin Toys Launch", "EUR", DE),
        ),
        _customer(
            "Northwind Traders",
            "GB",
            "English",
            _account("Northwind UK", "GBP", GB, AccountLifeCycleStatus="Inactive"),  # its primary, now Inactive
            _account("Northwind Ireland", "EUR", GB),
            _account("Northwind Brand!", "GBP", GB),
            _account("Northwind Brand?", "GBP", GB),  # the same key as the one before
        ),
        _customer("Café Lucerne", "FR", "French", _account("Café Lucerne FR", "EUR", FR)),
        _customer("Fabrikam", "US", "English", _account("Fabrikam", "USD", US), _account("Fabrikam Kids", "USD", US)),
        _customer("Adatum Corp", "US", "English", _account("Adatum Search", "USD", US)),
        _customer("Litware", "CA", "English", _account("Litware CA", "CAD", CA), _account("Litware US", "USD", US)),
        _customer("Woodgrove Bank", "US", "English", _account("Woodgrove", "USD", US)),
        _customer("Wingtip Toys", "GB", "English", _account("Wingtip UK", "GBP", GB)),
        _customer(
            "Proseware",
            "US",
            "English",
            _account("Proseware A", "USD", US),
            _account("Proseware B", "USD", US),
            _account("Proseware C", "USD", US),
            _account("Proseware D", "USD", US),
        ),
    ]
}


def _config(url: str, transport: str = "rest") -> ProviderConfig:
    return ProviderConfig.from_sources(provider_config(url, transport), {})


@pytest.fixture
def seeded(emulator: EmulatorControl, emulator_process: EmulatorProcess) -> dict[str, Any]:
    """The agency in the emulator: ``{customer name: {"Id": ..., "accounts": {account name: id}}}``."""
    created = emulator.seed(AGENCY)["customers"]
    emulator.reset_calls()
    return {
        c["Name"]: {"Id": str(c["Id"]), "accounts": {a["Name"]: str(a["Id"]) for a in c["accounts"]}} for c in created
    }


@pytest.fixture
def client(emulator_process: EmulatorProcess) -> ServiceClient:
    return ServiceClient(_config(emulator_process.url))


def _export(client: ServiceClient, **options: Any) -> export.Export:
    return export.export(client, exported_at=WHEN, **options)


# -- the file ---------------------------------------------------------------------------------------------------


def test_every_client_customer_with_adopt_id_and_its_live_values(
    seeded: dict[str, Any], client: ServiceClient, emulator: EmulatorControl
) -> None:
    result = _export(client)
    state = gitops.loads(result.text)
    assert result.customers == len(state.customers) == 12
    assert result.accounts == 22  # 23 seeded, less the Inactive one
    lines = result.text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=./accounts.schema.json"
    assert "2026-01-02T03:04:05Z" in lines[2]
    contoso = state.customers["contoso-outdoor"]
    assert contoso.adopt_id == seeded["Contoso Outdoor"]["Id"]
    assert contoso.account.name == "Contoso Outdoor - Search"  # the one SignupCustomer made, billed to the agency
    assert contoso.customer_address is not None and contoso.customer_address.city == "Redmond"
    assert sorted(contoso.accounts) == ["brand", "canada"]
    assert contoso.accounts["brand"].adopt_id == seeded["Contoso Outdoor"]["accounts"]["Contoso Outdoor - Brand"]
    assert contoso.accounts["brand"].auto_tag_type == "Preserve"
    assert state.customers["viagens-do-brasil"].account.tax_information == {"CPF": "12345678909"}
    tailspin = state.customers["tailspin-toys"]
    assert tailspin.account.tax_information == {"VATNumber": "DE123456789"}
    assert tailspin.account.language == "German"
    assert sorted(tailspin.accounts) == ["launch"]
    assert "cafe-lucerne" in state.customers
    assert state.deletion_policy is None and "deletion_policy" not in result.text  # nothing that could delete
    # Exactly the mapping's values (fields.from_api), every entry: the whole document compared.
    for key, entry in result.data["customers"].items():
        customer = client.get_customer(entry["adopt_id"])
        assert {k: entry[k] for k in entry if k not in ("adopt_id", "account", "accounts")} == _props(customer)
        for account in entry.get("accounts", {}).values():
            live = client.get_account(account["adopt_id"])
            assert {k: v for k, v in account.items() if k != "adopt_id"} == _account_props(live), key
    # Only reads.
    assert not set(emulator.calls()) & set(ESTATE_CHANGING)
    assert not result.included_inactive


def _props(customer: dict[str, Any]) -> dict[str, Any]:
    return fields.from_api(fields.customer_fields(), customer)


def _account_props(account: dict[str, Any]) -> dict[str, Any]:
    return fields.from_api(fields.account_fields(), account)


def test_order_is_keys_then_model_order(seeded: dict[str, Any], client: ServiceClient) -> None:
    data = _export(client).data["customers"]
    assert list(data) == sorted(data)
    for entry in data.values():
        assert list(entry) == [k for k in gitops.CustomerEntry.model_fields if k in entry]
        accounts = entry.get("accounts", {})
        assert list(accounts) == sorted(accounts)
        for account in [entry["account"], *accounts.values()]:
            assert list(account) == [k for k in gitops.AccountEntry.model_fields if k in account]
            address = account["business_address"]
            assert list(address) == [k for k in AddressModel.model_fields if k in address]


def test_re_export_of_an_unchanged_estate_is_byte_identical(seeded: dict[str, Any], client: ServiceClient) -> None:
    first = _export(client).text
    assert _export(client).text == first
    later = export.export(client, exported_at=WHEN + dt.timedelta(days=3)).text
    assert later.splitlines()[3:] == first.splitlines()[3:]  # only the "exported at" line differs


def test_keys_collisions_and_prefixes(seeded: dict[str, Any], client: ServiceClient) -> None:
    data = _export(client).data["customers"]
    first, second = seeded["Contoso Outdoor"]["Id"], seeded["Contoso  outdoor!"]["Id"]
    assert data["contoso-outdoor"]["adopt_id"] == first  # the lowest id keeps the plain key
    assert data[f"contoso-outdoor-{second}"]["adopt_id"] == second
    northwind = data["northwind-traders"]["accounts"]
    ids = seeded["Northwind Traders"]["accounts"]
    assert northwind["northwind-brand"]["adopt_id"] == ids["Northwind Brand!"]  # not prefixed by "Northwind Traders"
    assert northwind[f"northwind-brand-{ids['Northwind Brand?']}"]["adopt_id"] == ids["Northwind Brand?"]
    assert data["fabrikam"]["accounts"] == {"kids": data["fabrikam"]["accounts"]["kids"]}
    assert data["proseware"]["accounts"].keys() == {"b", "c", "d"}
    for key in data:
        assert re.fullmatch(gitops.KEY_PATTERN, key)


def test_slug_and_key_rules() -> None:
    assert export.slug("Café  Müller & Söhne GmbH") == "cafe-muller-sohne-gmbh"
    assert export.slug("東京") == ""
    assert export.slug("x" * 80) == "x" * 63
    keys = export.unique_keys([("30", "Acme"), ("10", "ACME!"), ("20", "東京"), ("40", "Acme 30")], "customer")
    assert keys == {"10": "acme", "30": "acme-30-2", "20": "customer-20", "40": "acme-30"}
    long = export.unique_keys([("1", "y" * 70), ("2", "y" * 70)], "customer")
    assert long == {"1": "y" * 63, "2": "y" * 61 + "-2"}
    assert export.account_key_name("Contoso - Brand", "Contoso") == " - Brand"
    assert export.account_key_name("Contoso", "Contoso") == "Contoso"


def test_inactive_accounts_are_skipped_and_listed(seeded: dict[str, Any], client: ServiceClient) -> None:
    result = _export(client)
    inactive = seeded["Northwind Traders"]["accounts"]["Northwind UK"]
    assert [(s.kind, s.object_id) for s in result.skipped] == [("account", inactive)]
    assert inactive not in result.text
    summary = result.summary("accounts.yaml")
    assert "12 customers and 22 accounts exported to accounts.yaml" in summary
    assert f"account {inactive} 'Northwind UK' of customer {seeded['Northwind Traders']['Id']}: Inactive" in summary
    included = _export(client, include_inactive=True)
    assert included.included_inactive == ["customers.northwind-traders.accounts.northwind-uk"]
    assert included.data["customers"]["northwind-traders"]["accounts"]["northwind-uk"]["adopt_id"] == inactive
    assert not included.skipped and "remove them before `pulumi up`" in included.summary()


def test_an_inactive_customer_is_skipped(
    seeded: dict[str, Any], client: ServiceClient, emulator: EmulatorControl
) -> None:
    woodgrove = seeded["Woodgrove Bank"]
    emulator.set_account_status(woodgrove["accounts"]["Woodgrove"], "Inactive")
    result = _export(client)
    assert "woodgrove-bank" not in result.data["customers"]
    assert ("customer", woodgrove["Id"]) in [(s.kind, s.object_id) for s in result.skipped]
    assert "no live account" in result.summary()


def test_primary_account_rule_and_override(seeded: dict[str, Any], client: ServiceClient) -> None:
    data = _export(client).data["customers"]
    # Billed to the aggregator: SignupCustomer's account, whatever its name says.
    assert data["proseware"]["account"]["name"] == "Proseware A"
    # Northwind's signup account is Inactive: the oldest live one, the lowest id.
    northwind = data["northwind-traders"]
    assert northwind["account"]["name"] == "Northwind Ireland"
    assert "northwind-ireland" not in northwind["accounts"]
    proseware = seeded["Proseware"]
    chosen = proseware["accounts"]["Proseware C"]
    overridden = _export(client, primary={proseware["Id"]: chosen}).data["customers"]["proseware"]
    assert overridden["account"]["name"] == "Proseware C"
    assert overridden["accounts"].keys() == {"a", "b", "d"}
    assert overridden["accounts"]["a"]["adopt_id"] == proseware["accounts"]["Proseware A"]
    with pytest.raises(export.ExportError, match="not a live account of customer"):
        _export(client, primary={proseware["Id"]: seeded["Fabrikam"]["accounts"]["Fabrikam"]})
    with pytest.raises(export.ExportError, match="no such customer is exported"):
        _export(client, primary={"999999": chosen})


def test_primary_billed_to_the_aggregator_wins_over_a_lower_id() -> None:
    live = [{"Id": 5, "BillToCustomerId": 7}, {"Id": 9, "BillToCustomerId": 1}, {"Id": 12, "BillToCustomerId": 1}]
    assert export._choose_primary("7", live, None)["Id"] == 9
    assert export._choose_primary("7", live[:1], None)["Id"] == 5
    assert export._choose_primary("7", live, "12")["Id"] == 12


def test_filters(seeded: dict[str, Any], client: ServiceClient, emulator: EmulatorControl) -> None:
    ids = [seeded["Litware"]["Id"], seeded["Adatum Corp"]["Id"]]
    emulator.reset_calls()
    picked = _export(client, customer_ids=ids)
    assert list(picked.data["customers"]) == ["adatum-corp", "litware"]
    assert "GetCustomersInfo" not in emulator.calls()
    prefixed = _export(client, name_prefix="contoso")
    assert sorted(c["name"] for c in prefixed.data["customers"].values()) == ["Contoso  outdoor!", "Contoso Outdoor"]
    assert _export(client, customer_ids=ids, name_prefix="Lit").data["customers"].keys() == {"litware"}
    with pytest.raises(export.ExportError, match="no customer to export"):
        _export(client, name_prefix="Nobody")
    aggregator = export.aggregator_customers(client)
    only = _export(client, customer_ids=[*aggregator, ids[0]])
    assert [s.reason for s in only.skipped] == ["the aggregator's own customer, not a client"]
    with pytest.raises(export.ExportError, match="no customer 999999"):
        _export(client, customer_ids=["999999"])


def test_a_file_that_would_not_load_is_refused_naming_the_problem(
    seeded: dict[str, Any], client: ServiceClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = client.get_account

    def too_long(account_id: str) -> dict[str, Any]:
        account = real(account_id)
        return {**account, "Name": "N" * 120} if account["Name"] == "Adatum Search" else account

    monkeypatch.setattr(client, "get_account", too_long)
    with pytest.raises(export.ExportError, match=r"would not load(.|\n)*customers\.adatum-corp\.account\.name"):
        _export(client)


# -- the command ---------------------------------------------------------------------------------------------


@pytest.fixture
def msads_env(emulator_process: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's settings from MSADS_* (no Pulumi project where it runs), over SOAP; a fixed export time."""
    for key, value in provider_config(emulator_process.url, "soap").items():
        monkeypatch.setenv("MSADS_" + re.sub(r"(?<!^)([A-Z])", r"_\1", key.removeprefix("msads:")).upper(), value)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(WHEN.timestamp())))


@pytest.mark.usefixtures("msads_env")
def test_the_command_writes_the_file_and_the_summary(
    seeded: dict[str, Any], client: ServiceClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "accounts.yaml"
    proseware = seeded["Proseware"]
    primary = f"{proseware['Id']}={proseware['accounts']['Proseware D']}"
    assert main(["export", "-C", str(tmp_path), "-o", str(out), "--primary", primary]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "12 customers and 22 accounts exported to" in captured.err
    assert "Inactive" in captured.err and "\r" not in captured.err  # no progress line off a terminal
    assert gitops.load(out).customers["proseware"].account.name == "Proseware D"
    assert (
        out.read_text(encoding="utf-8")
        == _export(client, primary={proseware["Id"]: proseware["accounts"]["Proseware D"]}).text
    )
    assert main(["export", "-C", str(tmp_path), "--customer-id", seeded["Litware"]["Id"]]) == 0
    printed = capsys.readouterr()
    assert list(yaml.safe_load(printed.out)["customers"]) == ["litware"]
    with pytest.MonkeyPatch.context() as patch:  # on a terminal: a progress line, cleared before the summary
        patch.setattr(sys.stderr, "isatty", lambda: True)
        assert main(["export", "-C", str(tmp_path), "--customer-id", seeded["Litware"]["Id"], "-o", str(out)]) == 0
    progress = capsys.readouterr().err
    assert f"\r\033[Kreading customer 1 of 1 ({seeded['Litware']['Id']})\r\033[Kmsads export: 1 customer" in progress
    assert main(["export", "-C", str(tmp_path), "--primary", "x=1"]) == 1
    assert "expected CUSTOMER_ID=ACCOUNT_ID" in capsys.readouterr().err
    assert main(["export", "-C", str(tmp_path), "--name-prefix", "Nobody"]) == 1
    assert "msads export: no customer to export" in capsys.readouterr().err


# -- applying it changes nothing ---------------------------------------------------------------------------------


@pytest.fixture(params=SEMANTICS)
def semantics(request: pytest.FixtureRequest, emulator: EmulatorControl) -> str:
    """Both readings of what an update does to a field left out (as the lifecycle tests' emulator)."""
    emulator.settings(update_semantics=request.param)
    return str(request.param)


def test_applying_the_export_adopts_everything_and_changes_nothing(
    seeded: dict[str, Any],
    semantics: str,
    client: ServiceClient,
    emulator: EmulatorControl,
    provider_server: ProviderServer,  # noqa: F811
) -> None:
    before = _export(client)
    state = gitops.loads(before.text)
    emulator.reset_calls()
    customers = Engine(provider_server, CustomerProvider, CUSTOMER_TYPE)
    accounts = Engine(provider_server, AccountProvider, ACCOUNT_TYPE)
    applied = {}
    for key, entry in state.customers.items():
        made = customers.up_create(entry.customer_inputs(state.deletion_policy), name=key)
        assert made.op == "create" and made.state is not None, key
        customer_id = made.state.outputs["customer_id"]
        assert customer_id == entry.adopt_id
        for account_key, account in entry.accounts.items():
            inputs = {**gitops.account_inputs(account, state.deletion_policy), "customer_id": customer_id}
            added = accounts.up_create(inputs, name=gitops.account_name(key, account_key))
            assert added.state is not None and added.state.outputs["account_id"] == account.adopt_id
            applied[(key, account_key)] = (added.state, inputs)
    calls = emulator.calls()
    assert {op: calls.get(op, 0) for op in ESTATE_CHANGING} == dict.fromkeys(ESTATE_CHANGING, 0)
    assert len(applied) == 22 - 12

    # One field of one account edited in the file: exactly one UpdateAccount, for that account.
    old, inputs = applied[("contoso-outdoor", "brand")]
    emulator.reset_calls()
    changed = accounts.up_update(old, {**inputs, "time_zone": "Greenland"})
    assert changed.op == "update"
    calls = emulator.calls()
    assert {op: calls.get(op, 0) for op in ESTATE_CHANGING} == {**dict.fromkeys(ESTATE_CHANGING, 0), "UpdateAccount": 1}
    assert client.get_account(old.id)["TimeZone"] == "Greenland"
    assert old.id == seeded["Contoso Outdoor"]["accounts"]["Contoso Outdoor - Brand"]
    after = _export(client)
    before.data["customers"]["contoso-outdoor"]["accounts"]["brand"]["time_zone"] = "Greenland"
    assert after.data == before.data  # and nothing else changed
