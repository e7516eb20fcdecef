"""What the SOAP and REST transports share: one keep-alive HTTP connection per thread, and what a failure means.

Why not ``requests`` per call: a ``Session.request`` costs about 1.2 ms of CPU on top of the
``http.client`` exchange it ends in (merging settings, preparing and re-parsing the URL, cookie jars,
urllib3's pool and retry objects, and, unless ``trust_env`` is off, the environment's proxies and
~/.netrc on every call), more than twice the exchange itself. ``bench/call_cost.py`` measures it.
So each transport sends through ``Connections``: per thread (Pulumi's provider server runs up to
four calls at once), one ``http.client`` connection kept alive to the service, built from an
``Endpoint`` whose proxy and CA bundle were read from the environment once, when the transport was
built. Nothing per call reads the environment, parses a URL or builds an SSL context.

A connection the service closed while it sat idle (waitress closes idle ones, load balancers too)
is noticed before the request is written (the socket reads as closed) and replaced by a new one:
the request was surely not sent, so nothing is repeated. Once a request may have been written,
any failure is ``UnansweredError`` and ambiguous, never sent again here: retrying is ``client``'s
decision, which never repeats SignupCustomer or AddAccount. TLS verification is never turned off.

Proxies other than ``http://`` ones (``https://``, ``socks5://``) are sent through a ``requests``
session with the same settings, as before, since ``http.client`` cannot speak them.
"""

from __future__ import annotations

import base64
import http.client
import os
import select
import ssl
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import unquote, urlsplit

import requests

from .errors import TransportError


class UnansweredError(Exception):
    """No answer came for one exchange; the transport names the operation (``transport_error``).

    ``ambiguous`` is false only when the request surely never left: nothing was connected yet.
    """

    def __init__(self, reason: str, *, ambiguous: bool, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ambiguous = ambiguous
        self.timed_out = timed_out


@dataclass(frozen=True)
class Answer:
    """An HTTP answer, read in full; the attribute names are the ones zeep reads off a ``requests.Response``."""

    status_code: int
    reason: str
    headers: Message
    """Case-insensitive ``get``, as ``http.client`` parsed them."""
    content: bytes
    encoding: str | None = None


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, for observers (``Connections.observe``): what went over the wire."""

    method: str
    target: str
    headers: Mapping[str, str]
    body: bytes
    answer: Answer


def ca_bundle(environ: Mapping[str, str]) -> str | bool:
    """The CA bundle to verify the service with: requests' variables, then OpenSSL's, else certifi's (True)."""
    return environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE") or environ.get("SSL_CERT_FILE") or True


@dataclass(frozen=True)
class Endpoint:
    """Where a transport sends, and how: read from the URL and the environment once, when a transport is built."""

    url: str
    """The service's origin and path prefix, as configured (``https://host``, ``http://127.0.0.1:port``)."""
    timeout: float
    proxy: str | None
    """The proxy for ``url`` from HTTP(S)_PROXY/ALL_PROXY, unless NO_PROXY exempts it; None: connect directly."""
    verify: str | bool
    """True (certifi's bundle, as requests uses) or the path of the CA bundle or directory to trust."""
    scheme: str = field(init=False)
    host: str = field(init=False)
    port: int = field(init=False)
    prefix: str = field(init=False)
    """The URL's path: what every target starts with (REST paths follow it)."""

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {self.url}")
        set_ = object.__setattr__  # a frozen dataclass's derived fields
        set_(self, "scheme", parts.scheme)
        set_(self, "host", parts.hostname)
        set_(self, "port", parts.port or (443 if parts.scheme == "https" else 80))
        set_(self, "prefix", parts.path.rstrip("/"))

    @classmethod
    def of(cls, url: str, timeout: float) -> Endpoint:
        """The endpoint for ``url`` with the environment's proxy and CA bundle, as requests would pick them."""
        # requests' own reading of HTTP(S)_PROXY, ALL_PROXY and NO_PROXY (hosts, domains, CIDRs, ports), once.
        proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
        return cls(url.rstrip("/"), timeout, proxy or None, ca_bundle(os.environ))

    def ssl_context(self) -> ssl.SSLContext:
        """A verifying context (certificate and host name) for the CA bundle: built once per Connections."""
        if self.verify is True:
            return ssl.create_default_context(cafile=requests.utils.DEFAULT_CA_BUNDLE_PATH)
        if isinstance(self.verify, str) and os.path.isdir(self.verify):
            return ssl.create_default_context(capath=self.verify)
        return ssl.create_default_context(cafile=str(self.verify))

    def requests_session(self) -> requests.Session:
        """A requests session with these settings pinned (zeep loads the WSDL through one): no lookups per call."""
        session = requests.Session()
        if self.proxy:
            session.proxies = {self.scheme: self.proxy}
        session.verify = self.verify
        session.trust_env = False  # the environment was read once, above; verification itself stays on
        return session


Observer = Callable[[Exchange], None]


class Connections:
    """One keep-alive connection per thread to one endpoint; ``exchange`` sends a request and reads its answer.

    ``http.client`` connections are not safe to share between threads, and one per thread is all a
    thread can use: with Pulumi's four workers, at most four connections, each reused call after call.
    """

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._local = threading.local()
        self._observers: list[Observer] = []
        proxy = urlsplit(endpoint.proxy) if endpoint.proxy else None
        if proxy is not None and not proxy.scheme:
            proxy = urlsplit("http://" + str(endpoint.proxy))  # "host:port", as requests reads it
        self._fallback = proxy is not None and proxy.scheme != "http"
        """A proxy http.client cannot speak: requests (one session per thread) sends instead."""
        self._context = endpoint.ssl_context() if endpoint.scheme == "https" else None
        self._proxy_headers: dict[str, str] = {}
        self._connect_to = (endpoint.host, endpoint.port)
        self._absolute = ""
        """What a target is prefixed with on the request line: the origin, to an HTTP proxy for an http URL."""
        if proxy is not None and not self._fallback:
            self._connect_to = (proxy.hostname or "", proxy.port or 80)
            if proxy.username is not None:
                credentials = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}"
                self._proxy_headers["Proxy-Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
            if endpoint.scheme == "http":
                self._absolute = f"http://{endpoint.host}:{endpoint.port}"

    def observe(self, observer: Observer) -> None:
        """Call ``observer`` with every exchange from now on (benchmarks count bytes so); free if none."""
        self._observers.append(observer)

    def exchange(self, method: str, target: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        """Send ``body`` to ``target`` (a path) and read the whole answer, or raise ``UnansweredError``."""
        if self._fallback:
            answer = self._exchange_by_requests(method, target, body, headers)
        else:
            answer = self._exchange(method, target, body, headers)
        for observer in self._observers:
            observer(Exchange(method, target, headers, body, answer))
        return answer

    def _exchange(self, method: str, target: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        connection = self._connected(target)
        try:
            connection.request(method, self._absolute + target, body, headers)
            response = connection.getresponse()
            content = response.read()
        except TimeoutError:
            connection.close()
            raise UnansweredError(
                f"timed out waiting for the service's answer from {self._url(target)} "
                f"after {self.endpoint.timeout:g}s (msads:timeout)",
                ambiguous=True,
                timed_out=True,
            ) from None
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise UnansweredError(
                f"connection to {self._url(target)} failed before an answer arrived ({type(error).__name__})",
                ambiguous=True,
            ) from None
        except BaseException:
            connection.close()  # interrupted half-way: the connection's state is unknown, so it is not reused
            raise
        # A "Connection: close" answer has closed the connection itself: the next call opens another.
        return Answer(response.status, response.reason, response.msg, content)

    def _connected(self, target: str) -> http.client.HTTPConnection:
        """This thread's connection, open: the kept one if the service has not closed it, else a new one."""
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._new_connection()
        elif connection.sock is not None and _closed_by_peer(connection.sock):
            connection.close()  # nothing was written to it yet: the request goes on a new connection, once
        if connection.sock is None:
            try:
                connection.connect()
            except TimeoutError:
                connection.close()
                raise UnansweredError(
                    f"timed out connecting to {self._url(target)} after {self.endpoint.timeout:g}s (msads:timeout)",
                    ambiguous=False,
                ) from None
            except ConnectionRefusedError:
                connection.close()
                raise UnansweredError(
                    f"the service refused the connection to {self._url(target)}", ambiguous=False
                ) from None
            except (OSError, http.client.HTTPException) as error:  # DNS, TLS, the proxy's CONNECT refused
                connection.close()
                raise UnansweredError(
                    f"could not connect to {self._url(target)} ({type(error).__name__}: {error})", ambiguous=False
                ) from None
        return connection

    def _new_connection(self) -> http.client.HTTPConnection:
        host, port = self._connect_to
        timeout = self.endpoint.timeout
        if self._context is None:
            return http.client.HTTPConnection(host, port, timeout=timeout)
        connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=self._context)
        if self._connect_to != (self.endpoint.host, self.endpoint.port):
            connection.set_tunnel(self.endpoint.host, self.endpoint.port, headers=self._proxy_headers)
        return connection

    def _exchange_by_requests(self, method: str, target: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self.endpoint.requests_session()
        url = f"{self.endpoint.scheme}://{self.endpoint.host}:{self.endpoint.port}{target}"
        try:
            response = session.request(method, url, data=body, headers=dict(headers), timeout=self.endpoint.timeout)
        except requests.exceptions.RequestException as error:
            raise unanswered(url, self.endpoint.timeout, error) from None
        message = Message()
        for name, value in response.headers.items():
            message[name] = value
        return Answer(response.status_code, response.reason, message, response.content, response.encoding)

    def _url(self, target: str) -> str:
        return f"{self.endpoint.scheme}://{self.endpoint.host}:{self.endpoint.port}{target}"

    def close(self) -> None:
        """Close this thread's connection (other threads' close when their threads end)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()


def _closed_by_peer(sock: Any) -> bool:
    """True if an idle kept-alive socket reads as closed (or holds bytes nobody asked for): do not reuse it."""
    poller = select.poll()  # not select(): it fails on descriptors above FD_SETSIZE
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


def unanswered(url: str, timeout: float, error: requests.exceptions.RequestException) -> UnansweredError:
    """The same classification for a request sent through requests (proxies http.client cannot speak)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return UnansweredError(f"timed out connecting to {url} after {timeout:g}s (msads:timeout)", ambiguous=False)
    if isinstance(error, requests.exceptions.Timeout):
        return UnansweredError(
            f"timed out waiting for the service's answer from {url} after {timeout:g}s (msads:timeout)",
            ambiguous=True,
            timed_out=True,
        )
    if isinstance(error, requests.exceptions.ConnectionError) and "refused" in str(error).lower():
        return UnansweredError(f"the service refused the connection to {url}", ambiguous=False)
    return UnansweredError(
        f"connection to {url} failed before an answer arrived ({type(error).__name__})", ambiguous=True
    )


def transport_error(operation: str, failure: UnansweredError) -> TransportError:
    """The operation's error for an exchange that got no answer; ``ambiguous`` unless it surely never left."""
    return TransportError(operation, failure.reason, ambiguous=failure.ambiguous, timed_out=failure.timed_out)


def http_error(operation: str, status: int) -> TransportError:
    """An HTTP error status without a fault the service wrote: a gateway's, a proxy's, a load balancer's."""
    return TransportError(operation, f"HTTP {status} from the service", ambiguous=True, http_status=status)
