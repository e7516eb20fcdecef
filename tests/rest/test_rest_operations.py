"""The REST route table is msads's own, covers exactly the WSDL's operations, and works both ways."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from pulumi_msads import rest_operations, wsdl
from pulumi_msads.rest_operations import ROUTES, operation_at, route

REPO = Path(__file__).resolve().parents[2]
TABLE = REPO / "provider" / "pulumi_msads" / "rest_operations.json"
MSADS_PYTHON = REPO / ".venv-msads" / "bin" / "python"
REGENERATE = ".venv-msads/bin/python scripts/rest-operations > provider/pulumi_msads/rest_operations.json"
V13 = "/CustomerManagement/v13"


@pytest.fixture(scope="session")
def msads_python() -> Path:
    """.venv-msads's interpreter, made by scripts/msads-env when it is missing, so the test never skips."""
    if not MSADS_PYTHON.exists():
        subprocess.run(["scripts/msads-env"], cwd=REPO, check=True, timeout=600)
    return MSADS_PYTHON


def test_the_committed_table_is_the_one_generated_from_msads(msads_python: Path) -> None:
    generated = subprocess.run(
        [str(msads_python), "scripts/rest-operations"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert TABLE.read_text(encoding="utf-8") == generated, f"regenerate: {REGENERATE}"


def test_every_wsdl_operation_has_a_route_and_there_are_no_others() -> None:
    assert sorted(ROUTES) == sorted(wsdl.operation_names())


def test_no_two_operations_share_a_method_and_path() -> None:
    routes = list(ROUTES.values())
    assert len(set(routes)) == len(routes), [r for r in routes if routes.count(r) > 1]


@pytest.mark.parametrize(
    ("operation", "method", "path"),
    [
        ("SignupCustomer", "POST", f"{V13}/Customer/Signup"),
        ("GetCustomer", "POST", f"{V13}/Customer/Query"),
        ("UpdateAccount", "PUT", f"{V13}/Account"),
        ("DeleteAccount", "DELETE", f"{V13}/Account"),
        ("SearchAccounts", "POST", f"{V13}/Accounts/Search"),
        ("GetCustomersInfo", "POST", f"{V13}/CustomersInfo/Query"),
    ],
)
def test_routes_agree_with_the_rest_digest(operation: str, method: str, path: str) -> None:
    assert route(operation) == (method, path)


@pytest.mark.parametrize("operation", sorted(ROUTES))
def test_operation_at_finds_the_operation_at_its_route(operation: str) -> None:
    assert operation_at(*route(operation)) == operation


def test_operation_at_compares_the_method_in_any_case() -> None:
    assert operation_at("delete", f"{V13}/Account") == "DeleteAccount"


def test_operation_at_compares_the_path_exactly() -> None:
    assert operation_at("POST", f"{V13}/customer/signup") is None
    assert operation_at("POST", f"{V13}/Customer/Signup/") is None
    assert operation_at("GET", f"{V13}/Customer/Signup") is None


def test_an_unknown_operation_has_no_route_and_the_error_names_it() -> None:
    with pytest.raises(KeyError, match="'SignUpCustomer'"):
        route("SignUpCustomer")


def test_the_table_names_the_msads_release_it_came_from() -> None:
    assert rest_operations.SOURCE == "msads 13.0.30.1 openapi_client/api/customer_management_service_api.py"


def test_the_table_ships_with_the_package() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "rest_operations.json" in pyproject["tool"]["setuptools"]["package-data"]["pulumi_msads"]
