"""The REST face: the same service as JSON over HTTP, as Microsoft's ``msads`` SDK sends and reads it.

Both faces share one store, one set of rules and one control plane, so most tests here make a
change through one face and read it through the other. Request bodies are written out as JSON, as
the SDK puts them on the wire (ids as strings, bare arrays, ``Key``/``Value`` pairs), rather than
built with ``rest_codec``, so that the codec is checked rather than trusted.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests
import zeep.exceptions

from pulumi_msads import rest_codec, rest_operations
from pulumi_msads.emulator import rest
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess

from .conftest import STRICT_ACCESS_TOKEN, STRICT_DEVELOPER_TOKEN, Signup, Soap
from .support import HEADERS, brazil_account, entity_dict, kvps

REST_HEADERS = {
    "Authorization": f"Bearer {HEADERS['AuthenticationToken']}",
    "DeveloperToken": HEADERS["DeveloperToken"],
    "CustomerId": "None",  # msads always sends both, an unset one as the text None
    "CustomerAccountId": "None",
    "Content-Type": "application/json",
}


class Rest:
    """Calls the emulator's REST face by operation name, at the method and path msads uses."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.headers = dict(REST_HEADERS if headers is None else headers)

    def send(self, operation: str, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
        method, path = rest_operations.route(operation)
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        return requests.request(
            method, self.base_url + path, data=payload, headers=self.headers if headers is None else headers, timeout=30
        )

    def __call__(self, operation: str, body: Any) -> Any:
        """The JSON of a call that must succeed."""
        response = self.send(operation, body)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def rest_client(emulator: EmulatorControl) -> Rest:
    return Rest(emulator.base_url)


def error_of(response: requests.Response, status: int) -> dict[str, Any]:
    """The one error of a JSON fault, after the checks every fault must pass."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    fault: dict[str, Any] = response.json()
    assert fault["TrackingId"] == response.headers["TrackingId"]
    errors = fault["Errors"] if fault["Type"] == "AdApiFaultDetail" else fault["OperationErrors"]
    (error,) = errors
    error["Type"] = fault["Type"]
    return dict(error)


def address_json(**overrides: Any) -> dict[str, Any]:
    base = {"BusinessName": "Contoso", "City": "Redmond", "CountryCode": "US", "Line1": "One Microsoft Way"}
    return {k: v for k, v in (base | overrides).items() if v is not None}


def account_json(**overrides: Any) -> dict[str, Any]:
    return {"CurrencyCode": "USD", "Name": "Contoso US", "BusinessAddress": address_json(), **overrides}


def signup_json(aggregator: int, **account_overrides: Any) -> dict[str, Any]:
    return {
        "Customer": {"Industry": "Other", "MarketCountry": "US", "MarketLanguage": "English", "Name": "Contoso"},
        "Account": account_json(**account_overrides),
        "ParentCustomerId": str(aggregator),
    }


def customer_count(soap: Soap) -> int:
    return len(soap.GetCustomersInfo(CustomerNameFilter="", TopN=100).CustomersInfo.CustomerInfo)


# -- one store, two faces -----------------------------------------------------------------------------


def test_a_customer_signed_up_over_rest_is_the_one_soap_reads(rest_client: Rest, soap: Soap, aggregator: int) -> None:
    created = rest_client("SignupCustomer", signup_json(aggregator))
    customer = soap.GetCustomer(CustomerId=int(created["CustomerId"])).Customer
    account = soap.GetAccount(AccountId=int(created["AccountId"])).Account
    assert (customer.Name, customer.Industry, customer.Number) == ("Contoso", "Other", created["CustomerNumber"])
    assert (account.Name, account.ParentCustomerId, account.Number) == (
        "Contoso US",
        int(created["CustomerId"]),
        created["AccountNumber"],
    )


READS = {
    "GetCustomer": lambda ids: {"CustomerId": ids["customer"]},
    "GetAccount": lambda ids: {"AccountId": ids["account"], "ReturnAdditionalFields": ["AccountMode"]},
    "GetAccountsInfo": lambda ids: {"CustomerId": ids["customer"], "OnlyParentAccounts": False},
    "GetCustomersInfo": lambda ids: {"CustomerNameFilter": "Con", "TopN": 10},
    "SearchAccounts": lambda ids: {
        "Predicates": {"Predicate": [{"Field": "CustomerId", "Operator": "Equals", "Value": str(ids["customer"])}]},
        "PageInfo": {"Index": 0, "Size": 10},
    },
    "SearchCustomers": lambda ids: {
        "Predicates": {"Predicate": [{"Field": "CustomerName", "Operator": "Contains", "Value": "Contoso"}]},
        "PageInfo": {"Index": 0, "Size": 10},
    },
    "GetUser": lambda ids: {"UserId": None},
    "GetCurrentUser": lambda ids: {},
}


@pytest.mark.parametrize("operation", sorted(READS))
def test_a_read_answers_over_rest_what_it_answers_over_soap(
    rest_client: Rest, soap: Soap, signup: Signup, operation: str
) -> None:
    created = signup()
    request = READS[operation]({"customer": created.CustomerId, "account": created.AccountId})
    over_soap = entity_dict(getattr(soap, operation)(**request))
    over_rest = rest_client(operation, rest_codec.request_to_json(operation, request))
    assert over_rest == rest_codec.response_to_json(operation, over_soap)


@pytest.mark.parametrize(
    "path",
    [
        ("Id",),
        ("ParentCustomerId",),
        ("BillToCustomerId",),
        ("PrimaryUserId",),
        ("LastModifiedByUserId",),
        ("TimeStamp",),
        ("BusinessAddress", "Id"),
    ],
    ids=".".join,
)
def test_ids_and_time_stamps_are_json_strings(rest_client: Rest, signup: Signup, path: tuple[str, ...]) -> None:
    value: Any = rest_client("GetAccount", {"AccountId": str(signup().AccountId)})["Account"]
    for key in path:
        value = value[key]
    assert isinstance(value, str)
    assert value


def test_a_success_is_json_with_a_tracking_id_header(rest_client: Rest) -> None:
    response = rest_client.send("GetCurrentUser", {})
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["TrackingId"]


# -- updates and TimeStamps ---------------------------------------------------------------------------


def test_an_update_with_the_fresh_time_stamp_is_visible_over_soap(
    rest_client: Rest, soap: Soap, signup: Signup
) -> None:
    account_id = str(signup().AccountId)
    account = rest_client("GetAccount", {"AccountId": account_id})["Account"]
    rest_client("UpdateAccount", {"Account": account | {"Name": "Contoso renamed"}})  # every key echoed, as msads does
    assert soap.GetAccount(AccountId=int(account_id)).Account.Name == "Contoso renamed"


def test_an_update_with_a_stale_time_stamp_is_a_400_api_fault_209(rest_client: Rest, signup: Signup) -> None:
    account_id = str(signup().AccountId)
    stale = rest_client("GetAccount", {"AccountId": account_id})["Account"]
    rest_client("UpdateAccount", {"Account": stale | {"Name": "First writer"}})
    error = error_of(rest_client.send("UpdateAccount", {"Account": stale | {"Name": "Second writer"}}), 400)
    assert (error["Type"], error["Code"]) == ("ApiFault", 209)
    assert "ErrorCode" not in error  # OperationError has none
    assert account_id in error["Details"]


def test_a_null_field_on_update_clears_it_under_overwrite_semantics(
    rest_client: Rest, emulator: EmulatorControl, signup: Signup
) -> None:
    emulator.settings(update_semantics="overwrite")
    account_id = str(signup(account_overrides=brazil_account(TaxInformation=kvps(CPF="X1"))).AccountId)
    account = rest_client("GetAccount", {"AccountId": account_id})["Account"]
    assert account["TaxInformation"] == [{"Key": "CPF", "Value": "X1"}]
    rest_client("UpdateAccount", {"Account": account | {"TaxInformation": None}})
    assert rest_client("GetAccount", {"AccountId": account_id})["Account"]["TaxInformation"] is None


@pytest.mark.parametrize(("key", "value"), [("Key", "Value"), ("key", "value")])
def test_tax_information_pairs_come_back_as_key_and_value_whichever_case_was_sent(
    rest_client: Rest, soap: Soap, aggregator: int, key: str, value: str
) -> None:
    pairs = [{key: "VATNumber", value: "DE123456789"}]
    german = address_json(CountryCode="DE", City="Berlin", StateOrProvince=None, PostalCode="10115")
    created = rest_client("SignupCustomer", signup_json(aggregator, TaxInformation=pairs, BusinessAddress=german))
    account = rest_client("GetAccount", {"AccountId": created["AccountId"]})["Account"]
    assert account["TaxInformation"] == [{"Key": "VATNumber", "Value": "DE123456789"}]
    stored = entity_dict(soap.GetAccount(AccountId=int(created["AccountId"])).Account)["TaxInformation"]
    assert stored["KeyValuePairOfstringstring"] == [{"key": "VATNumber", "value": "DE123456789"}]


def test_additional_fields_take_the_comma_separated_flags_msads_writes(rest_client: Rest, signup: Signup) -> None:
    request = {"AccountId": str(signup().AccountId), "ReturnAdditionalFields": "None, AccountMode"}
    assert rest_client("GetAccount", request)["Account"]["AccountMode"] == "Expert"


# -- the other operations' shapes ---------------------------------------------------------------------


def test_add_account_then_delete_account_with_a_json_body(rest_client: Rest, soap: Soap, signup: Signup) -> None:
    customer_id = str(signup().CustomerId)
    added = rest_client("AddAccount", {"Account": account_json(Name="Second", ParentCustomerId=customer_id)})
    assert isinstance(added["AccountId"], str)
    stamp = rest_client("GetAccount", {"AccountId": added["AccountId"]})["Account"]["TimeStamp"]
    response = rest_client.send("DeleteAccount", {"AccountId": added["AccountId"], "TimeStamp": stamp})
    assert (response.status_code, response.json()) == (200, {})
    assert soap.GetAccount(AccountId=int(added["AccountId"])).Account.AccountLifeCycleStatus == "Inactive"


def test_get_accounts_info_answers_a_bare_array(rest_client: Rest, signup: Signup) -> None:
    created = signup()
    answer = rest_client("GetAccountsInfo", {"CustomerId": str(created.CustomerId), "OnlyParentAccounts": False})
    (info,) = answer["AccountsInfo"]
    assert (info["Id"], info["Name"], info["AccountLifeCycleStatus"]) == (
        str(created.AccountId),
        "Contoso main",
        "Active",
    )


def test_search_accounts_answers_a_bare_array(rest_client: Rest, signup: Signup) -> None:
    created = signup()
    answer = rest_client(
        "SearchAccounts",
        {
            "Predicates": [{"Field": "AccountId", "Operator": "Equals", "Value": str(created.AccountId)}],
            "Ordering": [{"Field": "Id", "Order": "Descending"}],
            "PageInfo": {"Index": 0, "Size": 100},
        },
    )
    assert [account["Id"] for account in answer["Accounts"]] == [str(created.AccountId)]


@pytest.mark.parametrize("body", [{"UserId": None}, {}], ids=["null", "absent"])
def test_get_user_without_a_user_id_is_the_caller(rest_client: Rest, soap: Soap, body: dict[str, Any]) -> None:
    answer = rest_client("GetUser", body)
    assert answer["User"]["Id"] == str(soap.GetCurrentUser().User.Id)
    assert [role["RoleId"] for role in answer["CustomerRoles"]] == [33]


def test_an_operation_the_emulator_does_not_model_is_a_400_api_fault_204(rest_client: Rest) -> None:
    error = error_of(rest_client.send("SearchUserInvitations", {"Predicates": []}), 400)
    assert (error["Type"], error["Code"]) == ("ApiFault", 204)


# -- authentication -----------------------------------------------------------------------------------

NO_TOKEN = {
    "absent": None,
    "basic": "Basic dXNlcjpwYXNz",
    "bearer-without-token": "Bearer",
    "bearer-with-blank-token": "Bearer   ",
}


@pytest.mark.parametrize("authorization", sorted(NO_TOKEN))
def test_an_authorization_without_a_bearer_token_is_a_401_ad_api_fault_116(
    rest_client: Rest, authorization: str
) -> None:
    headers = {k: v for k, v in REST_HEADERS.items() if k != "Authorization"}
    if NO_TOKEN[authorization] is not None:
        headers["Authorization"] = str(NO_TOKEN[authorization])
    error = error_of(rest_client.send("GetUser", {"UserId": None}, headers), 401)
    assert (error["Type"], error["Code"], error["ErrorCode"]) == ("AdApiFaultDetail", 116, "RequestMissingHeaders")
    assert "AuthenticationToken" in error["Detail"]


def test_a_missing_developer_token_is_a_401_ad_api_fault_116(rest_client: Rest) -> None:
    headers = {k: v for k, v in REST_HEADERS.items() if k != "DeveloperToken"}
    error = error_of(rest_client.send("GetUser", {"UserId": None}, headers), 401)
    assert (error["Code"], "DeveloperToken" in error["Detail"]) == (116, True)


@pytest.mark.parametrize("value", ["None", "251000001", None], ids=["none-text", "an-id", "absent"])
def test_customer_id_headers_are_ignored(rest_client: Rest, value: str | None) -> None:
    headers = {k: v for k, v in REST_HEADERS.items() if k not in ("CustomerId", "CustomerAccountId")}
    if value is not None:
        headers |= {"CustomerId": value, "CustomerAccountId": value}
    assert rest_client.send("GetCurrentUser", {}, headers).status_code == 200


@pytest.mark.parametrize(
    ("developer_token", "access_token", "status"),
    [
        (STRICT_DEVELOPER_TOKEN, STRICT_ACCESS_TOKEN, 200),
        ("another", STRICT_ACCESS_TOKEN, 401),
        (STRICT_DEVELOPER_TOKEN, "another", 401),
    ],
    ids=["both-right", "wrong-developer-token", "wrong-access-token"],
)
def test_the_token_flags_check_the_bearer_token_and_developer_token(
    strict_emulator_process: EmulatorProcess, developer_token: str, access_token: str, status: int
) -> None:
    headers = {"Authorization": f"Bearer {access_token}", "DeveloperToken": developer_token}
    response = Rest(strict_emulator_process.control.base_url, headers).send("GetCurrentUser", {})
    assert response.status_code == status
    if status != 200:
        assert error_of(response, status)["Code"] == 105


# -- requests that are not an operation's -------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "body", "field"),
    [
        ("GetAccount", {"AccountId": 187000001}, "AccountId"),
        ("GetCustomer", {"CustomerId": 251000001}, "CustomerId"),
        ("UpdateAccount", {"Account": {"Id": 187000001, "Name": "x", "TimeStamp": "AAAAAAAAAAE="}}, "Account.Id"),
        ("SignupCustomer", {"ParentCustomerId": 251000001}, "ParentCustomerId"),
    ],
)
def test_a_long_sent_as_a_json_number_is_a_400_api_fault_naming_the_field(
    rest_client: Rest, operation: str, body: dict[str, Any], field: str
) -> None:
    error = error_of(rest_client.send(operation, body), 400)
    assert (error["Type"], error["Code"]) == ("ApiFault", 201)
    assert f"{field}:" in error["Details"]


@pytest.mark.parametrize(
    ("operation", "body", "named"),
    [
        ("SignupCustomer", signup_json(1) | {"Customer": {"Industry": "Bogus", "Name": "C"}}, "Industry"),
        ("GetCustomersInfo", {"CustomerNameFilter": "C", "TopN": "ten"}, "TopN"),
        ("GetCustomersInfo", {"CustomerNameFilter": "C", "TopN": 10, "Colour": "blue"}, "Colour"),
    ],
    ids=["enumeration", "int", "unknown-field"],
)
def test_the_wsdl_schemas_apply_to_rest_requests_too(
    rest_client: Rest, operation: str, body: dict[str, Any], named: str
) -> None:
    error = error_of(rest_client.send(operation, body), 400)
    assert (error["Type"], error["Code"]) == ("ApiFault", 201)
    assert named in error["Details"]


@pytest.mark.parametrize(
    ("payload", "code"),
    [(b"", 100), (b"not json", 201), (b"{", 201), (b"[]", 201), (b'"text"', 201), (b"null", 201)],
    ids=["empty", "not-json", "truncated", "array", "string", "null"],
)
def test_a_body_that_is_not_a_json_object_is_a_400_api_fault(rest_client: Rest, payload: bytes, code: int) -> None:
    error = error_of(rest_client.send("GetCurrentUser", payload), 400)
    assert (error["Type"], error["Code"]) == ("ApiFault", code)


@pytest.mark.parametrize(
    "path",
    ["/CustomerManagement/v13/MakeCoffee", "/CustomerManagement/v13/account/query", "/CustomerManagement/v13/Account/"],
    ids=["unknown", "wrong-case", "trailing-slash"],
)
def test_an_unknown_path_is_a_404_naming_it(emulator: EmulatorControl, path: str) -> None:
    response = requests.post(emulator.base_url + path, json={}, headers=REST_HEADERS, timeout=30)
    assert response.status_code == 404
    assert path in response.json()["error"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/CustomerManagement/v13/Account", "DELETE, POST, PUT"),
        ("PUT", "/CustomerManagement/v13/Customer/Signup", "POST"),
    ],
)
def test_a_known_path_with_the_wrong_method_is_a_405_with_allow(
    emulator: EmulatorControl, method: str, path: str, allow: str
) -> None:
    response = requests.request(method, emulator.base_url + path, json={}, headers=REST_HEADERS, timeout=30)
    assert (response.status_code, response.headers["Allow"]) == (405, allow)
    assert method in response.json()["error"]


def test_an_oversized_body_is_a_413(rest_client: Rest) -> None:
    padding = "x" * (rest.MAX_REQUEST_BYTES + 1)
    response = rest_client.send("GetCustomersInfo", {"CustomerNameFilter": padding, "TopN": 1})
    assert response.status_code == 413
    assert "larger than" in response.json()["error"]


def test_every_rest_path_of_msads_is_routed_to_the_rest_face() -> None:
    assert all(path.startswith(rest.PREFIX) for _, path in rest_operations.ROUTES.values())


# -- fault injection, latency and call counts: the same control plane ---------------------------------

STATUS_OF_CODE = {105: 401, 109: 401, 116: 401, 106: 403, 117: 429, 0: 500, 2208: 500, 201: 400, 209: 400, 2108: 400}
AD_API_CODES = {0, 105, 106, 109, 116, 117}


@pytest.mark.parametrize(("code", "status"), sorted(STATUS_OF_CODE.items()))
def test_an_injected_fault_has_the_status_and_shape_of_its_code(
    rest_client: Rest, emulator: EmulatorControl, code: int, status: int
) -> None:
    emulator.add_fault(operation="GetCurrentUser", code=code)
    error = error_of(rest_client.send("GetCurrentUser", {}), status)
    assert (error["Type"], error["Code"]) == ("AdApiFaultDetail" if code in AD_API_CODES else "ApiFault", code)


def test_injected_throttling_is_a_429_call_rate_exceeded(rest_client: Rest, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetCurrentUser", code=117)
    error = error_of(rest_client.send("GetCurrentUser", {}), 429)
    assert (error["ErrorCode"], "Injected" in error["Detail"]) == ("CallRateExceeded", True)


def test_an_injected_http_status_comes_bare(rest_client: Rest, emulator: EmulatorControl) -> None:
    emulator.add_fault(http_status=503)
    response = rest_client.send("GetCurrentUser", {})
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("text/plain")


def test_an_injected_drop_closes_the_connection(rest_client: Rest, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetCurrentUser", drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        rest_client.send("GetCurrentUser", {})


@pytest.mark.parametrize("phase", ["before", "after"])
def test_an_injected_fault_commits_the_change_only_in_the_after_phase(
    rest_client: Rest, soap: Soap, emulator: EmulatorControl, aggregator: int, phase: str
) -> None:
    emulator.add_fault(operation="SignupCustomer", code=0, phase=phase)
    assert error_of(rest_client.send("SignupCustomer", signup_json(aggregator)), 500)["Code"] == 0
    assert customer_count(soap) == (2 if phase == "after" else 1)


def test_a_rule_is_used_up_by_whichever_face_calls_first(
    rest_client: Rest, soap: Soap, emulator: EmulatorControl
) -> None:
    emulator.add_fault(operation="GetCurrentUser", code=117)
    assert rest_client.send("GetCurrentUser", {}).status_code == 429
    assert soap.GetCurrentUser().User  # the rule is gone


def test_a_soap_rule_still_faults_soap_the_soap_way(rest_client: Rest, soap: Soap, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetCurrentUser", code=117, skip=1)
    assert rest_client.send("GetCurrentUser", {}).status_code == 200  # skipped
    with pytest.raises(zeep.exceptions.Fault):
        soap.GetCurrentUser()


def test_calls_of_both_faces_count_under_the_operation_name(
    rest_client: Rest, soap: Soap, emulator: EmulatorControl
) -> None:
    rest_client("GetUser", {"UserId": None})
    rest_client("GetUser", {})
    soap.GetUser(UserId=None)
    rest_client("GetCurrentUser", {})
    assert emulator.calls() == {"GetCurrentUser": 1, "GetUser": 3}


def test_requests_that_reach_no_operation_are_not_counted(rest_client: Rest, emulator: EmulatorControl) -> None:
    rest_client.send("GetAccount", {"AccountId": 1})  # a long as a number: refused while reading, like bad SOAP
    requests.get(emulator.base_url + "/CustomerManagement/v13/MakeCoffee", timeout=30)
    assert emulator.calls() == {}


def test_the_added_latency_slows_rest_calls_too(rest_client: Rest, emulator: EmulatorControl) -> None:
    emulator.set_latency(0.2)
    started = time.monotonic()
    rest_client("GetCurrentUser", {})
    assert time.monotonic() - started >= 0.2


def test_health_lists_both_faces(emulator: EmulatorControl) -> None:
    assert emulator.health()["faces"] == ["soap", "rest"]


def test_calls_are_counted_by_the_face_they_came_through(
    rest_client: Rest, soap: Any, emulator: EmulatorControl
) -> None:
    emulator.reset_calls()
    soap.GetUser(UserId=None)
    rest_client("GetUser", {"UserId": None})
    rest_client("GetUser", {})
    assert emulator.faces() == {"rest": 2, "soap": 1}
