"""Requests that are not usable SOAP: each gets a SOAP fault (HTTP 500, text/xml), never a traceback.

After every test here the emulator must still answer a valid request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from pulumi_msads.emulator.soap import MAX_REQUEST_BYTES

from .support import (
    FaultInfo,
    envelope,
    fault_from_envelope,
    fault_of,
    header_tracking_id,
    post,
)

GET_USER = "<v13:GetUserRequest><v13:UserId xsi:nil='true' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'/>" + (
    "</v13:GetUserRequest>"
)


@pytest.fixture(autouse=True)
def still_serving(url: str) -> Iterator[None]:
    yield
    response = post(url, envelope(GET_USER), action="GetUser")
    assert response.status_code == 200, response.text


def rejected(response: requests.Response) -> FaultInfo:
    """The fault of a refused request, after the checks every refusal must pass."""
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/xml")
    assert b"Traceback" not in response.content
    fault = fault_from_envelope(response.content)
    assert header_tracking_id(response.content)
    return fault


def test_a_valid_raw_request_is_answered(url: str) -> None:
    response = post(url, envelope(GET_USER), action="GetUser")
    assert response.status_code == 200
    assert b"GetUserResponse" in response.content


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "not well-formed XML"),
        (b"this is not XML", "not well-formed XML"),
        (b"<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body>", "not well-formed XML"),
        (b"<Envelope><Body/></Envelope>", "SOAP 1.1 Envelope"),
        (
            b"<e:Envelope xmlns:e='http://www.w3.org/2003/05/soap-envelope'><e:Body/></e:Envelope>",
            "SOAP 1.1 Envelope",
        ),
        (envelope("").replace(b"<s:Body></s:Body>", b""), "no Body"),
        (envelope(""), "empty"),
        (envelope("<GetUserRequest xmlns='urn:elsewhere'/>"), "not a request element"),
        (envelope("<v13:GetUser/>"), "not a request element"),
        (envelope("<v13:MakeCoffeeRequest/>"), "no operation named MakeCoffee"),
    ],
    ids=[
        "empty",
        "not-xml",
        "truncated",
        "no-namespace",
        "soap-1.2",
        "no-body",
        "empty-body",
        "wrong-namespace",
        "not-a-request-element",
        "unknown-operation",
    ],
)
def test_a_request_that_is_not_soap_for_this_service_is_a_client_fault(url: str, payload: bytes, message: str) -> None:
    fault = rejected(post(url, payload))
    assert fault.faultcode.endswith(":Client")
    assert message in fault.faultstring


def test_a_soap_action_that_disagrees_with_the_body_is_a_client_fault(url: str) -> None:
    fault = rejected(post(url, envelope(GET_USER), action="DeleteCustomer"))
    assert fault.faultcode.endswith(":Client")
    assert "SOAPAction" in fault.faultstring


def test_an_oversized_request_is_a_client_fault(url: str) -> None:
    padding = "x" * (MAX_REQUEST_BYTES + 1)
    fault = rejected(
        post(
            url,
            envelope(
                f"<v13:GetCustomersInfoRequest><v13:CustomerNameFilter>{padding}"
                "</v13:CustomerNameFilter></v13:GetCustomersInfoRequest>"
            ),
        )
    )
    assert "larger than" in fault.faultstring


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:v13="https://bingads.microsoft.com/Customer/v13">
<s:Header><v13:DeveloperToken>d</v13:DeveloperToken><v13:AuthenticationToken>a</v13:AuthenticationToken></s:Header>
<s:Body><v13:GetCustomersInfoRequest><v13:CustomerNameFilter>&lol9;</v13:CustomerNameFilter>
<v13:TopN>1</v13:TopN></v13:GetCustomersInfoRequest></s:Body></s:Envelope>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE s:Envelope [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:v13="https://bingads.microsoft.com/Customer/v13">
<s:Header><v13:DeveloperToken>d</v13:DeveloperToken><v13:AuthenticationToken>a</v13:AuthenticationToken></s:Header>
<s:Body><v13:GetCustomersInfoRequest><v13:CustomerNameFilter>&secret;</v13:CustomerNameFilter>
<v13:TopN>1</v13:TopN></v13:GetCustomersInfoRequest></s:Body></s:Envelope>"""


def utf16(payload: bytes) -> bytes:
    return payload.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-16"?>').encode("utf-16")


@pytest.mark.parametrize(
    "payload",
    [
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        utf16(BILLION_LAUGHS),
        utf16(EXTERNAL_ENTITY),
        EXTERNAL_ENTITY.replace(b"<!DOCTYPE", b"<!doctype"),
    ],
    ids=["billion-laughs", "external-entity", "utf-16-billion-laughs", "utf-16-external-entity", "lowercase-doctype"],
)
def test_dtds_and_entities_are_refused(url: str, payload: bytes) -> None:
    fault = rejected(post(url, payload, action="GetCustomersInfo"))
    assert fault.faultcode.endswith(":Client")
    assert "DTDs and entity declarations are not allowed" in fault.faultstring


def test_a_utf_16_request_is_understood(url: str) -> None:
    payload = envelope(GET_USER).decode().replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    assert post(url, payload, action="GetUser").status_code == 200


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<v13:GetCustomerRequest><v13:CustomerId>abc</v13:CustomerId></v13:GetCustomerRequest>", "long"),
        (
            "<v13:GetCustomerRequest><v13:CustomerId>99999999999999999999</v13:CustomerId></v13:GetCustomerRequest>",
            "long",
        ),
        (
            "<v13:GetAccountRequest><v13:AccountId>1</v13:AccountId>"
            "<v13:ReturnAdditionalFields>Everything</v13:ReturnAdditionalFields></v13:GetAccountRequest>",
            "Everything",
        ),
        (
            "<v13:SignupCustomerRequest><v13:Customer><e:Industry>Spaceflight</e:Industry></v13:Customer>"
            "</v13:SignupCustomerRequest>",
            "Spaceflight",
        ),
        (
            "<v13:SignupCustomerRequest><v13:Customer><e:Name>n</e:Name><e:Industry>Retail</e:Industry></v13:Customer>"
            "</v13:SignupCustomerRequest>",
            "Industry",
        ),
        (
            "<v13:SignupCustomerRequest><v13:Account/><v13:Customer/></v13:SignupCustomerRequest>",
            "Customer",
        ),
        (
            "<v13:GetCustomerRequest><v13:CustomerId>1</v13:CustomerId><v13:Extra>1</v13:Extra>"
            "</v13:GetCustomerRequest>",
            "Extra",
        ),
        (
            "<v13:GetCustomersInfoRequest><v13:CustomerNameFilter/><v13:TopN>many</v13:TopN>"
            "</v13:GetCustomersInfoRequest>",
            "int",
        ),
    ],
    ids=[
        "not-a-number",
        "too-big-for-long",
        "bad-list-value",
        "bad-enum-value",
        "wrong-element-order",
        "wrong-order-of-body-elements",
        "unknown-element",
        "not-an-int",
    ],
)
def test_a_body_the_wsdl_schema_rejects_is_an_input_validation_error(url: str, body: str, problem: str) -> None:
    fault = rejected(post(url, envelope(body)))
    assert fault.faultcode.endswith(":Server")
    assert fault.shape == "ApiFault"
    assert fault.code == 201
    details = fault.errors[0].details or ""
    assert "does not match the WSDL" in details
    assert problem in details


@pytest.mark.parametrize("operation", ["AddClientLinks", "SearchUserInvitations", "GetUsersInfo"])
def test_a_wsdl_operation_the_emulator_does_not_model_is_operation_not_supported(soap: Any, operation: str) -> None:
    fault = fault_of(getattr(soap, operation))
    assert fault.code == 204
    assert "emulator does not support" in (fault.errors[0].details or "")


def test_a_chunked_request_is_understood(url: str) -> None:
    payload = envelope(GET_USER)
    response = requests.post(url, data=iter([payload[:40], payload[40:]]), headers={"Content-Type": "text/xml"})
    assert response.status_code == 200


# -- numbers and nesting no request of the service has ----------------------------------------------------


def _rest(url: str, body: str) -> requests.Response:
    root = url.split("/Api/", 1)[0]
    headers = {"DeveloperToken": "t", "Authorization": "Bearer t", "Content-Type": "application/json"}
    return requests.post(root + "/CustomerManagement/v13/Customer/Query", data=body, headers=headers, timeout=30)


def test_an_id_beyond_int64_over_soap_is_a_validation_fault(url: str) -> None:
    response = post(
        url, envelope(f"<v13:GetCustomerRequest><v13:CustomerId>{2**70}</v13:CustomerId></v13:GetCustomerRequest>")
    )
    assert fault_from_envelope(response.content).code == 201


def test_an_id_beyond_int64_over_rest_is_a_400_validation_fault(url: str) -> None:
    response = _rest(url, json.dumps({"CustomerId": 2**70}))
    assert response.status_code == 400 and response.json()["OperationErrors"][0]["Code"] == 201


@pytest.mark.parametrize(
    "body",
    [
        '{"CustomerId": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"CustomerId": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}",
        "[" * 100_000 + "]" * 100_000,
    ],
    ids=["nested-lists", "nested-objects", "nested-top-level"],
)
def test_json_nested_beyond_any_request_is_a_400_not_an_internal_error(url: str, body: str) -> None:
    response = _rest(url, body)
    assert response.status_code == 400, response.text
    assert response.json()["OperationErrors"][0]["Code"] == 201
