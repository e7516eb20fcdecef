"""The emulator's WSGI application: the service's SOAP and REST faces, its WSDL and the ``/_emulator/`` control plane.

One service, two wire formats. The SOAP face (``soap``) reads and writes envelopes at the
``.svc`` endpoint; the REST face (``rest``) reads and writes JSON at the paths msads uses, under
``/CustomerManagement/v13/``. Neither holds a rule: the backend (``backend``) owns the service's
behaviour, the control state (``control``) counts calls and injects faults, and every request of
either face runs through the one pipeline, ``EmulatorApp._serve``, so that a call counts, is
delayed, misbehaves and is answered by the same rules whichever face it came in by. A face only
supplies ``parse``, ``success`` and ``fault`` (``Face``).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Protocol

from waitress.channel import ClientDisconnected

from .. import wsdl
from . import rest, seed, soap
from .backend import Backend
from .control import ControlState, FaultRule, RateLimit
from .core import settings_view, settings_with
from .errors import ServiceError, fault

log = logging.getLogger("pulumi_msads.emulator")

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

CONTROL_PREFIX = "/_emulator/"
MAX_LATENCY = 60.0
MAX_SEED_BYTES = 64 * 1024 * 1024
"""The largest fixture read (the HTTP server's own body limit); a larger one is cut and does not parse."""


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


def _read_body(environ: Environ, limit: int) -> bytes:
    """The request body, cut at one byte over ``limit`` so that a face can tell it is too large."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(min(length, limit + 1)) if length else b""


XML = "text/xml; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    """One HTTP answer, built by a face and sent by the pipeline."""

    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()

    def send(self, start: StartResponse) -> list[bytes]:
        return _reply(start, self.status, self.body, self.content_type, self.headers)


class Face(Protocol):
    """One wire format of the service: how it reads a request and writes answers, and nothing else.

    Everything between (call counts, latency, fault rules, authentication, dispatch, turning an
    unexpected failure into code 0) is the pipeline's, so the faces cannot drift apart.
    """

    name: str
    max_request_bytes: int

    def parse(self, environ: Environ, payload: bytes, tracking_id: str) -> soap.Request | Reply:
        """The operation request, or the answer to a request that reaches no operation.

        Such a request (not SOAP, an unknown REST path) is neither counted nor matched against the
        fault rules. A ServiceError is an operation's request that is invalid (schema, JSON types):
        it is answered by ``fault``, also before counting, as the SOAP face always did.
        """
        ...

    def success(self, operation: str, result: dict[str, Any], tracking_id: str) -> Reply: ...

    def fault(self, operation: str | None, error: ServiceError, tracking_id: str) -> Reply: ...


class SoapFace:
    """The SOAP 1.1 endpoint: every fault is HTTP 500, as WCF answers them."""

    name = "soap"
    max_request_bytes = soap.MAX_REQUEST_BYTES

    def parse(self, environ: Environ, payload: bytes, tracking_id: str) -> soap.Request | Reply:
        try:
            return soap.parse(payload, environ.get("HTTP_SOAPACTION"))
        except soap.SoapClientError as error:
            return Reply(500, soap.client_fault_response(str(error), tracking_id), XML)

    def success(self, operation: str, result: dict[str, Any], tracking_id: str) -> Reply:
        return Reply(200, soap.response(operation, result, tracking_id), XML)

    def fault(self, operation: str | None, error: ServiceError, tracking_id: str) -> Reply:
        return Reply(500, soap.fault_response(operation, error, tracking_id), XML)


class RestFace:
    """The REST paths: JSON bodies, the TrackingId as a response header, faults with a non-2xx status."""

    name = "rest"
    max_request_bytes = rest.MAX_REQUEST_BYTES

    def parse(self, environ: Environ, payload: bytes, tracking_id: str) -> soap.Request | Reply:
        headers = {k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items() if k.startswith("HTTP_")}
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        try:
            return rest.parse(method, path, headers, payload)
        except rest.RestClientError as error:
            allow = (("Allow", ", ".join(error.allow)),) if error.allow else ()
            return Reply(error.status, rest.client_error_body(error), "application/json", allow)

    def success(self, operation: str, result: dict[str, Any], tracking_id: str) -> Reply:
        return Reply(
            200, rest.response(operation, result, tracking_id), rest.CONTENT_TYPE, (("TrackingId", tracking_id),)
        )

    def fault(self, operation: str | None, error: ServiceError, tracking_id: str) -> Reply:
        body = rest.fault_body(error, tracking_id)
        return Reply(rest.http_status(error), body, rest.CONTENT_TYPE, (("TrackingId", tracking_id),))


def _injected(rule: FaultRule, reply: Reply) -> str:
    """A fault rule's outcome for the log: the error code it answers, or the bare HTTP status."""
    return f"injected fault {rule.code}" if rule.code is not None else f"injected HTTP {reply.status}"


class EmulatorApp:
    """One emulator: a backend over its store plus the control state, served as WSGI."""

    def __init__(self, backend: Backend, control: ControlState | None = None, public_url: str | None = None) -> None:
        self.backend = backend
        self.started_with = backend.settings
        self.control = control or ControlState()
        self.public_url = public_url
        self.soap, self.rest = SoapFace(), RestFace()
        self.allowed_hosts: frozenset[str] | None = None
        """``Host`` headers served (lower case, with the port); None: any. The server sets its own address."""
        self.allowed_origins: frozenset[str] = frozenset()
        """Browser origins served (``*``: any); none by default, so no web page can drive the emulator."""
        self.seed_fixture: Any = None
        """The ``--seed`` fixture, loaded again after every reset of the data; None: none."""

    def _refusal(self, environ: Environ) -> str | None:
        """Why a request is refused before it reaches anything: a Host that is not this emulator's address
        (DNS rebinding) or a browser's cross-origin request; None for every other client."""
        host = str(environ.get("HTTP_HOST") or "").lower()
        if host and self.allowed_hosts is not None and host not in self.allowed_hosts:
            return (
                f"Host {host!r} is not this emulator's address ({', '.join(sorted(self.allowed_hosts))}); "
                "start it with --allow-host to serve that name"
            )
        if "*" in self.allowed_origins:
            return None
        origin = str(environ.get("HTTP_ORIGIN") or "").lower()
        if origin and origin != "null" and origin not in self.allowed_origins:
            return f"cross-origin requests from {origin!r} are refused; start the emulator with --allow-origin to allow"
        if origin == "null" or environ.get("HTTP_SEC_FETCH_SITE", "") in ("cross-site", "same-site"):
            return "requests from a web page of another site are refused; start the emulator with --allow-origin"
        return None

    @property
    def faces(self) -> tuple[Face, ...]:
        return (self.soap, self.rest)

    def __call__(self, environ: Environ, start: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        refused = self._refusal(environ)
        if refused is not None:
            log.info("refused %s %s: %s", method, path, refused)
            return _reply(start, 403, f"Forbidden: {refused}\n".encode(), "text/plain")
        if path.startswith(CONTROL_PREFIX):
            return self._control(method, path[len(CONTROL_PREFIX) :].strip("/"), environ, start)
        if path.startswith(rest.PREFIX):
            return self._serve(self.rest, environ, start)
        if path.rstrip("/").lower() != wsdl.SERVICE_PATH.lower():
            return _reply(
                start, 404, f"Not found: {path}. The service is at {wsdl.SERVICE_PATH}\n".encode(), "text/plain"
            )
        if method == "GET":
            query = environ.get("QUERY_STRING", "").lower()
            if query in ("wsdl", "singlewsdl"):
                return _reply(start, 200, soap.served_wsdl(self._service_url(environ)), XML)
            return _reply(start, 200, b"Customer Management v13 emulator. Add ?wsdl for the WSDL.\n", "text/plain")
        if method != "POST":
            return _reply(start, 405, b"SOAP requests are POSTed.\n", "text/plain", [("Allow", "GET, POST")])
        return self._serve(self.soap, environ, start)

    def _service_url(self, environ: Environ) -> str:
        if self.public_url:
            return self.public_url
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{wsdl.SERVICE_PATH}"

    # -- the pipeline both faces share ----------------------------------------------------------------

    def _serve(self, face: Face, environ: Environ, start: StartResponse) -> list[bytes]:
        """Answer one request of ``face``: the only place where a call is counted, delayed, made to
        misbehave, authenticated and dispatched, whichever face it came in by."""
        tracking_id = str(uuid.uuid4())
        payload = _read_body(environ, face.max_request_bytes)
        try:
            parsed = face.parse(environ, payload, tracking_id)
        except ServiceError as error:
            return face.fault(None, error, tracking_id).send(start)
        except Exception:
            log.exception("%s reading the request failed inside the emulator", tracking_id)
            internal = fault(0, "The emulator failed while reading this request; its log has the details.")
            return face.fault(None, internal, tracking_id).send(start)
        if isinstance(parsed, Reply):
            return parsed.send(start)
        started = time.monotonic()
        outcome = "dropped"
        try:
            with self.control.in_flight():
                reply, outcome = self._call(face, parsed, tracking_id)
        finally:  # one line per call, dropped connections included: what moto's and LocalStack's logs show
            took = (time.monotonic() - started) * 1000
            log.info("%s %s -> %s %.1f ms TrackingId=%s", face.name, parsed.operation, outcome, took, tracking_id)
        return reply.send(start)

    def _call(self, face: Face, parsed: soap.Request, tracking_id: str) -> tuple[Reply, str]:
        """The answer to one operation call, and its outcome for the log (``ok``, ``fault <codes>``...)."""
        operation = parsed.operation
        generation = self.control.generation

        self.control.record_call(operation, face.name)
        if not self.control.admit():
            throttled = fault(117, "The emulator's rate limit (--calls-per-minute) was reached.")
            return face.fault(operation, throttled, tracking_id), "fault 117 (rate limit)"
        if self.control.latency > 0:
            time.sleep(self.control.latency)
        rule = self.control.take_rule(operation)
        if rule is not None and rule.delay > 0:
            time.sleep(rule.delay)
        if (
            rule is not None
            and rule.phase == "before"
            and (early := self._misbehave(rule, face, operation, tracking_id))
        ):
            return early, f"{_injected(rule, early)} (fault rule {rule.id})"

        if self.control.generation != generation:
            # A reset came while this request waited (latency, a delay rule): carrying it out now would
            # change the data the reset just made, under the next test. Drop it, as a restart would.
            log.debug("%s %s %s -> dropped: the emulator was reset while it waited", tracking_id, face.name, operation)
            raise DropConnection("reset while the request waited")
        try:
            self.backend.authenticate(parsed.headers)
            handler = self.backend.operation(operation)
            if handler is None:
                raise fault(
                    204,
                    f"The emulator does not support {operation}; docs/emulator.md lists the operations it models.",
                )
            answer = face.success(operation, handler(parsed.body), tracking_id)
        except ServiceError as error:
            codes = ",".join(str(e.code) for e in error.errors)
            log.debug("%s %s %s -> fault %s", tracking_id, face.name, operation, error)
            return face.fault(operation, error, tracking_id), f"fault {codes}"
        except Exception:
            log.exception("%s %s %s failed inside the emulator", tracking_id, face.name, operation)
            internal = fault(0, "The emulator failed while handling this request; its log has the details.")
            return face.fault(operation, internal, tracking_id), "fault 0 (emulator failure)"

        if rule is not None and rule.phase == "after" and (late := self._misbehave(rule, face, operation, tracking_id)):
            return late, f"{_injected(rule, late)} after commit (fault rule {rule.id})"
        return answer, "ok"

    def _misbehave(self, rule: FaultRule, face: Face, operation: str, tracking_id: str) -> Reply | None:
        """What a fault rule makes of the call: a dropped connection, a bare HTTP error, or a fault
        in ``face``'s own shape; None for a rule that only delays."""
        if rule.drop:
            log.debug("%s %s -> connection dropped (%s commit)", tracking_id, operation, rule.phase)
            raise DropConnection(f"fault rule {rule.id}")
        if rule.http_status is not None:
            body = f"{rule.http_status} {HTTPStatus(rule.http_status).phrase} (injected by fault rule {rule.id})\n"
            return Reply(rule.http_status, body.encode(), "text/plain")
        if rule.code is not None:
            return face.fault(operation, fault(rule.code, f"Injected by emulator fault rule {rule.id}."), tracking_id)
        return None

    # -- control plane --------------------------------------------------------------------------------

    def _control(self, method: str, route: str, environ: Environ, start: StartResponse) -> list[bytes]:
        try:
            if (method, route) == ("POST", "seed"):  # before the JSON body below: a fixture may be YAML
                return self._seed(environ, start)
            body = self._json_body(environ)
            if (method, route) == ("GET", "health"):
                health = {
                    "status": "ok",
                    "db": self.backend.store.path,
                    "operations": self.supported(),
                    "faces": [face.name for face in self.faces],
                    "latency": self.control.latency,
                    "faults": len(self.control.rules()),
                }
                return _json(start, 200, health)
            if (method, route) == ("POST", "reset"):
                what = body or {"data": True, "calls": True, "faults": True, "settings": True}
                if what.get("data"):
                    self.backend.reset()
                    if self.seed_fixture is not None:
                        seed.load(self.backend, self.seed_fixture)
                if what.get("settings", True):
                    self.backend.settings = self.started_with
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
            if route == "rate-limit" and method in ("GET", "POST"):
                if method == "POST":
                    calls = body.get("calls_per_minute")
                    if calls is not None and (not isinstance(calls, int) or isinstance(calls, bool)):
                        raise ValueError("calls_per_minute must be an integer, or null for no limit")
                    window = body.get("window_seconds", 60.0)
                    if not isinstance(window, (int, float)) or isinstance(window, bool):
                        raise ValueError("window_seconds must be a number")
                    self.control.set_rate_limit(None if calls is None else RateLimit(calls, float(window)))
                limit = self.control.rate_limit
                return _json(start, 200, limit.describe() if limit else {"calls_per_minute": None})
            if route == "settings" and method in ("GET", "POST"):
                if method == "POST":
                    self.backend.settings = settings_with(self.backend.settings, body)
                return _json(start, 200, settings_view(self.backend.settings))
            if (method, route) == ("GET", "data"):
                return _json(start, 200, self.backend.dump())
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

    def _seed(self, environ: Environ, start: StartResponse) -> list[bytes]:
        """``POST /_emulator/seed``: load a fixture (JSON or YAML) into the store, all or nothing (``seed``)."""
        try:
            fixture = seed.parse(_read_body(environ, MAX_SEED_BYTES), environ.get("CONTENT_TYPE"))
            created = seed.load(self.backend, fixture)
        except seed.MediaTypeError as error:
            return _json(start, 415, {"error": str(error)})
        except seed.SeedError as error:
            return _json(start, 400, {"error": str(error), "codes": list(error.codes)})
        return _json(start, 201, created)

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
