"""The REST transport against a scripted HTTP service: what it sends, and how each kind of answer surfaces.

The emulator's REST face is checked separately (tests/emulator/test_rest_face.py), and the whole
provider runs over REST in the lifecycle and fault tests; here each answer is exactly the one under
test, including ones no emulator gives (a 200 that is not JSON, a long written as a number).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pulumi_msads.client import ServiceClient
from pulumi_msads.config import ProviderConfig
from pulumi_msads.errors import (
    ApiError,
    AuthenticationError,
    ProtocolError,
    ThrottledError,
    TimestampMismatchError,
    TransportError,
)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class ScriptedService:
    """Answers each request with the next scripted Answer (the last one repeats), recording what came."""

    def __init__(self) -> None:
        self.answers: list[Answer] = [Answer()]
        self.received: list[Received] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.received.append(
                    Received(self.command, self.path, dict(self.headers), json.loads(raw or b"null"))
                )
                answer = service.answers.pop(0) if len(service.answers) > 1 else service.answers[0]
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(answer.body)

            do_POST = do_PUT = do_DELETE = _handle  # noqa: N815 - the names http.server dispatches to

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def script(self, *answers: Answer) -> None:
        self.answers, self.received = list(answers), []


@pytest.fixture(scope="module")
def service() -> Iterator[ScriptedService]:
    running = ScriptedService()
    yield running
    running.server.shutdown()


@pytest.fixture
def client(service: ScriptedService) -> ServiceClient:
    config = ProviderConfig.from_sources(
        {
            "msads:environment": "local",
            "msads:endpoint": service.url,
            "msads:developerToken": "dev-token",
            "msads:accessToken": "access-token",
            "msads:retryBaseDelay": "0",
            "msads:throttleDelay": "0",
            "msads:maxRetries": "2",
        },
        {},
    )
    assert config.transport == "rest", "REST is the default transport"
    return ServiceClient(config)


def json_answer(value: Any, status: int = 200, **headers: str) -> Answer:
    return Answer(status, json.dumps(value).encode(), headers=headers)


ACCOUNT = {"Id": "187000001", "Name": "Brand", "ParentCustomerId": "251000002", "TimeStamp": "AAAAAAAAB9I="}


def test_a_call_is_the_operations_method_and_path_with_the_bearer_token_and_developer_token(
    client: ServiceClient, service: ScriptedService
) -> None:
    service.script(json_answer({"Account": ACCOUNT}))
    client.get_account("187000001")
    [sent] = service.received
    assert (sent.method, sent.path) == ("POST", "/CustomerManagement/v13/Account/Query")
    assert sent.headers["Authorization"] == "Bearer access-token" and sent.headers["DeveloperToken"] == "dev-token"
    assert "AuthenticationToken" not in sent.headers, "REST has no AuthenticationToken header"
    assert sent.body == {"AccountId": "187000001"}, "a long goes as a string"


def test_an_id_written_as_a_json_number_is_read_all_the_same(client: ServiceClient, service: ScriptedService) -> None:
    """msads refuses one; whether the live service ever writes one is unconfirmed, and an id is an id."""
    service.script(json_answer({"Account": {**ACCOUNT, "Id": 187000001}}))
    assert client.get_account("187000001")["Id"] == 187000001


def test_an_answer_comes_back_in_the_same_shape_as_over_soap(client: ServiceClient, service: ScriptedService) -> None:
    service.script(json_answer({"Account": ACCOUNT}))
    account = client.get_account("187000001")
    assert account["Id"] == 187000001 and account["ParentCustomerId"] == 251000002
    assert account["TimeStamp"] == b"\x00\x00\x00\x00\x00\x00\x07\xd2", "TimeStamps are bytes, as zeep gives them"


def test_a_delete_sends_its_json_body_with_the_delete_method(client: ServiceClient, service: ScriptedService) -> None:
    service.script(json_answer({}))
    client.delete_account("187000001", b"\x07\xd2")
    [sent] = service.received
    assert sent.method == "DELETE" and sent.path == "/CustomerManagement/v13/Account"
    assert sent.body == {"AccountId": "187000001", "TimeStamp": "B9I="}


def test_an_api_fault_is_the_same_typed_error_with_its_code_and_tracking_id(
    client: ServiceClient, service: ScriptedService
) -> None:
    fault = {
        "TrackingId": "trk-209",
        "Type": "ApiFault",
        "OperationErrors": [{"Code": 209, "Details": None, "Message": "The TimeStamp does not match."}],
    }
    service.script(json_answer(fault, 400))
    with pytest.raises(TimestampMismatchError) as raised:
        client.get_account("187000001")
    assert raised.value.code == 209 and raised.value.tracking_id == "trk-209"
    assert raised.value.http_status == 400
    assert len(service.received) == 1, "a refusal is not retried"


def test_the_tracking_id_header_is_used_when_the_fault_body_has_none(
    client: ServiceClient, service: ScriptedService
) -> None:
    fault = {"Type": "ApiFault", "OperationErrors": [{"Code": 1001, "Message": "no"}]}
    service.script(json_answer(fault, 400, TrackingId="trk-header"))
    with pytest.raises(ApiError) as raised:
        client.get_account("187000001")
    assert raised.value.tracking_id == "trk-header"


def test_an_expired_token_in_an_ad_api_fault_detail_is_an_authentication_error(
    client: ServiceClient, service: ScriptedService
) -> None:
    fault = {"TrackingId": "t", "Type": "AdApiFaultDetail", "Errors": [{"Code": 109, "ErrorCode": "X", "Message": "m"}]}
    service.script(json_answer(fault, 401))
    with pytest.raises(AuthenticationError) as raised:
        client.get_account("187000001")
    assert raised.value.code == 109
    assert "configure msads:refreshToken" in "\n".join(raised.value.__notes__)


def test_throttling_is_retried_then_surfaces_as_a_throttled_error(
    client: ServiceClient, service: ScriptedService
) -> None:
    fault = {"TrackingId": "t", "Type": "AdApiFaultDetail", "Errors": [{"Code": 117, "Message": "slow down"}]}
    service.script(json_answer(fault, 429))
    with pytest.raises(ThrottledError):
        client.get_account("187000001")
    assert len(service.received) == 3, "the call and its two retries"


def test_an_http_error_without_a_fault_body_is_a_transport_error_with_its_status(
    client: ServiceClient, service: ScriptedService
) -> None:
    service.script(Answer(503, b"Service Unavailable", "text/plain"), json_answer({"Account": ACCOUNT}))
    assert client.get_account("187000001")["Id"] == 187000001, "retried: a gateway's 503 may pass"
    service.script(Answer(503, b"Service Unavailable", "text/plain"))
    with pytest.raises(TransportError) as raised:
        client.add_account({"Name": "x"})
    assert raised.value.http_status == 503 and raised.value.ambiguous
    assert len(service.received) == 1, "a create is never sent twice by the client"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (Answer(200, b"<xml/>", "text/xml"), "not a JSON object"),
        (json_answer({"Account": {**ACCOUNT, "Id": "18700x"}}), r"Account\.Id: '18700x' is not a long"),
        (json_answer({"Account": {**ACCOUNT, "TimeStamp": "not base64!"}}), r"Account\.TimeStamp: .* is not base64"),
    ],
    ids=["not json", "long that is not digits", "bad base64"],
)
def test_an_answer_that_does_not_match_the_apis_types_is_a_protocol_error_naming_the_field(
    client: ServiceClient, service: ScriptedService, answer: Answer, reason: str
) -> None:
    service.script(answer)
    with pytest.raises(ProtocolError, match=reason):
        client.get_account("187000001")
    assert len(service.received) == 1, "the same request would get the same answer: not retried"
