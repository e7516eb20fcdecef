"""Seeding the emulator with a fixture (``POST /_emulator/seed``, ``--seed FILE``): an agency in one request.

What is seeded must be data the real service could hold, so every test here reads it back through
the SOAP operations a client would use, and the refusals are those of SignupCustomer and AddAccount.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from pulumi_msads.emulator.process import EmulatorControl

from .conftest import Soap, StartEmulator
from .support import address, kvps, page, predicates

AGENCY_YAML = Path(__file__).parents[2] / "examples" / "emulator" / "agency.yaml"


def client(index: int, accounts: int = 1, **overrides: Any) -> dict[str, Any]:
    """A fixture customer with ``accounts`` valid US accounts."""
    return {
        "Name": f"Client {index:03d}",
        "Industry": "Retail",
        "MarketCountry": "US",
        "MarketLanguage": "English",
        "accounts": [
            {"Name": f"Client {index:03d} account {j}", "CurrencyCode": "USD", "BusinessAddress": address()}
            for j in range(accounts)
        ],
    } | overrides


def post(emulator: EmulatorControl, body: bytes, content_type: str) -> requests.Response:
    return requests.post(
        f"{emulator.base_url}/_emulator/seed", data=body, headers={"Content-Type": content_type}, timeout=60
    )


def client_customers(emulator: EmulatorControl) -> list[dict[str, Any]]:
    """Every stored customer but the aggregator."""
    return [c for c in emulator.data()["customers"] if c["ParentId"] is not None]


# -- formats -----------------------------------------------------------------------------------------------


def test_a_json_fixture_answers_201_with_the_ids_created_in_its_order(emulator: EmulatorControl) -> None:
    response = post(emulator, json.dumps({"customers": [client(1, accounts=2)]}).encode(), "application/json")
    assert response.status_code == 201, response.text
    [created] = response.json()["customers"]
    assert created["Name"] == "Client 001" and isinstance(created["Id"], int) and created["Number"]
    assert [a["Name"] for a in created["accounts"]] == ["Client 001 account 0", "Client 001 account 1"]


@pytest.mark.parametrize("content_type", ["application/yaml", "text/yaml"])
def test_a_yaml_fixture_loads(emulator: EmulatorControl, content_type: str) -> None:
    response = post(emulator, AGENCY_YAML.read_bytes(), content_type)
    assert response.status_code == 201, response.text
    declared = yaml.safe_load(AGENCY_YAML.read_text())["customers"]
    assert [c["Name"] for c in response.json()["customers"]] == [c["Name"] for c in declared]


def test_a_fixture_in_another_format_is_refused_with_415(emulator: EmulatorControl) -> None:
    response = post(emulator, b"customers=1", "application/x-www-form-urlencoded")
    assert response.status_code == 415 and "application/yaml" in response.json()["error"]


def test_a_fixture_that_does_not_parse_is_refused_with_400(emulator: EmulatorControl) -> None:
    response = post(emulator, b"customers: [", "application/yaml")
    assert response.status_code == 400 and "not valid YAML" in response.json()["error"]


# -- read back through SOAP --------------------------------------------------------------------------------


def test_a_seeded_customer_reads_back_through_get_customer_as_declared(emulator: EmulatorControl, soap: Soap) -> None:
    declared = client(1, CustomerAddress=address(BusinessName="Client HQ"), Industry="Technology")
    [created] = emulator.seed({"customers": [declared]})["customers"]
    got = soap.GetCustomer(CustomerId=created["Id"]).Customer
    assert (got.Name, got.Industry, got.MarketCountry, got.MarketLanguage) == (
        "Client 001",
        "Technology",
        "US",
        "English",
    )
    assert got.CustomerAddress.BusinessName == "Client HQ" and got.CustomerAddress.Id is not None
    assert (got.CustomerLifeCycleStatus, got.Number) == ("Active", created["Number"])


def test_seeded_accounts_are_listed_by_get_accounts_info_with_their_statuses(
    emulator: EmulatorControl, soap: Soap
) -> None:
    declared = client(1, accounts=3)
    declared["accounts"][1]["AccountLifeCycleStatus"] = "Pause"
    [created] = emulator.seed({"customers": [declared]})["customers"]
    listed = soap.GetAccountsInfo(CustomerId=created["Id"], OnlyParentAccounts=False).AccountsInfo.AccountInfo
    assert [(a.Id, a.Name, a.AccountLifeCycleStatus) for a in listed] == [
        (created["accounts"][0]["Id"], "Client 001 account 0", "Active"),
        (created["accounts"][1]["Id"], "Client 001 account 1", "Pause"),
        (created["accounts"][2]["Id"], "Client 001 account 2", "Active"),
    ]


def test_seeded_accounts_read_back_through_search_accounts_as_declared(
    emulator: EmulatorControl, soap: Soap, aggregator: int
) -> None:
    declared = client(1, accounts=2)
    brazil = address(CountryCode="BR", City="Rio de Janeiro", StateOrProvince="RJ", PostalCode="20000-000")
    declared["accounts"][1] |= {
        "CurrencyCode": "BRL",
        "BusinessAddress": brazil,
        "TaxInformation": {"CPF": "12345678909"},
        "TimeZone": "Brasilia",
    }
    [created] = emulator.seed({"customers": [declared]})["customers"]
    found = soap.SearchAccounts(
        Predicates=predicates(("CustomerId", "Equals", str(created["Id"]))), PageInfo=page()
    ).Accounts.AdvertiserAccount
    primary, second = found
    assert (primary.Name, primary.CurrencyCode, primary.BillToCustomerId) == ("Client 001 account 0", "USD", aggregator)
    assert primary.PaymentMethodId is not None, "the primary account is billed to the aggregator's invoice"
    assert (second.CurrencyCode, second.TimeZone, second.BillToCustomerId) == ("BRL", "Brasilia", created["Id"])
    assert second.BusinessAddress.City == "Rio de Janeiro"
    assert [(p.key, p.value) for p in second.TaxInformation.KeyValuePairOfstringstring] == [("CPF", "12345678909")]


def test_tax_information_may_also_be_written_as_the_wsdl_carries_it(emulator: EmulatorControl) -> None:
    brazil = address(CountryCode="BR", City="Rio de Janeiro", StateOrProvince="RJ", PostalCode="20000-000")
    declared = client(1)
    declared["accounts"][0] |= {"CurrencyCode": "BRL", "BusinessAddress": brazil, "TaxInformation": kvps(CPF="1")}
    emulator.seed({"customers": [declared]})
    [stored] = emulator.data()["accounts"]
    assert stored["TaxInformation"] == kvps(CPF="1")


# -- refusals: all or nothing -----------------------------------------------------------------------------


def test_a_bad_entity_stores_nothing_and_is_named_by_its_path_and_name(emulator: EmulatorControl) -> None:
    fixture = {"customers": [client(0), client(1), client(2, accounts=2)]}
    fixture["customers"][2]["accounts"][1]["Name"] = "X"
    with pytest.raises(ValueError, match=r"^customers\[2\]\.accounts\[1\] 'X': Account\.Name must have at least"):
        emulator.seed(fixture)
    assert client_customers(emulator) == [] and emulator.data()["accounts"] == []


def test_a_refusal_answers_400_with_the_error_and_its_codes(emulator: EmulatorControl) -> None:
    fixture = {"customers": [client(0, Industry=None)]}
    response = post(emulator, json.dumps(fixture).encode(), "application/json")
    assert response.status_code == 400
    assert response.json() == {
        "error": "customers[0] 'Client 000': Customer.Industry is required.",
        "codes": [201],
    }


def test_seven_accounts_for_one_customer_are_refused_as_add_account_refuses_the_seventh(
    emulator: EmulatorControl,
) -> None:
    with pytest.raises(ValueError, match=r"customers\[0\]\.accounts\[6\] .*at most 6"):
        emulator.seed({"customers": [client(0, accounts=7)]})
    assert emulator.data()["accounts"] == []


def test_six_accounts_for_one_customer_load(emulator: EmulatorControl) -> None:
    [created] = emulator.seed({"customers": [client(0, accounts=6)]})["customers"]
    assert len(created["accounts"]) == 6


def test_an_inactive_account_does_not_count_against_the_six(emulator: EmulatorControl) -> None:
    declared = client(0, accounts=7)
    declared["accounts"][0]["AccountLifeCycleStatus"] = "Inactive"
    assert len(emulator.seed({"customers": [declared]})["customers"][0]["accounts"]) == 7


def test_two_accounts_of_a_customer_with_one_name_are_refused(emulator: EmulatorControl) -> None:
    declared = client(0, accounts=2)
    declared["accounts"][1]["Name"] = declared["accounts"][0]["Name"].upper()
    with pytest.raises(ValueError, match=r"customers\[0\]\.accounts\[1\] .*already used by account"):
        emulator.seed({"customers": [declared]})


def test_an_account_after_a_draft_one_is_refused(emulator: EmulatorControl) -> None:
    declared = client(0, accounts=2)
    declared["accounts"][0]["AccountLifeCycleStatus"] = "Draft"
    with pytest.raises(ValueError, match=r"customers\[0\]\.accounts\[1\] .*Draft"):
        emulator.seed({"customers": [declared]})


def test_a_value_outside_the_wsdl_is_refused_by_its_schemas(emulator: EmulatorControl) -> None:
    declared = client(0)
    declared["accounts"][0]["CurrencyCode"] = "XYZ"
    with pytest.raises(ValueError, match=r"customers\[0\]\.accounts\[0\] .*AdvertiserAccount does not match .*'XYZ'"):
        emulator.seed({"customers": [declared]})


def test_an_unknown_life_cycle_status_is_refused(emulator: EmulatorControl) -> None:
    declared = client(0)
    declared["accounts"][0]["AccountLifeCycleStatus"] = "Open"
    with pytest.raises(ValueError, match=r"customers\[0\]\.accounts\[0\] .*'Open'"):
        emulator.seed({"customers": [declared]})


@pytest.mark.parametrize(
    ("where", "field"), [("customer", "ServiceLevel"), ("customer", "Id"), ("account", "Nmae"), ("account", "Number")]
)
def test_a_field_signup_does_not_take_is_refused_not_ignored(emulator: EmulatorControl, where: str, field: str) -> None:
    declared = client(0)
    (declared if where == "customer" else declared["accounts"][0])[field] = "x"
    with pytest.raises(ValueError, match=f"does not take {field}"):
        emulator.seed({"customers": [declared]})


def test_the_primary_account_cannot_name_a_payment_method(emulator: EmulatorControl) -> None:
    declared = client(0)
    declared["accounts"][0]["PaymentMethodId"] = 42
    with pytest.raises(ValueError, match=r"accounts\[0\] .*billed to the aggregator's invoice"):
        emulator.seed({"customers": [declared]})


def test_a_customer_without_accounts_is_refused(emulator: EmulatorControl) -> None:
    with pytest.raises(ValueError, match=r"customers\[0\] 'Client 000': accounts must list"):
        emulator.seed({"customers": [client(0, accounts=0)]})


def test_a_business_country_comes_from_the_customer_as_on_signup(emulator: EmulatorControl) -> None:
    declared = client(0, MarketCountry="DE", MarketLanguage="German")
    declared["accounts"][0] |= {
        "CurrencyCode": "EUR",
        "BusinessAddress": {"BusinessName": "B", "Line1": "L", "City": "C"},
    }
    emulator.seed({"customers": [declared]})
    assert emulator.data()["accounts"][0]["BusinessAddress"]["CountryCode"] == "DE"


# -- the rest of the emulator --------------------------------------------------------------------------


def test_seeding_is_not_counted_as_service_calls(emulator: EmulatorControl) -> None:
    emulator.seed({"customers": [client(0, accounts=3)]})
    assert emulator.total_calls() == 0 and emulator.calls() == {}


def test_seeding_adds_to_what_is_stored(emulator: EmulatorControl) -> None:
    emulator.seed({"customers": [client(0)]})
    emulator.seed({"customers": [client(1)]})
    assert [c["Name"] for c in client_customers(emulator)] == ["Client 000", "Client 001"]


def test_an_agency_of_300_customers_and_900_accounts_loads_in_seconds_and_is_all_visible(
    emulator: EmulatorControl, soap: Soap
) -> None:
    fixture = {"customers": [client(i, accounts=3) for i in range(300)]}
    started = time.monotonic()
    created = emulator.seed(fixture)["customers"]
    took = time.monotonic() - started
    print(f"seeded 300 customers and 900 accounts in {took:.2f} s")
    assert took < 10, f"{took:.1f} s"
    assert sum(len(c["accounts"]) for c in created) == 900
    infos = soap.GetCustomersInfo(CustomerNameFilter="Client ", TopN=1000).CustomersInfo.CustomerInfo
    assert sorted(c.Id for c in infos) == sorted(c["Id"] for c in created)
    found = [
        a
        for index in (0, 1)
        for a in soap.SearchAccounts(
            Predicates=predicates(("AccountName", "Contains", "Client ")), PageInfo=page(index, 500)
        ).Accounts.AdvertiserAccount
    ]
    assert sorted(a.Id for a in found) == sorted(a["Id"] for c in created for a in c["accounts"])


# -- --seed ------------------------------------------------------------------------------------------------


def test_the_seed_flag_loads_the_fixture_at_start_and_again_after_a_reset(start_emulator: StartEmulator) -> None:
    process = start_emulator("--seed", str(AGENCY_YAML))
    names = yaml.safe_load(AGENCY_YAML.read_text())
    expected = [c["Name"] for c in names["customers"]]
    assert [c["Name"] for c in client_customers(process.control)] == expected
    assert "seeded 4 customers and 8 accounts" in process.log_text()
    process.control.seed({"customers": [client(0)]})
    process.control.reset()
    assert [c["Name"] for c in client_customers(process.control)] == expected, "back to the seeded state"


def test_the_seed_flag_does_not_seed_a_store_that_holds_clients_again(
    start_emulator: StartEmulator, tmp_path: Path
) -> None:
    db = tmp_path / "kept.sqlite3"
    start_emulator("--seed", str(AGENCY_YAML), db=db).stop()
    again = start_emulator("--seed", str(AGENCY_YAML), db=db)
    assert len(client_customers(again.control)) == 4
    assert "not seeded" in again.log_text()


def test_a_bad_seed_file_stops_the_emulator_with_status_2_naming_the_entity(tmp_path: Path) -> None:
    fixture = tmp_path / "bad.json"
    fixture.write_text(json.dumps({"customers": [client(0, Industry="Mining")]}))
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_msads.emulator", "--port", "0", "--db", ":memory:", "--seed", str(fixture)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "customers[0] 'Client 000'" in done.stderr and "'Mining'" in done.stderr


def test_a_missing_seed_file_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_msads.emulator", "--seed", str(tmp_path / "none.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--seed: cannot read" in done.stderr
