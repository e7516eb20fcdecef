"""The desired-state loader: a valid file becomes typed entries, an invalid one a list of every problem."""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_msads import InputError, MsadsError, gitops

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gitops" / "accounts.yaml"
ADDRESS = {"business_name": "Acme", "line1": "1 Main Street", "city": "Springfield", "country_code": "US"}
VALID: dict[str, Any] = {
    "customers": {
        "acme": {
            "name": "Acme",
            "industry": "Retail",
            "market_country": "US",
            "market_language": "English",
            "account": {"name": "Acme - Search", "currency_code": "USD", "business_address": dict(ADDRESS)},
            "accounts": {
                "brand": {"name": "Acme - Brand", "currency_code": "USD", "business_address": dict(ADDRESS)},
            },
        },
    },
}


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(document: Any) -> str:
    """YAML with every value written out (no anchors), so each line belongs to one path."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False)


def problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(gitops.DesiredStateError) as raised:
        gitops.loads(text, "test.yaml")
    return raised.value.failures


def changed(path: str, value: Any) -> str:
    """VALID with the value at a dotted path set (or removed, for ``...``), as YAML."""
    document = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node = document
    for part in parents:
        node = node[part]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return dump(document)


def test_the_example_loads() -> None:
    desired = gitops.load(EXAMPLE)
    assert list(desired.customers) == ["contoso", "fabrikam", "tailspin"]
    assert {k: list(c.accounts) for k, c in desired.customers.items()} == {
        "contoso": ["brand"],
        "fabrikam": ["ireland"],
        "tailspin": [],
    }
    assert desired.customers["contoso"].accounts["brand"].business_address.city == "Redmond", "anchors resolve"


def test_a_valid_file_gives_the_resources_inputs() -> None:
    desired = gitops.loads(yaml.safe_dump(VALID))
    acme = desired.customers["acme"]
    expected_customer = {k: v for k, v in VALID["customers"]["acme"].items() if k != "accounts"}
    assert acme.customer_inputs() == expected_customer
    assert gitops.account_inputs(acme.accounts["brand"]) == VALID["customers"]["acme"]["accounts"]["brand"]
    assert gitops.account_name("acme", "brand") == "acme/brand"


def test_a_file_without_customers_is_refused_as_it_would_remove_everything() -> None:
    [(path, reason)] = problems("customers: {}\n")
    assert path == "customers"
    assert "remove every customer" in reason and "allow_empty: true" in reason


def test_a_file_without_customers_is_accepted_when_it_says_allow_empty() -> None:
    assert gitops.loads("allow_empty: true\ncustomers: {}\n").customers == {}


def test_one_customer_id_adopted_by_two_entries_is_refused() -> None:
    document = copy.deepcopy(VALID)
    document["customers"]["acme"]["adopt_id"] = "251000002"
    document["customers"]["other"] = {**copy.deepcopy(document["customers"]["acme"]), "accounts": {}}
    [(path, reason)] = problems(dump(document))
    assert path == "customers.other.adopt_id"
    assert "'251000002' is also adopted by customers.acme" in reason


def test_one_account_id_adopted_by_two_entries_is_refused_even_across_customers() -> None:
    document = copy.deepcopy(VALID)
    document["customers"]["acme"]["accounts"]["brand"]["adopt_id"] = 251000009
    other = copy.deepcopy(document["customers"]["acme"])
    other["name"] = "Other"
    document["customers"]["other"] = other
    [(path, reason)] = problems(dump(document))
    assert path == "customers.other.accounts.brand.adopt_id"
    assert "also adopted by customers.acme.accounts.brand" in reason


def test_the_files_deletion_policy_applies_to_entries_that_set_none() -> None:
    document = copy.deepcopy(VALID)
    document["deletion_policy"] = "abandon"
    document["customers"]["acme"]["accounts"]["brand"]["deletion_policy"] = "deactivate"
    desired = gitops.loads(dump(document))
    acme = desired.customers["acme"]
    assert acme.customer_inputs(desired.deletion_policy)["deletion_policy"] == "abandon"
    assert gitops.account_inputs(acme.accounts["brand"], desired.deletion_policy)["deletion_policy"] == "deactivate"


def test_without_a_deletion_policy_the_inputs_have_none_and_the_provider_prevents() -> None:
    desired = gitops.loads(dump(VALID))
    assert "deletion_policy" not in desired.customers["acme"].customer_inputs(desired.deletion_policy)


def test_an_unknown_deletion_policy_is_refused_with_the_allowed_ones() -> None:
    [(path, reason)] = problems(changed("customers.acme.deletion_policy", "delete"))
    assert path == "customers.acme.deletion_policy"
    assert "'prevent', 'abandon' or 'deactivate'" in reason


def test_an_account_can_adopt_an_existing_one() -> None:
    desired = gitops.loads(changed("customers.acme.accounts.brand.adopt_id", 251000002))
    assert gitops.account_inputs(desired.customers["acme"].accounts["brand"])["adopt_id"] == "251000002"


@pytest.mark.parametrize(
    ("path", "value", "where", "expected"),
    [
        pytest.param(
            "customers.acme.account.currency_code",
            "usd",
            "customers.acme.account.currency_code",
            ["'usd' is not a valid CurrencyCode", "did you mean 'USD'?", "allowed: AED"],
            id="bad-enum-with-suggestion",
        ),
        pytest.param(
            "customers.acme.accounts.brand.time_zone",
            "PacificTimeUSCanadaTijuna",
            "customers.acme.accounts.brand.time_zone",
            ["did you mean 'PacificTimeUSCanadaTijuana'"],
            id="bad-enum-in-an-additional-account",
        ),
        pytest.param(
            "customers.acme.name", "x" * 91, "customers.acme.name", ["at most 90 characters"], id="too-long-name"
        ),
        pytest.param(
            "customers.acme.accounts.brand.name",
            "ab",
            "customers.acme.accounts.brand.name",
            ["at least 3 characters"],
            id="too-short-name",
        ),
        pytest.param(
            "customers.acme.accounts.brand.curency_code",
            "USD",
            "customers.acme.accounts.brand.curency_code",
            ["unknown property", "did you mean 'currency_code'?", "allowed: name, currency_code"],
            id="unknown-key-in-an-account",
        ),
        pytest.param(
            "customers.acme.acounts",
            {},
            "customers.acme.acounts",
            ["unknown property", "did you mean 'accounts'?"],
            id="unknown-key-in-a-customer",
        ),
        pytest.param(
            "customer", {}, "customer", ["unknown property", "did you mean 'customers'?"], id="unknown-top-level-key"
        ),
        pytest.param(
            "customers.acme.account.business_address.zip",
            "98052",
            "customers.acme.account.business_address.zip",
            ["unknown property", "postal_code"],
            id="unknown-key-in-an-address",
        ),
        pytest.param(
            "customers.acme.industry",
            ...,
            "customers.acme.industry",
            ["required property is missing"],
            id="missing-required",
        ),
        pytest.param(
            "customers.acme.accounts.brand.business_address",
            ...,
            "customers.acme.accounts.brand.business_address",
            ["required property is missing"],
            id="missing-required-in-an-account",
        ),
        pytest.param(
            "customers.acme.account.business_address.postal_code",
            98052,
            "customers.acme.account.business_address.postal_code",
            ["valid string", "as a number: put it in quotes"],
            id="number-for-a-string",
        ),
        pytest.param(
            "customers.acme.market_country",
            False,
            "customers.acme.market_country",
            ["valid string", "as a true/false value: put it in quotes"],
            id="boolean-for-a-string",
        ),
        pytest.param(
            "customers.acme.accounts",
            ["brand"],
            "customers.acme.accounts",
            ["expected key: value lines, not a list"],
            id="list-for-a-mapping",
        ),
        pytest.param(
            "customers.acme",
            "Acme",
            "customers.acme",
            ["expected key: value lines, not a single value"],
            id="value-for-an-entry",
        ),
        pytest.param(
            "customers.acme.accounts.brand.tax_information",
            {"VATNumber": 123456},
            "customers.acme.accounts.brand.tax_information.VATNumber",
            ["valid string"],
            id="number-in-a-map",
        ),
        pytest.param(
            "customers.acme.adopt_id",
            "C123",
            "customers.acme.adopt_id",
            ["is not a numeric id"],
            id="bad-id",
        ),
        pytest.param(
            "customers.Acme Corp",
            VALID["customers"]["acme"],
            "customers.Acme Corp",
            ["'Acme Corp' is not a valid key", "lowercase"],
            id="bad-key",
        ),
        pytest.param(
            "customers.acme.accounts.brand.name",
            "ACME - search",
            "customers.acme.accounts.brand.name",
            ["also the name of customers.acme.account", "unique within a customer"],
            id="same-account-name-twice",
        ),
    ],
)
def test_a_bad_entry_is_reported_by_its_path_with_what_is_allowed(
    path: str, value: Any, where: str, expected: list[str]
) -> None:
    found = problems(changed(path, value))
    assert [p for p, _ in found] == [where], found
    reason = found[0][1]
    for fragment in expected:
        assert fragment in reason


def test_a_key_with_a_dot_is_refused_whole() -> None:
    document = copy.deepcopy(VALID)
    document["customers"]["acme"]["accounts"]["eu.brand"] = document["customers"]["acme"]["accounts"].pop("brand")
    [(path, reason)] = problems(dump(document))
    assert path == "customers.acme.accounts.eu.brand" and "'eu.brand' is not a valid key" in reason


def test_yaml_that_reads_no_as_false_gets_a_hint_to_quote_it() -> None:
    text = changed("customers.acme.market_country", "NO").replace("market_country: 'NO'", "market_country: NO")
    [(path, reason)] = problems(text)
    assert path == "customers.acme.market_country" and "put it in quotes" in reason


@pytest.mark.parametrize(
    ("text", "where", "first", "line"),
    [
        pytest.param(
            """\
            customers:
              acme: {name: A}
              other: {name: B}
              acme: {name: C}
            """,
            "customers.acme",
            2,
            4,
            id="customer",
        ),
        pytest.param(
            """\
            customers:
              acme:
                accounts:
                  brand: {}
                  search: {}
                  brand: {}
            """,
            "customers.acme.accounts.brand",
            4,
            6,
            id="account",
        ),
        pytest.param(
            """\
            customers:
              acme:
                name: A
                name: B
            """,
            "customers.acme.name",
            3,
            4,
            id="property",
        ),
    ],
)
def test_a_duplicate_key_is_an_error_not_a_silent_overwrite(text: str, where: str, first: int, line: int) -> None:
    with pytest.raises(gitops.DesiredStateError) as raised:
        gitops.loads(textwrap.dedent(text))
    error = raised.value
    duplicates = [(p, r, n) for (p, r), n in zip(error.failures, error.lines, strict=True) if "duplicate" in r]
    assert duplicates == [(where, f"duplicate key {where.rsplit('.', 1)[-1]!r}: also at line {first}", line)]


def test_every_problem_is_listed_at_once_in_file_order_with_its_line() -> None:
    document = copy.deepcopy(VALID)
    document["customers"]["acme"]["industry"] = "Retial"
    document["customers"]["acme"]["accounts"]["brand"]["currency_code"] = "DOLLAR"
    document["customers"]["zeta"] = {**document["customers"]["acme"], "market_language": "Klingon", "industry": "NA"}
    text = dump(document)
    with pytest.raises(gitops.DesiredStateError) as raised:
        gitops.loads(text, "accounts.yaml")
    error = raised.value
    assert [p for p, _ in error.failures] == [
        "customers.acme.industry",
        "customers.acme.accounts.brand.currency_code",
        "customers.zeta.market_language",
        "customers.zeta.accounts.brand.currency_code",
    ]
    text_lines = text.splitlines()
    for (path, _), line in zip(error.failures, error.lines, strict=True):
        assert line is not None and text_lines[line - 1].strip().startswith(path.rsplit(".", 1)[-1] + ":")
    message = str(error)
    assert message.startswith("accounts.yaml: 4 problems, nothing was sent:\n")
    assert "did you mean 'Retail'?" in message


def test_errors_inside_an_alias_point_at_the_line_that_uses_it() -> None:
    text = textwrap.dedent(
        """\
        customers:
          acme:
            name: Acme
            industry: Retail
            market_country: US
            market_language: English
            account:
              name: Acme - Search
              currency_code: USD
              business_address: &office {business_name: Acme, line1: 1 Main Street, city: Springfield, country_code: US}
            accounts:
              brand:
                name: Acme - Brand
                currency_code: USD
                business_address:
                  <<: *office
                  postal_code: 12345
        """
    )
    with pytest.raises(gitops.DesiredStateError) as raised:
        gitops.loads(text)
    assert raised.value.failures == [
        (
            "customers.acme.accounts.brand.business_address.postal_code",
            "Input should be a valid string; YAML read this unquoted value as a number: put it in quotes",
        )
    ]
    assert raised.value.lines == [17]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", "the file is empty", id="empty"),
        pytest.param("customers:\n  acme: [\n", "not valid YAML", id="syntax"),
        pytest.param("- acme\n", "expected key: value lines, not a list", id="list"),
        pytest.param("customers:\n", "empty: expected key: value lines (or {} for none)", id="no-customers"),
    ],
)
def test_a_file_that_is_not_a_desired_state_says_so(text: str, expected: str) -> None:
    [(_, reason)] = problems(text)
    assert expected in reason


def test_the_error_belongs_to_the_packages_error_tree() -> None:
    with pytest.raises(gitops.DesiredStateError) as raised:
        gitops.loads(changed("customers.acme.industry", ...))
    assert isinstance(raised.value, InputError) and isinstance(raised.value, MsadsError)


def test_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(changed("customers.acme.industry", "Retial"), encoding="utf-8")
    assert gitops.main(["check", str(EXAMPLE)]) == 0
    assert "3 customers, 5 accounts: valid" in capsys.readouterr().out
    assert gitops.main(["check", str(EXAMPLE), str(bad)]) == 1
    assert "customers.acme.industry: 'Retial' is not a valid Industry" in capsys.readouterr().err
    assert gitops.main(["check", str(tmp_path / "missing.yaml")]) == 1
    assert gitops.main([]) == 2


def test_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert gitops.main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == gitops.json_schema()


def more_accounts(count: int) -> str:
    """VALID with ``count`` additional accounts under its one customer."""
    accounts = {
        f"a{i}": {"name": f"Acme - {i}", "currency_code": "USD", "business_address": dict(ADDRESS)}
        for i in range(count)
    }
    return changed("customers.acme.accounts", accounts)


def test_a_customer_with_six_accounts_loads() -> None:
    assert len(gitops.loads(more_accounts(5), "test.yaml").customers["acme"].accounts) == 5


def test_a_customer_with_a_seventh_account_is_refused_before_any_call() -> None:
    """guides/entity-hierarchy-limits.md: "Each customer can have between one and six accounts"."""
    assert problems(more_accounts(6)) == [
        (
            "customers.acme.accounts",
            "7 accounts with the primary one; a customer can have at most 6, so the service would refuse the "
            "others: move some to another customer",
        )
    ]


# -- the file as people edit it: encodings, size, nesting, indentation ---------------------------------------


def load_bytes(tmp_path: Path, data: bytes) -> str:
    """The error ``gitops.load`` gives for a file holding ``data``, as printed."""
    path = tmp_path / "accounts.yaml"
    path.write_bytes(data)
    with pytest.raises(gitops.DesiredStateError) as raised:
        gitops.load(path)
    return str(raised.value)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_a_file_saved_as_utf16_or_with_a_bom_loads(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "accounts.yaml"
    path.write_bytes(dump(VALID).encode(encoding))
    assert list(gitops.load(path).customers) == ["acme"]


def test_a_file_that_is_not_utf8_is_refused_naming_the_file_line_and_byte(tmp_path: Path) -> None:
    text = load_bytes(tmp_path, dump(VALID).replace("Springfield", "Montr\xe9al").encode("latin-1"))
    assert f"{tmp_path / 'accounts.yaml'}: 1 problem" in text
    assert "line 13: (the file): not UTF-8 text: byte 0xe9 at column 20 cannot be decoded; save the file as UTF-8" in (
        text
    )


def test_a_file_too_large_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    text = load_bytes(tmp_path, b"#" * (gitops.MAX_FILE_BYTES + 1))
    assert f"the file is {gitops.MAX_FILE_BYTES + 1:,} bytes; at most {gitops.MAX_FILE_BYTES:,} are read" in text


@pytest.mark.parametrize("nesting", ["[" * 5000, "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 400))])
def test_deep_nesting_is_a_problem_not_a_recursion_error(nesting: str) -> None:
    assert problems(nesting)[0][1].startswith("the file nests deeper than any valid one")


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("customers:\n  acme:\n    name: Acme\n      industry: Retail\n", "indented deeper than the key above it"),
        ("customers:\n  acme:\n    name: Acme\n   industry: Retail\n", "indented differently from the keys beside it"),
        ("customers:\n\tacme: {}\n", "a tab: YAML indents with spaces only"),
    ],
    ids=["deeper", "shallower", "tab"],
)
def test_bad_indentation_gets_a_line_column_and_hint(text: str, hint: str) -> None:
    (path, reason), *_ = problems(text)
    assert (path, "(column" in reason, hint in reason) == ("", True, True)


def test_a_length_error_says_the_actual_length() -> None:
    assert ("customers.acme.name", "is 91 characters; at most 90 characters are allowed") in problems(
        changed("customers.acme.name", "x" * 91)
    )


def test_one_id_adopted_twice_in_one_environment_is_refused_there_only() -> None:
    """Two entries may adopt the same id in different environments, never in the same one."""
    document = copy.deepcopy(VALID)
    document["customers"]["acme"]["environments"] = {"sandbox": {"adopt_id": "9000001"}}
    other = copy.deepcopy(document["customers"]["acme"]) | {"name": "Other"}
    other["account"] = dict(other["account"], name="Other - Search")
    other["accounts"] = {}
    document["customers"]["other"] = other | {"environments": {"production": {"adopt_id": "9000001"}}}
    assert gitops.loads(dump(document), "test.yaml")
    document["customers"]["other"]["environments"] = {"sandbox": {"adopt_id": "9000001"}}
    assert problems(dump(document)) == [
        (
            "customers.other.environments.sandbox.adopt_id",
            "'9000001' is also adopted by customers.acme.environments.sandbox.adopt_id; one object, one entry",
        )
    ]


def test_an_unknown_environment_is_refused_naming_the_ones_there_are() -> None:
    assert problems(changed("customers.acme.environments", {"staging": {"adopt_id": "1"}})) == [
        ('customers.acme.environments["staging"]', "Input should be 'production', 'sandbox' or 'local'")
    ]
