"""Sample inputs and stack config shared by the tests and the benchmarks: one customer as the quickstart
declares it, and the provider configuration for an emulator."""

from __future__ import annotations

import copy
from typing import Any

CUSTOMER_TYPE = "pulumi-python:dynamic/msads:Customer"
ACCOUNT_TYPE = "pulumi-python:dynamic/msads:Account"
ADDRESS = {
    "business_name": "Contoso Outdoor",
    "line1": "1 Microsoft Way",
    "city": "Redmond",
    "state_or_province": "WA",
    "postal_code": "98052",
    "country_code": "US",
}
CUSTOMER: dict[str, Any] = {
    "name": "Contoso Outdoor",
    "industry": "Retail",
    "market_country": "US",
    "market_language": "English",
    "account": {"name": "Contoso Outdoor - Search", "currency_code": "USD", "business_address": ADDRESS},
}


TRANSPORTS = ("rest", "soap")
"""Both wires the provider speaks; fixtures that start a provider server run every test over each."""


def provider_config(url: str, transport: str = "rest", **extra: str) -> dict[str, Any]:
    """Stack config for the emulator, with retries that do not wait (tests count calls, not seconds).

    Bulk reads are off (``msads:readCacheSeconds`` 0): the harness keeps one provider server for many
    operations, which the engine never does, and bulk reads count on a process per operation (their
    snapshot would outlive a test's emulator reset). tests/provider/test_bulk_reads.py and the CLI tests
    run them as the engine does.
    """
    return {
        "msads:environment": "local",
        "msads:endpoint": url,
        "msads:transport": transport,
        "msads:retryBaseDelay": "0",
        "msads:retryMaxDelay": "0",
        "msads:throttleDelay": "0",
        "msads:readCacheSeconds": "0",
        **extra,
    }


def customer_inputs(**changes: Any) -> dict[str, Any]:
    """The sample customer's program inputs, with top-level properties changed or added."""
    inputs = copy.deepcopy(CUSTOMER)
    inputs.update(changes)
    return inputs


def account_inputs(customer_id: str, **changes: Any) -> dict[str, Any]:
    """Program inputs of a second account ("- Brand") of the customer."""
    return {
        "customer_id": customer_id,
        "name": "Contoso Outdoor - Brand",
        "currency_code": "USD",
        "business_address": dict(ADDRESS),
        **changes,
    }
