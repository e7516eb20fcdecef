"""Service-side steps of ``operations`` that no single engine call shows: what concurrent calls share."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pulumi_msads import operations
from pulumi_msads.emulator.process import EmulatorControl

from .conftest import MakeClient


def test_concurrent_signups_ask_for_the_aggregator_once(make_client: MakeClient, emulator: EmulatorControl) -> None:
    """The engine runs up to four creates at once in one provider process; one GetUser serves them all."""
    client = make_client()
    emulator.set_latency(0.2)  # wide enough for every caller to arrive while the first waits
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            parents = set(pool.map(lambda _: operations.parent_customer(client, None), range(4)))
    finally:
        emulator.set_latency(0)
    assert len(parents) == 1
    assert emulator.calls() == {"GetUser": 1}
