"""The WSDL the emulator serves, and the HTTP surface around the SOAP endpoint."""

from __future__ import annotations

import pytest
import requests
import zeep
from lxml import etree

from pulumi_msads import wsdl

from .support import HEADERS

WSDL_NS, SOAP_BINDING_NS = "http://schemas.xmlsoap.org/wsdl/", "http://schemas.xmlsoap.org/wsdl/soap/"


@pytest.mark.parametrize("query", ["wsdl", "WSDL", "singleWsdl"])
def test_the_wsdl_is_served_with_its_address_pointing_at_the_emulator(url: str, query: str) -> None:
    response = requests.get(f"{url}?{query}", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    document = etree.fromstring(response.content)
    addresses = [a.get("location") for a in document.iter(f"{{{SOAP_BINDING_NS}}}address")]
    assert addresses == [url]


def test_the_served_wsdl_is_microsofts_apart_from_the_address(url: str) -> None:
    served = etree.fromstring(requests.get(f"{url}?wsdl", timeout=10).content)
    bundled = etree.parse(str(wsdl.wsdl_path())).getroot()
    for document in (served, bundled):
        for node in document.iter(f"{{{SOAP_BINDING_NS}}}address"):
            node.set("location", "-")
    assert etree.tostring(served, method="c14n") == etree.tostring(bundled, method="c14n")


def test_a_zeep_client_built_from_the_served_wsdl_calls_the_emulator(url: str) -> None:
    client = zeep.Client(f"{url}?wsdl")
    assert client.service._binding_options["address"] == url
    assert client.service.GetCurrentUser(_soapheaders=HEADERS).body.User.Id


def test_get_without_a_query_describes_the_service(url: str) -> None:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert "?wsdl" in response.text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_soap_requests_must_be_posted(url: str, method: str) -> None:
    response = requests.request(method, url, timeout=10)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_other_paths_are_not_found(url: str) -> None:
    response = requests.get(url.replace("CustomerManagementService.svc", "CampaignManagementService.svc"), timeout=10)
    assert response.status_code == 404
    assert wsdl.SERVICE_PATH in response.text
