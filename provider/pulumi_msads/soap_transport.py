"""The SOAP transport: zeep over the v13 WSDL, and SOAP faults as typed errors.

One zeep client per thread, built lazily inside the provider process: zeep clients hold a
thread-local and cannot be pickled. Answers come back as plain dicts in the WSDL's shape (what
``zeep.helpers.serialize_object`` makes of them), which is the shape the REST transport also
returns, so that nothing above the transports knows which one spoke.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

import requests
import zeep
import zeep.exceptions
from lxml import etree
from zeep.helpers import serialize_object
from zeep.transports import Transport

from . import wire, wsdl
from .config import ProviderConfig
from .errors import FAULT_SHAPES, ApiError, ErrorDetail, MsadsError, ProtocolError

Body = dict[str, Any]
BINDING = f"{{{wsdl.SERVICE_NS}}}BasicHttpBinding_ICustomerManagementService"


class _RedactCredentials(logging.Filter):
    """Blank out the credential headers of the SOAP envelopes that zeep logs at debug level.

    zeep's transport logs every request envelope, SOAP headers included, to ``zeep.transports``;
    anyone who turns on debug logging for the whole process would otherwise log the tokens.
    """

    HEADERS = re.compile(r"(<(?:[\w.-]+:)?(?:DeveloperToken|AuthenticationToken|Password|UserName)\b[^>]*>)[^<]*(</)")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.HEADERS.sub(r"\1***\2", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


logging.getLogger("zeep.transports").addFilter(_RedactCredentials())


def _plain(value: Any) -> Any:
    return serialize_object(value, target_cls=dict)  # type: ignore[no-untyped-call]


def _text(node: etree._Element, name: str) -> str | None:
    for child in node:
        if etree.QName(child).localname == name:
            return child.text
    return None


def _children(node: etree._Element | None, *path: str) -> list[etree._Element]:
    """Descendants along a path of local names (namespaces differ between the two fault shapes)."""
    nodes = [node] if node is not None else []
    for name in path:
        nodes = [child for n in nodes for child in n if etree.QName(child).localname == name]
    return nodes


_ITEM = {"AdApiFaultDetail": "AdApiError", "ApiFault": "OperationError"}
"""The element each error of a fault type is, in SOAP (REST writes them as bare objects)."""


def parse_fault(operation: str, fault: zeep.exceptions.Fault, http_status: int | None = None) -> ApiError:
    """The typed error for a SOAP fault: every AdApiError or OperationError, and the TrackingId."""
    detail = fault.detail
    errors: list[ErrorDetail] = []
    tracking_id = None
    for shape, (container, details_field) in FAULT_SHAPES.items():
        for node in _children(detail, shape):
            tracking_id = tracking_id or _text(node, "TrackingId")
            for error in _children(node, container, _ITEM[shape]):
                errors.append(
                    ErrorDetail.of(
                        int(_text(error, "Code") or 0),
                        _text(error, "ErrorCode"),
                        _text(error, "Message"),
                        _text(error, details_field),
                    )
                )
    if tracking_id is None:
        match = re.search(r"TrackingId:\s*([0-9a-fA-F-]{8,})", fault.message or "")
        tracking_id = match.group(1) if match else None
    if not errors:
        # A fault without either detail shape (for example WCF's ExceptionDetail): keep its text.
        errors.append(ErrorDetail(0, "InternalError", (fault.message or "SOAP fault").strip()))
    return ApiError.build(operation, errors, tracking_id, http_status)


class _WireTransport(Transport):
    """zeep's transport, posting envelopes through ``wire.Connections`` instead of a ``requests`` session.

    zeep still loads the WSDL through the session (once per thread); every call's POST goes over
    this thread's kept-alive connection. The envelope is logged at debug level as zeep logs it (to
    ``zeep.transports``, credentials redacted by ``_RedactCredentials``).
    """

    def __init__(self, connections: wire.Connections, session: requests.Session, timeout: float) -> None:
        super().__init__(session=session, timeout=timeout, operation_timeout=timeout)  # type: ignore[no-untyped-call]
        self.connections = connections
        endpoint = connections.endpoint
        self._origin = endpoint.url[: len(endpoint.url) - len(endpoint.prefix)]
        self._headers = {"User-Agent": str(session.headers["User-Agent"])}

    def post(self, address: str, message: bytes | str, headers: dict[str, str]) -> Any:
        if not address.startswith(self._origin + "/"):
            return super().post(address, message, headers)  # type: ignore[no-untyped-call]
        body = message.encode() if isinstance(message, str) else message
        if self.logger.isEnabledFor(logging.DEBUG):
            self.logger.debug("HTTP Post to %s:\n%s", address, body.decode("utf-8"))
        answer = self.connections.exchange("POST", address[len(self._origin) :], body, {**self._headers, **headers})
        if self.logger.isEnabledFor(logging.DEBUG):
            self.logger.debug(
                "HTTP Response from %s (status: %d):\n%s",
                address,
                answer.status_code,
                answer.content.decode("utf-8", "replace"),
            )
        return answer


class SoapTransport:
    """Sends one operation as a SOAP envelope and returns the response body, or raises a typed error.

    The endpoint (proxy, CA bundle) is read from the environment here, once; each thread builds
    its own zeep client on its first call and keeps it, with one kept-alive connection.
    """

    name = "soap"

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self.url = config.soap_url
        self.endpoint = wire.Endpoint.of(self.url, config.timeout)
        self.connections = wire.Connections(self.endpoint)
        self._local = threading.local()

    def _service(self) -> Any:
        service = getattr(self._local, "service", None)
        if service is None:
            transport = _WireTransport(self.connections, self.endpoint.requests_session(), self.config.timeout)
            settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True)
            client = zeep.Client(self.config.wsdl_source, transport=transport, settings=settings)  # type: ignore[no-untyped-call]
            service = client.create_service(BINDING, self.url)  # type: ignore[no-untyped-call]
            self._local.client, self._local.service = client, service
        return service

    def send(self, operation: str, arguments: Body, developer_token: str, access_token: str) -> Body:
        headers = {"DeveloperToken": developer_token, "AuthenticationToken": access_token}
        error: MsadsError
        try:
            result = getattr(self._service(), operation)(**arguments, _soapheaders=headers)
            body = getattr(result, "body", result)
            return _plain(body) or {}
        except zeep.exceptions.Fault as fault:
            error = parse_fault(operation, fault)
        except zeep.exceptions.TransportError as failure:
            error = wire.http_error(operation, failure.status_code)
        except wire.UnansweredError as failure:
            error = wire.transport_error(operation, failure)
        except requests.exceptions.RequestException as failure:  # a post to another origin, or loading the WSDL
            error = wire.transport_error(operation, wire.unanswered(self.url, self.config.timeout, failure))
        except (zeep.exceptions.DTDForbidden, zeep.exceptions.EntitiesForbidden) as refused:
            error = ProtocolError(operation, f"refused an answer with a DTD or entities ({type(refused).__name__})")
        except zeep.exceptions.ExternalReferenceForbidden:
            error = ProtocolError(operation, "refused an answer that references external documents")
        except (zeep.exceptions.XMLSyntaxError, zeep.exceptions.XMLParseError) as bad:
            error = ProtocolError(operation, f"the answer is not a valid SOAP message: {bad}")
        raise error
