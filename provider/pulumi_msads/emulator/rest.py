"""The emulator's REST (JSON) layer: requests in, responses and faults out, as Microsoft's ``msads`` writes them.

The REST API is the SOAP API in another encoding (``customer-management-rest.md`` in the reference
notes): each operation has a method and a path instead of a body element (``rest_operations``, read
from msads's own code), and its body is the request element's fields as JSON (``rest_codec``). So
this layer converts and delegates, and holds no rule of the service:

- a request's JSON is decoded by ``rest_codec`` into the SOAP shape, rendered into the operation's
  SOAP message by zeep and handed to ``soap.parse``: it is validated by the same WSDL schemas, and
  the backend gets exactly the body a SOAP request with the same values would have given it;
- a response is the SOAP face's own response envelope, read back by zeep as a SOAP client reads it
  and encoded by ``rest_codec``: both faces answer the same values, field for field;
- a fault keeps the shape the SOAP face chooses (``ServiceError.adapi``) and the names and messages
  of ``codes``, written as the JSON fault bodies msads reads, with a non-2xx status (``http_status``).

Only HTTP is REST's own: routing, the ``Authorization: Bearer`` header and the status codes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import zeep.exceptions
from lxml import etree
from zeep.helpers import serialize_object

from .. import rest_codec, rest_operations, wsdl
from ..errors import FAULT_SHAPES
from . import soap
from .errors import ServiceError, fault

PREFIX = "/CustomerManagement/v13/"
"""Every REST path of the service starts with this (``rest_operations.ROUTES``; the SOAP path has
an ``/Api/`` segment before it, so the two faces never overlap)."""

CONTENT_TYPE = "application/json; charset=utf-8"
MAX_REQUEST_BYTES = soap.MAX_REQUEST_BYTES

UNAUTHENTICATED = frozenset({105, 109, 116})
"""InvalidCredentials, AuthenticationTokenExpired, RequestMissingHeaders: the caller is not known."""
STATUS_BY_CODE: Mapping[int, int] = {
    **dict.fromkeys(UNAUTHENTICATED, 401),
    106: 403,  # UserIsNotAuthorized: known, but not allowed
    117: 429,  # CallRateExceeded
    0: 500,  # InternalError
    2208: 500,  # SystemIssueTryLater
}


class RestClientError(Exception):
    """A request that is not for any operation of the service (unknown path, wrong method, too large).

    Answered with ``status`` and a plain JSON ``{"error": ...}``, like the control plane's errors,
    since no operation was reached; ``allow`` lists the methods of the path for a 405.
    """

    def __init__(self, status: int, message: str, allow: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.allow = allow


def route(method: str, path: str) -> str:
    """The operation at ``method`` + ``path``; RestClientError 404 for an unknown path, 405 for a wrong method."""
    operation = rest_operations.operation_at(method, path)
    if operation is not None:
        return operation
    allow = tuple(sorted({m for m, p in rest_operations.ROUTES.values() if p == path}))
    if allow:
        raise RestClientError(405, f"{path} takes {', '.join(allow)}, not {method}.", allow)
    raise RestClientError(404, f"No operation of the Customer Management REST API is at {path}.")


def backend_headers(headers: Mapping[str, str]) -> dict[str, Any]:
    """The SOAP header values the backend authenticates, from the REST request's HTTP headers.

    ``headers`` has lower-case names. REST sends the access token as ``Authorization: Bearer
    <token>`` where SOAP has an ``AuthenticationToken`` header; anything else in Authorization
    (another scheme, no token) counts as no token, so the backend answers 116 as it does for a SOAP
    request without one. ``CustomerId`` and ``CustomerAccountId``, which msads always sends (an
    unset one as the text ``None``), are not credentials: they are ignored, as the SOAP face has
    no such headers.
    """
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    return {
        "DeveloperToken": headers.get("developertoken"),
        "AuthenticationToken": (token.strip() or None) if scheme.lower() == "bearer" else None,
    }


def parse(method: str, path: str, headers: Mapping[str, str], payload: bytes) -> soap.Request:
    """Turn a REST request into an operation name, the backend's headers and the SOAP-shaped body.

    Raises RestClientError when no operation is at the path, and ServiceError for a body that is
    not an operation's request: 100 for an empty body (msads sends ``{}`` when there is nothing to
    say), 201 for one that is not a JSON object, has a value of the wrong type for its field (a
    long as a JSON number, where msads always writes a string) or breaks the WSDL's schemas.
    """
    operation = route(method, path)
    if len(payload) > MAX_REQUEST_BYTES:
        raise RestClientError(413, f"The request is larger than {MAX_REQUEST_BYTES} bytes.")
    if not payload.strip():
        raise fault(100, "The request has no body: send a JSON object, {} when there is nothing to send.")
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, ValueError) as error:
        raise fault(201, f"The request body is not JSON: {error}") from None
    except RecursionError:  # json's C decoder gives up on nesting Python cannot hold: a client's mistake
        raise fault(201, "The request body nests deeper than any request of the service can.") from None
    if not isinstance(data, dict):
        raise fault(201, f"The request body must be a JSON object, not {type(data).__name__}.")
    try:
        body = rest_codec.request_from_json(operation, data)
    except rest_codec.CodecError as error:
        raise fault(201, f"The {operation} request does not match the API's types: {error}") from None
    return soap.Request(operation, backend_headers(headers), _through_soap(operation, body))


def _through_soap(operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` as the SOAP face reads it: rendered by zeep, validated by the schemas, read back.

    zeep refuses a field the request type does not have (TypeError) and values it cannot render
    (ValueError, e.g. text XML cannot carry); the schemas refuse the rest (wrong enumeration value,
    number out of range) with the SOAP face's own 201.
    """
    message = soap._binding()._operations[operation].input
    try:
        envelope = etree.tostring(message.serialize(**body).content)
    except (TypeError, ValueError, zeep.exceptions.Error) as error:
        raise fault(201, f"The {operation} request does not match the WSDL: {error}") from None
    try:
        return soap.parse(envelope, None).body
    except soap.SoapClientError as error:  # only the size limit: the envelope is zeep's own
        raise fault(201, f"The {operation} request is too large: {error}") from None


def response(operation: str, result: dict[str, Any], tracking_id: str) -> bytes:
    """The JSON of ``operation``'s response: the SOAP face's response as a SOAP client reads it, encoded.

    Going through the envelope gives the REST face the SOAP face's every output decision (field
    order, absent fields as null, times and decimals as parsed values) instead of a second copy.
    """
    envelope = etree.fromstring(soap.response(operation, result, tracking_id), wsdl.safe_parser())
    message = soap._binding()._operations[operation].output.deserialize(envelope)
    plain: dict[str, Any] = serialize_object(message.body, target_cls=dict) or {}  # type: ignore[no-untyped-call]
    return _dump(rest_codec.response_to_json(operation, plain))


def http_status(error: ServiceError) -> int:
    """The HTTP status of a fault: our choice, since the live service's statuses are unconfirmed.

    msads maps 400, 401, 403 and 500 to its fault model and raises on any non-2xx (a fault sent
    with 200 would read as an empty success). From the first error's code: 401 when the caller is
    not authenticated (105, 109, 116), 403 when not authorized (106), 429 for throttling (117, as a
    third-party report saw), 500 for internal errors (0, 2208), and 400 for everything else: the
    request itself is at fault (validation, stale TimeStamp, unknown entity, unsupported operation).
    """
    code = error.errors[0].code if error.errors else 0
    return STATUS_BY_CODE.get(code, 400)


def fault_body(error: ServiceError, tracking_id: str) -> bytes:
    """The JSON fault of msads's models: the SOAP face's shape, with its ``Type`` written out.

    ``AdApiError`` has ``ErrorCode`` and a singular ``Detail``; ``OperationError`` has no ErrorCode
    and a plural ``Details`` (digest section 6.1).
    """
    shape = "AdApiFaultDetail" if error.adapi else "ApiFault"
    container, details_field = FAULT_SHAPES[shape]
    items = []
    for e in error.errors:
        item: dict[str, Any] = {"Code": e.code, "ErrorCode": e.name} if error.adapi else {"Code": e.code}
        items.append(item | {"Message": e.message, details_field: e.details or None})
    return _dump({"TrackingId": tracking_id, "Type": shape, container: items})


def client_error_body(error: RestClientError) -> bytes:
    return _dump({"error": str(error)})


def _dump(value: Any) -> bytes:
    return json.dumps(value).encode()
