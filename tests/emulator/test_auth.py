"""Authentication: the DeveloperToken and AuthenticationToken SOAP headers, and who may delete customers."""

from __future__ import annotations

import pytest
import zeep

from pulumi_msads.emulator.process import EmulatorProcess

from .conftest import STRICT_ACCESS_TOKEN, STRICT_DEVELOPER_TOKEN, Soap
from .support import HEADERS, fault_of


@pytest.mark.parametrize("missing", ["DeveloperToken", "AuthenticationToken"])
def test_a_missing_header_is_request_missing_headers(soap: Soap, missing: str) -> None:
    headers = {k: v for k, v in HEADERS.items() if k != missing}
    fault = fault_of(Soap(soap.client, headers).GetUser, UserId=None)
    assert fault.shape == "AdApiFaultDetail"
    assert fault.code == 116
    assert fault.errors[0].error_code == "RequestMissingHeaders"
    assert missing in (fault.errors[0].details or "")


def test_an_empty_header_counts_as_missing(soap: Soap) -> None:
    assert fault_of(Soap(soap.client, HEADERS | {"AuthenticationToken": ""}).GetUser, UserId=None).code == 116


def test_user_name_and_password_do_not_replace_the_access_token(soap: Soap) -> None:
    legacy = {"DeveloperToken": "d", "UserName": "someone", "Password": "secret"}
    assert fault_of(Soap(soap.client, legacy).GetUser, UserId=None).code == 116


def test_authentication_comes_before_the_operations_own_checks(soap: Soap) -> None:
    anonymous = Soap(soap.client, {})
    assert fault_of(anonymous.GetCustomer, CustomerId=123456).code == 116
    assert fault_of(anonymous.AddClientLinks, ClientLinks=None).code == 116


def test_by_default_any_token_values_are_accepted(soap: Soap) -> None:
    assert Soap(soap.client, {"DeveloperToken": "x", "AuthenticationToken": "y"}).GetUser(UserId=None).User


@pytest.fixture(scope="module")
def strict_client(strict_emulator_process: EmulatorProcess) -> zeep.Client:
    return zeep.Client(strict_emulator_process.url + "?wsdl")


@pytest.mark.parametrize(
    ("developer", "access"),
    [("wrong", STRICT_ACCESS_TOKEN), (STRICT_DEVELOPER_TOKEN, "wrong")],
    ids=["developer-token", "access-token"],
)
def test_with_expected_tokens_a_wrong_one_is_invalid_credentials(
    strict_client: zeep.Client, developer: str, access: str
) -> None:
    fault = fault_of(
        Soap(strict_client, {"DeveloperToken": developer, "AuthenticationToken": access}).GetUser, UserId=None
    )
    assert fault.shape == "AdApiFaultDetail"
    assert fault.code == 105
    assert fault.errors[0].error_code == "InvalidCredentials"


def test_with_expected_tokens_the_right_ones_are_accepted(strict_client: zeep.Client) -> None:
    headers = {"DeveloperToken": STRICT_DEVELOPER_TOKEN, "AuthenticationToken": STRICT_ACCESS_TOKEN}
    assert Soap(strict_client, headers).GetUser(UserId=None).User


def test_with_expected_tokens_missing_headers_are_still_request_missing_headers(strict_client: zeep.Client) -> None:
    assert fault_of(Soap(strict_client, {}).GetUser, UserId=None).code == 116
