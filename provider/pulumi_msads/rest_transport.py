"""The REST transport: the same operations as JSON over HTTP, as Microsoft's ``msads`` SDK sends them.

Microsoft retires the SOAP API on 2027-01-31; REST is the default transport (``msads:transport``).
Each operation is a method and path from ``rest_operations`` (read from msads's own code), its
body the request element's fields as JSON (``rest_codec``: longs as strings, TimeStamps as base64
text, arrays bare), and its answer is decoded back into the WSDL's shape, the same one the SOAP
transport returns. A fault is a non-2xx status with a JSON body whose ``Type`` says its shape
(``AdApiFaultDetail`` with ``Errors``, ``ApiFault`` with ``OperationErrors``); it becomes the same
typed ``ApiError`` as the SOAP fault with the same codes. A non-2xx answer without such a body is
a transport error with its HTTP status, as for SOAP.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from . import rest_codec, rest_operations, wire
from .config import ProviderConfig
from .errors import FAULT_SHAPES, ApiError, ErrorDetail, MsadsError, ProtocolError

Body = dict[str, Any]
USER_AGENT = requests.utils.default_user_agent()
"""The User-Agent REST calls have always sent (requests', which sent them before ``wire``)."""


def parse_fault(operation: str, data: Any, http_status: int, tracking_header: str | None) -> ApiError | None:
    """The typed error for a REST fault body, or None when the body is not one of the service's faults."""
    if not isinstance(data, dict) or data.get("Type") not in FAULT_SHAPES:
        return None
    container, details_field = FAULT_SHAPES[str(data["Type"])]
    errors = [
        ErrorDetail.of(int(item.get("Code") or 0), item.get("ErrorCode"), item.get("Message"), item.get(details_field))
        for item in data.get(container) or []
        if isinstance(item, dict)
    ]
    if not errors:
        errors.append(ErrorDetail(0, "InternalError", f"{data['Type']} without errors"))
    tracking_id = data.get("TrackingId") or tracking_header
    return ApiError.build(operation, errors, str(tracking_id) if tracking_id else None, http_status)


class RestTransport:
    """Sends one operation as a JSON request and returns the response body, or raises a typed error.

    Through ``wire.Connections``: one keep-alive connection per thread, its proxy and CA bundle read
    from the environment here, once; a call builds its JSON body and two headers, nothing else.
    """

    name = "rest"

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self.url = config.rest_base
        self.endpoint = wire.Endpoint.of(self.url, config.timeout)
        self.connections = wire.Connections(self.endpoint)
        self._headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": USER_AGENT}

    def send(self, operation: str, arguments: Body, developer_token: str, access_token: str) -> Body:
        method, path = rest_operations.route(operation)
        payload = json.dumps(rest_codec.request_to_json(operation, arguments)).encode()
        headers = {**self._headers, "Authorization": f"Bearer {access_token}", "DeveloperToken": developer_token}
        error: MsadsError
        try:
            answer = self.connections.exchange(method, self.endpoint.prefix + path, payload, headers)
        except wire.UnansweredError as failure:
            raise wire.transport_error(operation, failure) from None
        try:
            data = json.loads(answer.content)
        except ValueError:  # not JSON, or not UTF-8
            data = None
        if answer.status_code == 200:
            if not isinstance(data, dict):
                raise ProtocolError(
                    operation, f"the answer is not a JSON object ({answer.headers.get('Content-Type')})"
                )
            try:
                return rest_codec.response_from_json(operation, data)
            except rest_codec.CodecError as bad:
                raise ProtocolError(operation, f"the answer does not match the API's types: {bad}") from None
        fault = parse_fault(operation, data, answer.status_code, answer.headers.get("TrackingId"))
        error = fault if fault is not None else wire.http_error(operation, answer.status_code)
        raise error
