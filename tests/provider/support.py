"""Builders of valid resource inputs (property names as the engine sends them) and config helpers.

Each builder returns a fresh dict that passes validation; a test overrides the one property it is
about, so that any failure it sees comes from that property alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckResult

from pulumi_msads.config import ProviderConfig


def address(**overrides: Any) -> dict[str, Any]:
    """A complete US business address."""
    return {
        "business_name": "Contoso",
        "line1": "One Microsoft Way",
        "city": "Redmond",
        "state_or_province": "WA",
        "postal_code": "98052",
        "country_code": "US",
        **overrides,
    }


def account(**overrides: Any) -> dict[str, Any]:
    """Inputs of a primary account (the ``account`` property of a Customer)."""
    return {"name": "Contoso main", "currency_code": "USD", "business_address": address(), **overrides}


def standalone_account(**overrides: Any) -> dict[str, Any]:
    """Inputs of an Account resource."""
    return account(**{"customer_id": "251000002", **overrides})


def customer(**overrides: Any) -> dict[str, Any]:
    """Inputs of a Customer resource."""
    return {
        "name": "Contoso",
        "industry": "Retail",
        "market_country": "US",
        "market_language": "English",
        "account": account(),
        **overrides,
    }


def failures(result: CheckResult) -> dict[str, str]:
    """A check result's failures as {property path: reason}."""
    return {f.property: f.reason for f in result.failures or []}


def local_config(url: str, **settings: str) -> ProviderConfig:
    """A configuration for the emulator at ``url``: no backoff waits, any other setting overridable.

    ``settings`` take the config key without its namespace: ``local_config(url, maxRetries="2")``. The
    transport is SOAP unless ``transport="rest"``: these tests are about the client's SOAP side (faults,
    XML safety); the REST transport has tests/rest, and the lifecycle and fault tests run over both.
    """
    config: dict[str, str] = {
        "msads:environment": "local",
        "msads:endpoint": url,
        "msads:transport": "soap",
        "msads:retryBaseDelay": "0",
        "msads:throttleDelay": "0",
    }
    config.update({f"msads:{key}": value for key, value in settings.items()})
    return ProviderConfig.from_sources(config, {})


def config_of(values: Mapping[str, str], env: Mapping[str, str] | None = None) -> ProviderConfig:
    return ProviderConfig.from_sources(values, env or {})
