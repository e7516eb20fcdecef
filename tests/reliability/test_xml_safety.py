"""The client refuses answers that carry a DTD, entity declarations or external references.

A stand-in service on loopback answers every request with a hostile document; the client must
fail with ProtocolError (never expand anything, never fetch anything) and must not retry.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pulumi_msads import ProtocolError, wsdl
from pulumi_msads.client import ServiceClient
from pulumi_msads.config import ProviderConfig

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&lol3;</s:Body></s:Envelope>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&xxe;</s:Body></s:Envelope>"""
NOT_SOAP = b"<html><body>Service Unavailable</body></html>"


class HostileService:
    """Serves the real WSDL on GET and ``answer`` to every POST; counts the POSTs."""

    def __init__(self) -> None:
        self.answer = b""
        self.posts = 0
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._send(wsdl.wsdl_text(service.url))

            def do_POST(self) -> None:
                service.posts += 1
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self._send(service.answer)

            def _send(self, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{wsdl.SERVICE_PATH}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileService]:
    service = HostileService()
    yield service
    service.server.shutdown()


@pytest.fixture
def client(hostile: HostileService) -> ServiceClient:
    config = ProviderConfig.from_sources(
        {
            "msads:environment": "local",
            "msads:endpoint": hostile.url,
            "msads:retryBaseDelay": "0",
            "msads:transport": "soap",  # XML answers are the SOAP transport's to refuse
        },
        {},
    )
    return ServiceClient(config)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [(BILLION_LAUGHS, "DTD or entities"), (EXTERNAL_ENTITY, "DTD or entities"), (NOT_SOAP, "not a valid SOAP")],
    ids=["billion-laughs", "external-entity", "not-soap"],
)
def test_hostile_answers_are_refused_once_without_retry(
    hostile: HostileService, client: ServiceClient, answer: bytes, reason: str
) -> None:
    hostile.answer, hostile.posts = answer, 0
    with pytest.raises(ProtocolError, match=reason):
        client.get_customer("1")
    assert hostile.posts == 1
