"""What the SOAP and REST transports share: HTTP sessions, and what a failure to get an answer means.

Both transports speak HTTP through ``requests``, one session per thread (Pulumi's provider server
runs up to four calls at once), with proxy and CA settings read from the environment once per
session rather than by ``requests`` on every call (which also reads ~/.netrc each time: 10% of a
call's CPU). TLS verification is never turned off.
"""

from __future__ import annotations

import os

import requests

from .errors import TransportError


def session_for(url: str) -> requests.Session:
    """A session for ``url`` with the environment's proxies and CA bundle, read once."""
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(url))
    session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    session.trust_env = False  # verification itself is never turned off
    return session


def transport_error(operation: str, error: requests.exceptions.RequestException) -> TransportError:
    """Classify a failure to get an answer; ``ambiguous`` unless the request surely never left."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return TransportError(operation, "timed out connecting to the service", ambiguous=False)
    if isinstance(error, requests.exceptions.Timeout):
        return TransportError(operation, "timed out waiting for the service's answer", ambiguous=True, timed_out=True)
    if isinstance(error, requests.exceptions.ConnectionError) and "refused" in str(error).lower():
        return TransportError(operation, "the service refused the connection", ambiguous=False)
    return TransportError(
        operation, f"connection failed before an answer arrived ({type(error).__name__})", ambiguous=True
    )


def http_error(operation: str, status: int) -> TransportError:
    """An HTTP error status without a fault the service wrote: a gateway's, a proxy's, a load balancer's."""
    return TransportError(operation, f"HTTP {status} from the service", ambiguous=True, http_status=status)
