"""The emulator's WSGI application: the SOAP endpoint, its WSDL and the ``/_emulator/`` control plane.

Routing only: the SOAP layer (``soap``) reads and writes envelopes, the backend (``backend``) owns
the service's behaviour, the control state (``control``) counts calls and injects faults.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from waitress.channel import ClientDisconnected

from .. import wsdl
from . import soap
from .backend import Backend
from .control import ControlState, FaultRule
from .errors import ServiceError, fault

log = logging.getLogger("pulumi_msads.emulator")

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

CONTROL_PREFIX = "/_emulator/"
MAX_LATENCY = 60.0


class DropConnection(ClientDisconnected):  # type: ignore[misc]
    """Raised to make waitress close the socket without writing a response.

    waitress treats ``ClientDisconnected`` from the application as "nobody is listening": it
    writes nothing and closes the connection, which is exactly a dropped connection to the client.
    """


def _reply(
    start: StartResponse, status: int, body: bytes, content_type: str, extra: Iterable[tuple[str, str]] = ()
) -> list[bytes]:
    start(
        f"{status} {HTTPStatus(status).phrase}",
        [("Content-Type", content_type), ("Content-Length", str(len(body))), *extra],
    )
    return [body]


def _json(start: StartResponse, status: int, value: Any) -> list[bytes]:
    return _reply(start, status, json.dumps(value, indent=1).encode(), "application/json")


class EmulatorApp:
    """One emulator: a backend over its store plus the control state, served as WSGI."""

    def __init__(self, backend: Backend, control: ControlState | None = None, public_url: str | None = None) -> None:
        self.backend = backend
        self.control = control or ControlState()
        self.public_url = public_url

    def __call__(self, environ: Environ, start: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path.startswith(CONTROL_PREFIX):
            return self._control(method, path[len(CONTROL_PREFIX) :].strip("/"), environ, start)
        if path.rstrip("/").lower() != wsdl.SERVICE_PATH.lower():
            return _reply(
                start, 404, f"Not found: {path}. The service is at {wsdl.SERVICE_PATH}\n".encode(), "text/plain"
            )
        if method == "GET":
            query = environ.get("QUERY_STRING", "").lower()
            if query in ("wsdl", "singlewsdl"):
                return _reply(start, 200, soap.served_wsdl(self._service_url(environ)), "text/xml; charset=utf-8")
            return _reply(start, 200, b"Customer Management v13 emulator. Add ?wsdl for the WSDL.\n", "text/plain")
        if method != "POST":
            return _reply(start, 405, b"SOAP requests are POSTed.\n", "text/plain", [("Allow", "GET, POST")])
        return self._soap(environ, start)

    def _service_url(self, environ: Environ) -> str:
        if self.public_url:
            return self.public_url
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{wsdl.SERVICE_PATH}"

    # -- SOAP ---------------------------------------------------------------------------------------

    def _soap(self, environ: Environ, start: StartResponse) -> list[bytes]:
        tracking_id = str(uuid.uuid4())
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        payload = environ["wsgi.input"].read(min(length, soap.MAX_REQUEST_BYTES + 1)) if length else b""
        xml = "text/xml; charset=utf-8"
        try:
            request = soap.parse(payload, environ.get("HTTP_SOAPACTION"))
        except soap.SoapClientError as error:
            return _reply(start, 500, soap.client_fault_response(str(error), tracking_id), xml)
        except ServiceError as error:
            return _reply(start, 500, soap.fault_response(None, error, tracking_id), xml)
        except Exception:
            log.exception("%s reading the request failed inside the emulator", tracking_id)
            internal = fault(0, "The emulator failed while reading this request; its log has the details.")
            return _reply(start, 500, soap.fault_response(None, internal, tracking_id), xml)

        self.control.record_call(request.operation)
        if self.control.latency > 0:
            time.sleep(self.control.latency)
        rule = self.control.take_rule(request.operation)
        if rule is not None and rule.delay > 0:
            time.sleep(rule.delay)
        if (
            rule is not None
            and rule.phase == "before"
            and (early := self._misbehave(rule, request.operation, tracking_id, start))
        ):
            return early

        try:
            self.backend.authenticate(request.headers)
            handler = self.backend.operation(request.operation)
            if handler is None:
                raise fault(
                    204,
                    f"The emulator does not support {request.operation}; "
                    "docs/emulator.md lists the operations it models.",
                )
            answer = soap.response(request.operation, handler(request.body), tracking_id)
        except ServiceError as error:
            log.info("%s %s -> fault %s", tracking_id, request.operation, error)
            return _reply(start, 500, soap.fault_response(request.operation, error, tracking_id), xml)
        except Exception:
            log.exception("%s %s failed inside the emulator", tracking_id, request.operation)
            internal = fault(0, "The emulator failed while handling this request; its log has the details.")
            return _reply(start, 500, soap.fault_response(request.operation, internal, tracking_id), xml)

        if (
            rule is not None
            and rule.phase == "after"
            and (late := self._misbehave(rule, request.operation, tracking_id, start))
        ):
            return late
        return _reply(start, 200, answer, xml)

    def _misbehave(self, rule: FaultRule, operation: str, tracking_id: str, start: StartResponse) -> list[bytes] | None:
        if rule.drop:
            log.info("%s %s -> connection dropped (%s commit)", tracking_id, operation, rule.phase)
            raise DropConnection(f"fault rule {rule.id}")
        if rule.http_status is not None:
            body = f"{rule.http_status} {HTTPStatus(rule.http_status).phrase} (injected by fault rule {rule.id})\n"
            return _reply(start, rule.http_status, body.encode(), "text/plain")
        if rule.code is not None:
            error = fault(rule.code, f"Injected by emulator fault rule {rule.id}.")
            return _reply(start, 500, soap.fault_response(operation, error, tracking_id), "text/xml; charset=utf-8")
        return None

    # -- control plane --------------------------------------------------------------------------------

    def _control(self, method: str, route: str, environ: Environ, start: StartResponse) -> list[bytes]:
        try:
            body = self._json_body(environ)
            if (method, route) == ("GET", "health"):
                health = {
                    "status": "ok",
                    "db": self.backend.store.path,
                    "operations": self.supported(),
                    "latency": self.control.latency,
                    "faults": len(self.control.rules()),
                }
                return _json(start, 200, health)
            if (method, route) == ("POST", "reset"):
                what = body or {"data": True, "calls": True, "faults": True}
                if what.get("data"):
                    self.backend.reset()
                self.control.reset(calls=bool(what.get("calls")), faults=bool(what.get("faults")))
                return _json(start, 200, {"reset": sorted(k for k, v in what.items() if v)})
            if (method, route) == ("GET", "calls"):
                return _json(start, 200, self.control.calls())
            if route == "faults":
                if method == "GET":
                    return _json(start, 200, {"faults": self.control.rules()})
                if method == "POST":
                    rule = self.control.add_rule(FaultRule.from_json(body))
                    return _json(start, 201, rule.describe())
                if method == "DELETE":
                    self.control.clear_rules()
                    return _json(start, 200, {"faults": []})
            if (method, route) == ("POST", "latency"):
                seconds = float(body.get("seconds", 0))
                if not 0 <= seconds <= MAX_LATENCY:
                    raise ValueError(f"seconds must be between 0 and {MAX_LATENCY}")
                self.control.latency = seconds
                return _json(start, 200, {"latency": self.control.latency})
            parts = route.split("/")
            if method == "POST" and len(parts) == 3 and parts[0] == "accounts" and parts[2] == "status":
                return _json(start, 200, self.backend.set_account_status(int(parts[1]), str(body.get("status"))))
        except (TypeError, ValueError) as error:
            return _json(start, 400, {"error": str(error)})
        except ServiceError as error:
            return _json(start, 404, {"error": str(error)})
        except Exception as error:
            log.exception("control route %s /_emulator/%s failed", method, route)
            return _json(start, 500, {"error": f"the emulator failed: {error!r}"})
        return _json(start, 404, {"error": f"no control route {method} /_emulator/{route}"})

    @staticmethod
    def _json_body(environ: Environ) -> dict[str, Any]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if not length:
            return {}
        value = json.loads(environ["wsgi.input"].read(length) or b"{}")
        if not isinstance(value, dict):
            raise ValueError("the request body must be a JSON object")
        return value

    def supported(self) -> list[str]:
        return [name for name in soap.operation_names() if self.backend.operation(name) is not None]
