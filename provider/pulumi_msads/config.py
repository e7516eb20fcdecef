"""Provider configuration: Pulumi config keys first, then environment variables, then defaults.

Read once per provider process, inside ``configure()``: never in the program, never stored on a
provider object (which Pulumi serializes into state). Credentials are held in ``Secret`` so that
no repr, log line or error message can show them by accident.
"""

from __future__ import annotations

import difflib
import hmac
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from . import wsdl
from .errors import ConfigurationError

Environment = Literal["production", "sandbox", "local"]
ENVIRONMENTS: tuple[str, ...] = get_args(Environment)
Transport = Literal["rest", "soap"]
TRANSPORTS: tuple[str, ...] = get_args(Transport)
"""REST first: Microsoft switches the SOAP API off on 2027-01-31 ("Migrate to REST")."""

ENDPOINTS: dict[str, str] = {
    "production": "https://clientcenter.api.bingads.microsoft.com" + wsdl.SERVICE_PATH,
    "sandbox": "https://clientcenter.api.sandbox.bingads.microsoft.com" + wsdl.SERVICE_PATH,
    "local": "http://127.0.0.1:8089" + wsdl.SERVICE_PATH,
}
SANDBOX_DEVELOPER_TOKEN = "BBD37VB98"
"""Microsoft's published universal developer token for the sandbox (guides/sandbox.md)."""
LOCAL_TOKEN = "local-emulator"
"""What the provider sends to the emulator when no token is configured: it accepts any."""

# (config key, environment variable) for every setting, in one table for the docs and the tests.
KEYS: dict[str, tuple[str, str]] = {
    "environment": ("msads:environment", "MSADS_ENVIRONMENT"),
    "endpoint": ("msads:endpoint", "MSADS_ENDPOINT"),
    "developer_token": ("msads:developerToken", "MSADS_DEVELOPER_TOKEN"),
    "access_token": ("msads:accessToken", "MSADS_ACCESS_TOKEN"),
    "refresh_token": ("msads:refreshToken", "MSADS_REFRESH_TOKEN"),
    "client_id": ("msads:clientId", "MSADS_CLIENT_ID"),
    "client_secret": ("msads:clientSecret", "MSADS_CLIENT_SECRET"),
    "parent_customer_id": ("msads:parentCustomerId", "MSADS_PARENT_CUSTOMER_ID"),
    "max_retries": ("msads:maxRetries", "MSADS_MAX_RETRIES"),
    "retry_base_delay": ("msads:retryBaseDelay", "MSADS_RETRY_BASE_DELAY"),
    "retry_max_delay": ("msads:retryMaxDelay", "MSADS_RETRY_MAX_DELAY"),
    "throttle_delay": ("msads:throttleDelay", "MSADS_THROTTLE_DELAY"),
    "retry_budget": ("msads:retryBudget", "MSADS_RETRY_BUDGET"),
    "timeout": ("msads:timeout", "MSADS_TIMEOUT"),
    "recovery_wait": ("msads:recoveryWait", "MSADS_RECOVERY_WAIT"),
    "transport": ("msads:transport", "MSADS_TRANSPORT"),
    "max_calls_per_minute": ("msads:maxCallsPerMinute", "MSADS_MAX_CALLS_PER_MINUTE"),
    "read_cache_seconds": ("msads:readCacheSeconds", "MSADS_READ_CACHE_SECONDS"),
}
DEFAULT_READ_CACHE_SECONDS = 30.0
"""How long a refresh's bulk read may serve reads (``bulk_reads``): longer than the reads of one
refresh take once the snapshot is there (a few seconds for an agency), short enough that a
long-lived process never serves a stale one. ``0`` turns bulk reads off."""
DEFAULT_MAX_CALLS_PER_MINUTE = 100
"""The client-side pace, in calls per sliding minute, when ``msads:maxCallsPerMinute`` is not set.

Microsoft publishes no call limit for Customer Management, and no figure for any service:
guides/services-protocol.md ("Handle Throttling") says only, for Ad Insight and Campaign Management,
that calls are counted per user over a sliding 60-second window, that the excess gets error 117
(CallRateExceeded), and to resubmit "after waiting 60 seconds"; notes/customer-management-api.md
(section 6) finds nothing published for Customer Management. So 100 is a conservative choice, not
the service's number: a refresh of 50 customers (GetCustomer and GetAccount each) a minute. The
environment ``local`` gets no client-side limit unless one is set: the emulator throttles only when
told to (``--calls-per-minute``). ``0`` or ``none`` lifts the client-side limit (the service's own
still applies).
"""
SECRET_SETTINGS = frozenset({"developer_token", "access_token", "refresh_token", "client_secret"})


class Secret:
    """A credential that prints as ``***`` everywhere; ``reveal()`` is the one way to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("credentials are never serialized")

    def __eq__(self, other: object) -> bool:
        """The same credential: so that the same settings read twice compare equal."""
        return isinstance(other, Secret) and hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class RetryPolicy:
    """How transient failures are retried: capped exponential backoff with full jitter.

    Throttling (117) starts from ``throttle_delay`` rather than ``base_delay``: the service counts
    calls over a sliding minute, so an immediate retry only adds to the count. ``budget`` bounds
    the total time spent waiting for one call, whatever ``max_retries`` says.
    """

    max_retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 60.0
    """At least the throttle delay, so that the default wait after a 117 is the service's full minute."""
    throttle_delay: float = 60.0
    """guides/services-protocol.md, Handle Throttling: "you can resubmit the request under the limit after
    waiting 60 seconds" (the service counts calls over a sliding minute)."""
    budget: float = 120.0

    def delay(self, retry: int, *, throttled: bool, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        start = self.throttle_delay if throttled else self.base_delay
        ceiling = min(self.max_delay, start * math.pow(2, min(retry - 1, 64)))  # 2**1024 overflows a float
        if throttled:
            # Never retry a throttled call early: wait at least the base, jitter only above it.
            return min(self.max_delay, start + (rng or random).uniform(0, max(0.0, ceiling - start)))
        return (rng or random).uniform(0, ceiling)


@dataclass(frozen=True)
class ProviderConfig:
    environment: Environment = "production"
    endpoint: str = ENDPOINTS["production"]
    """The service: its host (``https://clientcenter.api.bingads.microsoft.com``) or its SOAP URL; each
    transport derives its own URL from it (``soap_url``, ``rest_base``)."""
    transport: Transport = "rest"
    developer_token: Secret | None = None
    access_token: Secret | None = None
    refresh_token: Secret | None = None
    client_id: str | None = None
    client_secret: Secret | None = None
    parent_customer_id: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 60.0
    recovery_wait: float | None = None
    """Seconds to keep looking for what a create with a lost answer made; None: twice ``timeout``."""
    max_calls_per_minute: int | None = DEFAULT_MAX_CALLS_PER_MINUTE
    """The most calls this process sends in any sliding minute, retries included (``pacing``); None: no limit."""
    read_cache_seconds: float = DEFAULT_READ_CACHE_SECONDS
    """Seconds a bulk read serves refresh's reads (``bulk_reads``); 0: every resource read on its own."""

    @property
    def recovery_window(self) -> float:
        """How long after a create's lost answer the request may still commit, as far as we wait for it.

        A request we stopped waiting for can still be running on the service; twice the client's
        timeout covers one more full timeout after the one we gave up on.
        """
        return 2 * self.timeout if self.recovery_wait is None else self.recovery_wait

    @property
    def soap_url(self) -> str:
        """The SOAP service URL: the endpoint if it is one, else the host with the service's path."""
        if self.endpoint.rstrip("/").lower().endswith(wsdl.SERVICE_PATH.lower()):
            return self.endpoint.rstrip("/")
        return self.endpoint.rstrip("/") + wsdl.SERVICE_PATH

    @property
    def rest_base(self) -> str:
        """What REST paths (``/CustomerManagement/v13/...``) follow: the host, without the SOAP path."""
        return self.soap_url[: -len(wsdl.SERVICE_PATH)]

    @property
    def wsdl_source(self) -> str:
        """Where zeep reads the WSDL: the emulator serves its own; Microsoft's comes with bingads."""
        if self.environment == "local":
            return self.soap_url + "?wsdl"
        return str(wsdl.wsdl_path(self.environment))

    @classmethod
    def from_sources(cls, config: Mapping[str, str], env: Mapping[str, str]) -> ProviderConfig:
        """Build from Pulumi config (namespaced keys, string values) and the environment.

        Raises ConfigurationError naming the key and the environment variable for every problem.
        """
        raw: dict[str, str] = {}
        for name, (key, variable) in KEYS.items():
            value = config.get(key)
            if value in (None, ""):
                value = env.get(variable)
            if value not in (None, ""):
                raw[name] = str(value)

        problems: list[str] = []
        environment = raw.get("environment", "production")
        if environment not in ENVIRONMENTS:
            close = difflib.get_close_matches(environment.lower(), ENVIRONMENTS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(f"{_names('environment')} is {environment!r}; {hint}allowed: {', '.join(ENVIRONMENTS)}")

        def number(name: str, default: float, minimum: float = 0.0, *, whole: bool = False) -> float:
            text = raw.get(name)
            if text is None:
                return default
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):  # float() also takes "nan" and "inf", which no setting can use
                problems.append(f"{_names(name)} must be a number, not {text!r}")
                return default
            if whole and not value.is_integer():
                problems.append(f"{_names(name)} must be a whole number, not {text!r}")
                return default
            if value < minimum:
                problems.append(f"{_names(name)} must be at least {minimum}, not {text}")
                return default
            return value

        defaults = RetryPolicy()
        retry = RetryPolicy(
            max_retries=int(number("max_retries", defaults.max_retries, whole=True)),
            base_delay=number("retry_base_delay", defaults.base_delay),
            max_delay=number("retry_max_delay", defaults.max_delay),
            throttle_delay=number("throttle_delay", defaults.throttle_delay),
            budget=number("retry_budget", defaults.budget),
        )
        timeout = number("timeout", 60.0, minimum=1.0)
        recovery_wait = number("recovery_wait", 0.0) if "recovery_wait" in raw else None
        pace = raw.get("max_calls_per_minute")
        max_calls_per_minute: int | None = None if environment == "local" else DEFAULT_MAX_CALLS_PER_MINUTE
        if pace is not None:
            if pace.strip().lower() == "none":
                max_calls_per_minute = None
            else:  # 0, like "none": no client-side limit (the service's own still applies)
                max_calls_per_minute = (
                    int(number("max_calls_per_minute", max_calls_per_minute or 0, whole=True)) or None
                )
        read_cache_seconds = number("read_cache_seconds", DEFAULT_READ_CACHE_SECONDS)
        transport = raw.get("transport", "rest")
        if transport not in TRANSPORTS:
            close = difflib.get_close_matches(transport.lower(), TRANSPORTS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(f"{_names('transport')} is {transport!r}; {hint}allowed: {', '.join(TRANSPORTS)}")
        parent = raw.get("parent_customer_id")
        if parent is not None and not (parent.isascii() and parent.isdigit()):  # "²".isdigit() is true too
            problems.append(f"{_names('parent_customer_id')} must be a customer id (digits), not {parent!r}")

        if environment not in ENVIRONMENTS:
            # What depends on the environment (tokens, endpoint) is not checked against a guess of it.
            raise ConfigurationError("msads provider configuration: " + "; ".join(problems))
        secrets = {name: Secret(raw[name]) for name in SECRET_SETTINGS if name in raw}
        if environment == "local":
            secrets.setdefault("developer_token", Secret(LOCAL_TOKEN))
            if "refresh_token" not in secrets:
                secrets.setdefault("access_token", Secret(LOCAL_TOKEN))
        elif environment == "sandbox":
            secrets.setdefault("developer_token", Secret(SANDBOX_DEVELOPER_TOKEN))
        if "developer_token" not in secrets:
            problems.append(f"a developer token is required: set {_names('developer_token')}")
        if "access_token" not in secrets and "refresh_token" not in secrets:
            problems.append(
                f"credentials are required: set {_names('access_token')}, or {_names('refresh_token')} "
                f"with {_names('client_id')}"
            )
        if "refresh_token" in secrets and not raw.get("client_id"):
            problems.append(f"{_names('refresh_token')} needs {_names('client_id')} too")
        endpoint = raw.get("endpoint", ENDPOINTS[environment])
        if not endpoint.startswith(("http://", "https://")):
            problems.append(f"{_names('endpoint')} must be an http(s) URL, not {endpoint!r}")
        elif environment != "local" and not endpoint.startswith("https://"):
            problems.append(f"{_names('endpoint')} must use https for the {environment} environment")
        if problems:
            raise ConfigurationError("msads provider configuration: " + "; ".join(problems))
        return cls(
            environment=environment,  # type: ignore[arg-type]
            endpoint=endpoint,
            client_id=raw.get("client_id"),
            parent_customer_id=parent,
            retry=retry,
            timeout=timeout,
            recovery_wait=recovery_wait,
            max_calls_per_minute=max_calls_per_minute,
            read_cache_seconds=read_cache_seconds,
            transport=transport,  # type: ignore[arg-type]
            **secrets,
        )


def _names(setting: str) -> str:
    key, variable = KEYS[setting]
    return f"{key} (or {variable})"


DESCRIPTIONS: dict[str, str] = {
    "environment": f"Which service: {', '.join(f'`{e}`' for e in ENVIRONMENTS)}; `local` is the emulator, used only "
    f"when asked for. Default: `{ProviderConfig.environment}`.",
    "endpoint": "Service override: the host (`https://...`) or the SOAP service URL; each transport derives its own "
    "URL from it. It must use https outside `local`. Default: the environment's service.",
    "transport": f"How calls are sent: {' or '.join(f'`{t}`' for t in TRANSPORTS)}; Microsoft switches SOAP off on "
    f"2027-01-31. Default: `{ProviderConfig.transport}`.",
    "developer_token": "Developer token; in the sandbox, Microsoft's universal sandbox token by default.",
    "access_token": "A ready OAuth access token, instead of the refresh-token flow.",
    "refresh_token": "OAuth refresh token; needs the client id.",
    "client_id": "OAuth application (client) id.",
    "client_secret": "OAuth client secret, for web apps.",
    "parent_customer_id": "Aggregator customer that new customers are signed up under; when unset, the caller's "
    "only aggregator customer (found with GetUser).",
    "max_retries": f"Retries of a transient failure. Default: {RetryPolicy.max_retries}.",
    "retry_base_delay": "First backoff delay in seconds (exponential, full jitter). "
    f"Default: {RetryPolicy.base_delay:g}.",
    "retry_max_delay": f"Longest single wait in seconds. Default: {RetryPolicy.max_delay:g}, so that a wait after "
    "CallRateExceeded (117) is the full minute the service asks for.",
    "throttle_delay": "First wait after CallRateExceeded (117), in seconds. "
    f"Default: {RetryPolicy.throttle_delay:g}, the service's guidance.",
    "retry_budget": f"Most seconds spent waiting on retries of one call. Default: {RetryPolicy.budget:g}.",
    "timeout": f"HTTP timeout per call, in seconds. Default: {ProviderConfig.timeout:g}.",
    "recovery_wait": "After a create's answer was lost, how many seconds to keep looking for what it made. "
    "Default: twice the timeout.",
    "max_calls_per_minute": "Most calls in any sliding minute from the provider process, retries included; `0` (or "
    f"`none`): no client-side limit. Default: {DEFAULT_MAX_CALLS_PER_MINUTE}; no limit for `local`.",
    "read_cache_seconds": "How long a refresh's bulk read (a few paged searches instead of a read per resource, once "
    "that is cheaper) may serve reads, in seconds; `0`: every resource read on its own. "
    f"Default: {DEFAULT_READ_CACHE_SECONDS:g}.",
}
"""What each setting of ``KEYS`` means, for the package schema (``package_schema``); defaults come from the code."""
