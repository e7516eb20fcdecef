"""The emulator's SOAP 1.1 layer: envelopes in, envelopes out, all through the WSDL.

Requests are parsed with a parser that refuses DTDs and entities, validated against the WSDL's
schemas (lxml ``XMLSchema``), then deserialized by zeep's own message objects for the operation;
responses and fault details are rendered by zeep from the same WSDL. There is no hand-written XML
template: the only elements built here are the SOAP envelope's ``Fault``, ``faultcode`` and
``faultstring``, which belong to SOAP itself rather than to the service.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

import zeep
from lxml import etree
from zeep.helpers import serialize_object

from .. import wsdl
from ..codes import lookup
from .errors import ServiceError, fault

FAULT_STRING = "Invalid client data. Check the SOAP fault details for more information. TrackingId: {}."
"""The faultstring the real service puts on every fault (reported in the SDK's issues)."""

MAX_REQUEST_BYTES = 4 * 1024 * 1024


NO_DTD = "DTDs and entity declarations are not allowed in SOAP messages."
_SCHEMA_LOCK = threading.Lock()
_INIT_LOCK = threading.RLock()


def _declares_dtd(payload: bytes) -> bool:
    """Whether the request has a document type declaration (SOAP 1.1 forbids them), in any case.

    Checked before parsing, so that no entity is ever expanded; UTF-16 requests are decoded
    first. Any other encoding is caught after parsing, by the parsed document's DTD.
    """
    text = payload
    if payload.startswith((b"\xff\xfe", b"\xfe\xff")) or payload[:2] in (b"<\x00", b"\x00<"):
        try:
            text = payload.decode("utf-16").encode()
        except UnicodeDecodeError:
            return False
    upper = text.upper()
    return b"<!DOCTYPE" in upper or b"<!ENTITY" in upper


class SoapClientError(Exception):
    """A request that is not a usable SOAP message: answered with a ``soap:Client`` fault."""


@dataclass(frozen=True)
class Request:
    operation: str
    headers: dict[str, Any]
    body: dict[str, Any]


def prepare() -> None:
    """Load the WSDL, build zeep's binding and compile the schemas, before any request arrives.

    Each is built once and cached. Building them is not thread-safe (libxml2 failed to compile the
    schemas when two first requests came at once), so it happens under a lock, and the server
    calls this before it accepts connections.
    """
    _binding()
    _schema()
    served_wsdl("http://localhost" + wsdl.SERVICE_PATH)


def _schema() -> etree.XMLSchema:
    with _INIT_LOCK:
        return wsdl.xml_schema()


def _binding() -> Any:
    with _INIT_LOCK:
        return _build_binding()


@functools.cache
def _build_binding() -> Any:
    client = zeep.Client(  # type: ignore[no-untyped-call]
        str(wsdl.wsdl_path()), settings=zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True)
    )
    service = next(iter(client.wsdl.services.values()))
    return next(iter(service.ports.values())).binding


def served_wsdl(address: str) -> bytes:
    """The WSDL as served at ``address`` (``?wsdl``), built once per address."""
    with _INIT_LOCK:
        return _served_wsdl(address)


@functools.lru_cache(maxsize=8)
def _served_wsdl(address: str) -> bytes:
    return wsdl.wsdl_text(address)


def operation_names() -> tuple[str, ...]:
    return tuple(_binding()._operations)


def parse(payload: bytes, soap_action: str | None) -> Request:
    """Turn an HTTP request body into an operation name, its SOAP headers and its body values.

    Raises ``SoapClientError`` for anything that is not a SOAP 1.1 request for an operation of
    the service, and ``ServiceError`` (201) for a body the WSDL's schemas reject.
    """
    if len(payload) > MAX_REQUEST_BYTES:
        raise SoapClientError(f"The request is larger than {MAX_REQUEST_BYTES} bytes.")
    if _declares_dtd(payload):
        raise SoapClientError(NO_DTD)
    try:
        envelope = etree.fromstring(payload, wsdl.safe_parser())
    except etree.XMLSyntaxError as error:
        raise SoapClientError(f"The request is not well-formed XML: {error}") from None
    if envelope.getroottree().docinfo.internalDTD is not None:  # in an encoding _declares_dtd missed
        raise SoapClientError(NO_DTD)
    if envelope.tag != f"{{{wsdl.SOAP_ENV_NS}}}Envelope":
        raise SoapClientError(f"The root element must be a SOAP 1.1 Envelope ({wsdl.SOAP_ENV_NS}), not {envelope.tag}.")
    body = envelope.find(f"{{{wsdl.SOAP_ENV_NS}}}Body")
    if body is None or len(body) == 0:
        raise SoapClientError("The SOAP envelope has no Body, or an empty one.")
    payload_element = body[0]
    qname = etree.QName(payload_element)
    name = qname.localname.removesuffix("Request")
    if qname.namespace != wsdl.SERVICE_NS or not qname.localname.endswith("Request"):
        raise SoapClientError(f"{payload_element.tag} is not a request element of the Customer Management service.")
    operation = _binding()._operations.get(name)
    if operation is None:
        raise SoapClientError(f"The Customer Management service has no operation named {name}.")
    action = (soap_action or "").strip('"')
    if action and action.rsplit("/", 1)[-1] != name:
        raise SoapClientError(f"SOAPAction {action!r} does not match the body's operation {name}.")
    with _SCHEMA_LOCK:  # one validator, and its error log, shared by every request thread
        schema = _schema()
        valid = schema.validate(payload_element)
        problems = "; ".join(e.message for e in schema.error_log)  # type: ignore[attr-defined]
    if not valid:
        raise fault(201, f"The {name} request does not match the WSDL: {problems}")
    _keep_empty_strings(payload_element)
    message = operation.input.deserialize(envelope)
    return Request(name, _plain(getattr(message, "header", None)), _plain(getattr(message, "body", None)))


XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


def _keep_empty_strings(element: etree._Element) -> None:
    """Let an empty element (``<Line2/>``) read as ``""`` and only a nil or absent one as None, as WCF reads them.

    lxml gives an empty element no text, and zeep then reads it as None, which would make "clear this
    line" and "leave it alone" the same request. The schemas have passed by now, so an empty leaf is
    text (an empty number or date is invalid) or a complex value with nothing in it.
    """
    for leaf in element.iter():
        if len(leaf) == 0 and leaf.text is None and leaf.get(XSI_NIL) not in ("true", "1"):
            leaf.text = ""


def _plain(value: Any) -> dict[str, Any]:
    plain: dict[str, Any] = serialize_object(value, target_cls=dict) or {}  # type: ignore[no-untyped-call]
    return plain


def response(operation: str, result: dict[str, Any], tracking_id: str) -> bytes:
    """The response envelope of ``operation`` carrying ``result`` and the TrackingId header."""
    message = _binding()._operations[operation].output.serialize(**result, _soapheaders={"TrackingId": tracking_id})
    return bytes(etree.tostring(message.content, xml_declaration=True, encoding="utf-8"))


def _envelope(tracking_id: str) -> tuple[etree._Element, etree._Element]:
    soap = wsdl.SOAP_ENV_NS
    envelope = etree.Element(f"{{{soap}}}Envelope", nsmap={"s": soap})
    header = etree.SubElement(envelope, f"{{{soap}}}Header")
    tracking = etree.SubElement(header, f"{{{wsdl.SERVICE_NS}}}TrackingId")
    tracking.text = tracking_id
    body = etree.SubElement(envelope, f"{{{soap}}}Body")
    return envelope, body


def _fault_element(body: etree._Element, code: str, text: str) -> etree._Element:
    fault = etree.SubElement(body, f"{{{wsdl.SOAP_ENV_NS}}}Fault")
    etree.SubElement(fault, "faultcode").text = code
    etree.SubElement(fault, "faultstring").text = text
    return fault


def fault_response(operation: str | None, error: ServiceError, tracking_id: str) -> bytes:
    """A ``soap:Server`` fault whose detail is the operation's AdApiFaultDetail or ApiFault."""
    envelope, body = _envelope(tracking_id)
    fault = _fault_element(body, "s:Server", FAULT_STRING.format(tracking_id))
    detail = etree.SubElement(fault, "detail")
    op = _binding()._operations[operation or "GetCustomer"]
    if error.adapi:
        element = op.faults["AdApiFaultDetailFault"].abstract.parts["detail"].element
        value = element(
            TrackingId=tracking_id,
            Errors={
                "AdApiError": [
                    {
                        "Code": e.code,
                        "Detail": e.details or None,
                        "ErrorCode": lookup(e.code).name,
                        "Message": e.message,
                    }
                    for e in error.errors
                ]
            },
        )
    else:
        element = op.faults["ApiFault"].abstract.parts["detail"].element
        value = element(
            TrackingId=tracking_id,
            OperationErrors={
                "OperationError": [
                    {"Code": e.code, "Details": e.details or None, "Message": e.message} for e in error.errors
                ]
            },
        )
    element.render(detail, value)
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="utf-8"))


def client_fault_response(message: str, tracking_id: str) -> bytes:
    """A ``soap:Client`` fault for requests that never reached an operation."""
    envelope, body = _envelope(tracking_id)
    _fault_element(body, "s:Client", message)
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="utf-8"))
