"""Helpers for the emulator's tests: request builders, raw SOAP over HTTP, and fault parsing.

Everything here talks to a running emulator over HTTP, the way any client would; nothing imports
the emulator's internals. Builders return plain dicts in the WSDL's field names, which zeep accepts
as values of the complex types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import zeep.exceptions
from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE_NS = "https://bingads.microsoft.com/Customer/v13"
ENTITIES_NS = "https://bingads.microsoft.com/Customer/v13/Entities"
EXCEPTION_NS = "https://bingads.microsoft.com/Customer/v13/Exception"
ADAPI_NS = "https://adapi.microsoft.com"

HEADERS = {"DeveloperToken": "test-developer-token", "AuthenticationToken": "test-access-token"}


# -- request builders ---------------------------------------------------------------------------------


def address(**overrides: Any) -> dict[str, Any]:
    """A complete US business address."""
    value: dict[str, Any] = {
        "City": "Redmond",
        "CountryCode": "US",
        "Line1": "One Microsoft Way",
        "PostalCode": "98052",
        "StateOrProvince": "WA",
        "BusinessName": "Contoso",
    }
    value.update(overrides)
    return value


def customer(**overrides: Any) -> dict[str, Any]:
    """A Customer with every field SignupCustomer requires."""
    value: dict[str, Any] = {
        "Industry": "Retail",
        "MarketCountry": "US",
        "MarketLanguage": "English",
        "Name": "Contoso",
    }
    value.update(overrides)
    return value


def account(**overrides: Any) -> dict[str, Any]:
    """An AdvertiserAccount with every field AddAccount and SignupCustomer require."""
    value: dict[str, Any] = {"CurrencyCode": "USD", "Name": "Contoso main", "BusinessAddress": address()}
    value.update(overrides)
    return value


TAXES_FOR = {"BR": {"CPF": "12345678909"}, "IN": {"PanNumber": "ABCDE1234F"}, "AU": {"AUGSTNumber": "51824753556"}}
"""The tax keys a new account in these countries must carry (advertiseraccount.md #taxinformation)."""


def brazil_account(**overrides: Any) -> dict[str, Any]:
    """A Brazilian account: postal code, state and a CPF, which Brazil requires; CPF and CNPJ can change later."""
    business = address(CountryCode="BR", City="Rio de Janeiro", StateOrProvince="RJ", PostalCode="20000-000")
    return account(
        **{"BusinessAddress": business, "CurrencyCode": "BRL", "TaxInformation": kvps(**TAXES_FOR["BR"])} | overrides
    )


def kvps(**pairs: str) -> dict[str, Any]:
    """An ArrayOfKeyValuePairOfstringstring (ForwardCompatibilityMap, TaxInformation)."""
    return {"KeyValuePairOfstringstring": [{"key": k, "value": v} for k, v in pairs.items()]}


def predicates(*triples: tuple[str, str, str]) -> dict[str, Any]:
    return {"Predicate": [{"Field": f, "Operator": o, "Value": v} for f, o, v in triples]}


def page(index: int = 0, size: int = 100) -> dict[str, int]:
    return {"Index": index, "Size": size}


def entity_dict(value: Any) -> dict[str, Any]:
    """A zeep response object as a plain dict, ready to be sent back (GetX -> change -> UpdateX)."""
    plain: dict[str, Any] = zeep.helpers.serialize_object(value, target_cls=dict)
    return plain


# -- faults -----------------------------------------------------------------------------------------------


@dataclass
class ErrorEntry:
    code: int
    message: str
    details: str | None = None  # ApiFault's OperationError.Details, AdApiError.Detail
    error_code: str | None = None  # AdApiError.ErrorCode only


@dataclass
class FaultInfo:
    """What a client can read from a SOAP fault of the service."""

    faultcode: str
    faultstring: str
    shape: str | None  # "AdApiFaultDetail", "ApiFault" or None (soap:Client faults carry no detail)
    tracking_id: str | None
    errors: list[ErrorEntry] = field(default_factory=list)

    @property
    def codes(self) -> list[int]:
        return [e.code for e in self.errors]

    @property
    def code(self) -> int:
        """The only error's code (fails the test if there is not exactly one)."""
        assert len(self.errors) == 1, self.errors
        return self.errors[0].code


def _text(element: etree._Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path)
    return found.text if found is not None else None


def parse_detail(detail: etree._Element | None) -> tuple[str | None, str | None, list[ErrorEntry]]:
    """The shape, TrackingId and errors of a fault's ``<detail>`` element."""
    if detail is None or len(detail) == 0:
        return None, None, []
    payload = detail[0]
    tracking_id = _text(payload, f"{{{ADAPI_NS}}}TrackingId")
    if payload.tag == f"{{{ADAPI_NS}}}AdApiFaultDetail":
        errors = [
            ErrorEntry(
                code=int(_text(e, f"{{{ADAPI_NS}}}Code") or -1),
                message=_text(e, f"{{{ADAPI_NS}}}Message") or "",
                details=_text(e, f"{{{ADAPI_NS}}}Detail"),
                error_code=_text(e, f"{{{ADAPI_NS}}}ErrorCode"),
            )
            for e in payload.iterfind(f"{{{ADAPI_NS}}}Errors/{{{ADAPI_NS}}}AdApiError")
        ]
        return "AdApiFaultDetail", tracking_id, errors
    if payload.tag == f"{{{SERVICE_NS}}}ApiFault":  # the WSDL's fault element; its type is in EXCEPTION_NS
        errors = [
            ErrorEntry(
                code=int(_text(e, f"{{{EXCEPTION_NS}}}Code") or -1),
                message=_text(e, f"{{{EXCEPTION_NS}}}Message") or "",
                details=_text(e, f"{{{EXCEPTION_NS}}}Details"),
            )
            for e in payload.iterfind(f"{{{EXCEPTION_NS}}}OperationErrors/{{{EXCEPTION_NS}}}OperationError")
        ]
        return "ApiFault", tracking_id, errors
    raise AssertionError(f"unexpected fault detail {payload.tag}")


def fault_from_zeep(error: zeep.exceptions.Fault) -> FaultInfo:
    shape, tracking_id, errors = parse_detail(error.detail)
    return FaultInfo(str(error.code), str(error.message), shape, tracking_id, errors)


def fault_of(call: Callable[..., Any], /, **kwargs: Any) -> FaultInfo:
    """Call a zeep operation that must fault, and return the parsed fault."""
    with pytest.raises(zeep.exceptions.Fault) as raised:
        call(**kwargs)
    return fault_from_zeep(raised.value)


def fault_from_envelope(content: bytes) -> FaultInfo:
    """Parse a fault response envelope (fails the test if it is not one)."""
    envelope = etree.fromstring(content)
    assert envelope.tag == f"{{{SOAP_ENV}}}Envelope", content[:200]
    fault = envelope.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None, content[:500]
    shape, tracking_id, errors = parse_detail(fault.find("detail"))
    return FaultInfo(_text(fault, "faultcode") or "", _text(fault, "faultstring") or "", shape, tracking_id, errors)


def header_tracking_id(content: bytes) -> str | None:
    """The TrackingId SOAP header of a response envelope."""
    envelope = etree.fromstring(content)
    return _text(envelope, f"{{{SOAP_ENV}}}Header/{{{SERVICE_NS}}}TrackingId")


# -- raw SOAP over HTTP ------------------------------------------------------------------------------------


def envelope(body: str, headers: dict[str, str] | None = None) -> bytes:
    """A SOAP 1.1 envelope around ``body`` (XML text using the prefixes ``v13`` and ``e``)."""
    header_xml = "".join(
        f"<v13:{name}>{value}</v13:{name}>" for name, value in (HEADERS if headers is None else headers).items()
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>'
        f'<s:Envelope xmlns:s="{SOAP_ENV}" xmlns:v13="{SERVICE_NS}" xmlns:e="{ENTITIES_NS}">'
        f"<s:Header>{header_xml}</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


def post(url: str, payload: bytes, action: str | None = None, **kwargs: Any) -> requests.Response:
    """POST ``payload`` to the service as a SOAP 1.1 request."""
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if action is not None:
        headers["SOAPAction"] = f'"{action}"'
    kwargs.setdefault("timeout", 30)
    return requests.post(url, data=payload, headers=headers, **kwargs)
