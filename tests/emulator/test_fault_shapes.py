"""The two fault shapes of the service, and the TrackingId every response carries."""

from __future__ import annotations

import re
from typing import Any

import pytest
import zeep.exceptions
from lxml import etree

from pulumi_msads import wsdl
from pulumi_msads.emulator.process import EmulatorControl

from .conftest import Soap
from .support import envelope, fault_from_envelope, fault_of, header_tracking_id, post

AD_API_CODES = {
    0: "InternalError",
    105: "InvalidCredentials",
    106: "UserIsNotAuthorized",
    109: "AuthenticationTokenExpired",
    116: "RequestMissingHeaders",
    117: "CallRateExceeded",
}
GET_CUSTOMER = "<v13:GetCustomerRequest><v13:CustomerId>{}</v13:CustomerId></v13:GetCustomerRequest>"


def test_a_validation_fault_is_an_api_fault_with_operation_errors(soap: Soap) -> None:
    fault = fault_of(soap.GetCustomer, CustomerId=123456)
    assert fault.shape == "ApiFault"
    (error,) = fault.errors
    assert (error.code, error.message) == (210, "The entity does not exist.")
    assert "123456" in (error.details or "")
    assert error.error_code is None  # OperationError has no ErrorCode


@pytest.mark.parametrize(("code", "name"), sorted(AD_API_CODES.items()))
def test_authentication_and_throttling_faults_are_ad_api_fault_details(
    soap: Soap, emulator: EmulatorControl, code: int, name: str
) -> None:
    emulator.add_fault(operation="GetUser", code=code)
    fault = fault_of(soap.GetUser, UserId=None)
    assert fault.shape == "AdApiFaultDetail"
    (error,) = fault.errors
    assert (error.code, error.error_code) == (code, name)
    assert error.message


@pytest.mark.parametrize("code", [201, 202, 209, 210, 2108])
def test_service_faults_are_api_faults(soap: Soap, emulator: EmulatorControl, code: int) -> None:
    emulator.add_fault(operation="GetUser", code=code)
    fault = fault_of(soap.GetUser, UserId=None)
    assert (fault.shape, fault.code) == ("ApiFault", code)


def test_a_fault_is_http_500_text_xml_with_the_services_fault_string(url: str) -> None:
    response = post(url, envelope(GET_CUSTOMER.format(123456)), action="GetCustomer")
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/xml")
    fault = fault_from_envelope(response.content)
    assert fault.faultcode.endswith(":Server")
    assert fault.faultstring == (
        f"Invalid client data. Check the SOAP fault details for more information. TrackingId: {fault.tracking_id}."
    )


def test_the_fault_tracking_id_is_the_same_in_detail_string_and_header(url: str) -> None:
    response = post(url, envelope(GET_CUSTOMER.format(123456)), action="GetCustomer")
    fault = fault_from_envelope(response.content)
    assert fault.tracking_id
    assert header_tracking_id(response.content) == fault.tracking_id
    assert fault.tracking_id in fault.faultstring


@pytest.mark.parametrize("request_body", [GET_CUSTOMER.format(123456), "<v13:GetCurrentUserRequest/>"])
def test_fault_details_are_valid_against_the_wsdl(url: str, request_body: str) -> None:
    headers = None if "CustomerId" in request_body else {}
    response = post(url, envelope(request_body, headers=headers))
    detail = etree.fromstring(response.content).find(".//detail")
    assert detail is not None
    schema = wsdl.xml_schema()
    assert schema.validate(detail[0]), schema.error_log


def test_several_errors_come_in_one_fault(soap: Soap, aggregator: int) -> None:
    fault = fault_of(
        soap.SignupCustomer,
        Customer={"MarketCountry": "US"},
        Account={"CurrencyCode": "USD"},
        ParentCustomerId=aggregator,
    )
    assert len(fault.errors) > 3
    assert fault.shape == "ApiFault"


def test_every_successful_response_carries_a_tracking_id_header(zeep_client: Any, emulator: EmulatorControl) -> None:
    headers = {"DeveloperToken": "d", "AuthenticationToken": "a"}
    ids = {zeep_client.service.GetCurrentUser(_soapheaders=headers).header.TrackingId for _ in range(3)}
    assert len(ids) == 3
    assert all(re.fullmatch(r"[0-9a-f-]{36}", i) for i in ids)


def test_zeep_raises_its_fault_with_the_detail_element(soap: Soap) -> None:
    with pytest.raises(zeep.exceptions.Fault) as raised:
        soap.GetAccount(AccountId=123456)
    assert raised.value.detail is not None
    assert raised.value.code == "s:Server"
