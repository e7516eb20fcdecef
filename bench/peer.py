"""Section 3: our client against Microsoft's official SDK on the same calls.

The same read-modify-write of a customer (GetCustomer, change the name, UpdateCustomer) through
``pulumi_msads.client.ServiceClient`` (zeep) and through ``bingads.ServiceClient`` (suds, its bundled WSDL, pointed
at the emulator with suds' ``location`` option), alternating against the same emulator. (An earlier third variant,
our client with requests told not to re-read the environment per call, is gone: the transports now keep one
``http.client`` connection per thread and read the environment once, so it measured our client against itself;
``bench.call_cost`` measures what a call costs the client.) Client construction (WSDL load) is measured apart,
once per client in a loop of its own, since a provider process pays it once per thread.
"""

from __future__ import annotations

import time
from typing import Any

from bingads.authorization import AuthorizationData, OAuthDesktopMobileAuthCodeGrant, OAuthTokens
from bingads.service_client import ServiceClient as BingAdsServiceClient

from pulumi_msads.client import ServiceClient
from pulumi_msads.config import ProviderConfig

from .common import HEADERS, Bench, alternate, bare_service, median, ms, provider_config, self_cpu, signup


def _ours(url: str) -> ServiceClient:
    return ServiceClient(ProviderConfig.from_sources(provider_config(url), {}))


def _bingads(url: str, customer_id: int, account_id: int) -> Any:
    authentication = OAuthDesktopMobileAuthCodeGrant(
        client_id="bench-client-id", oauth_tokens=OAuthTokens(access_token=HEADERS["AuthenticationToken"])
    )
    authorization = AuthorizationData(
        account_id=account_id,
        customer_id=customer_id,
        developer_token=HEADERS["DeveloperToken"],
        authentication=authentication,
    )
    return BingAdsServiceClient(
        "CustomerManagementService", 13, authorization_data=authorization, environment="production", location=url
    )


def _construction(build: Any, first_call: Any, repeats: int) -> float:
    """Median seconds to build a client and make its first call (which is when zeep loads its WSDL)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        first_call(build())
        times.append(time.perf_counter() - started)
    return median(times)


def run(bench: Bench, iterations: int) -> dict[str, Any]:
    bench.reset()
    service = bare_service(bench.url)
    parent = bench.parent_id(service)
    ours_id, _ = signup(service, parent, "Bench peer ours")
    theirs_id, theirs_account = signup(service, parent, "Bench peer bingads")
    ours = _ours(bench.url)
    theirs = _bingads(bench.url, int(parent), theirs_account)

    def with_ours(i: int) -> None:
        customer = ours.get_customer(str(ours_id))
        customer["Name"] = f"Bench peer ours {i % 2}"
        ours.update_customer(customer)

    def with_bingads(i: int) -> None:
        customer = theirs.GetCustomer(CustomerId=theirs_id)
        customer.Name = f"Bench peer bingads {i % 2}"
        theirs.UpdateCustomer(Customer=customer)

    bench.control.reset_calls()
    result = alternate(
        {"pulumi_msads": with_ours, "bingads": with_bingads},
        iterations,
        sample=lambda: [self_cpu()],
    )
    calls = bench.control.calls()
    expected = 2 * (iterations + 1)
    assert calls == {"GetCustomer": expected, "UpdateCustomer": expected}, calls
    ours_ms, theirs_ms = median(result.times["pulumi_msads"]), median(result.times["bingads"])
    cpu = {name: ms(total[0] / iterations) for name, total in result.samples.items()}
    repeats = max(3, iterations // 10)
    build_ours = _construction(lambda: _ours(bench.url), lambda client: client.get_customer(str(ours_id)), repeats)
    build_theirs = _construction(
        lambda: _bingads(bench.url, int(parent), theirs_account),
        lambda client: client.GetCustomer(CustomerId=theirs_id),
        repeats,
    )
    return {
        "sequence": "GetCustomer + UpdateCustomer",
        "iterations": iterations,
        "pulumi_msads_ms": ms(ours_ms),
        "bingads_ms": ms(theirs_ms),
        "ratio": round(ours_ms / theirs_ms, 3),
        "client_cpu_ms": cpu,
        "construction_and_first_call_ms": {"pulumi_msads": ms(build_ours), "bingads": ms(build_theirs)},
    }
