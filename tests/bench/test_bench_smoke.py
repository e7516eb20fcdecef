"""The benchmark suite's quick mode, as CI runs it: it completes, writes every section, and the round trips meet
their targets. Timings are not asserted (they depend on the machine); call counts are behaviour, so they are.

The ``cli`` section runs the official Pulumi CLI (scripts/pulumi-cli), hence the ``cli`` marker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bench.common import ENGINE_CONCURRENCY

from bench import call_cost, store_scale

from ..cli.examples import EXAMPLES

REPO = Path(__file__).resolve().parents[2]
SECTIONS = (
    "roundtrips",
    "overhead",
    "peer",
    "scale",
    "program",
    "coldstart",
    "emulator",
    "cli",
    "transports",
    "export",
    "agency",
    "calls",
    "store",
    "native",
)
CLI_OPERATIONS = ("up-create", "preview", "preview-edit", "up-edit", "up-noop")
TRANSPORT_CALLS = {
    "GetCustomer": {"GetCustomer": 1},
    "GetAccount": {"GetAccount": 1},
    "UpdateAccount": {"GetAccount": 1, "UpdateAccount": 1},
    "SearchAccounts": {"SearchAccounts": 1},
    "GetCustomersInfo": {"GetCustomersInfo": 1},
    "SignupCustomer": {"SignupCustomer": 1},
}
"""What each operation of the transports section calls, over REST and over SOAP alike."""
CREATED = {example.name: example.created_calls for example in EXAMPLES}
"""What each example's first `pulumi up` calls (see ``Example.created_calls``)."""

pytestmark = [pytest.mark.slow, pytest.mark.cli]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--quiet", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "## Targets" in (out / "results.md").read_text()
    data: dict[str, Any] = json.loads((out / "results.json").read_text())
    return data


def test_quick_run_writes_every_section(results: dict[str, Any]) -> None:
    assert set(SECTIONS) <= set(results)
    assert results["meta"]["mode"] == "quick"
    assert results["meta"]["machine"]["nproc"] >= 1
    assert results["targets"], "the figures with targets are listed"


def test_round_trips_meet_their_targets(results: dict[str, Any]) -> None:
    rows = {row["step"]: row for row in results["roundtrips"]["rows"]}
    assert rows["Customer create"]["calls"] == {"GetCustomersInfo": 1, "SignupCustomer": 1}
    assert rows["Customer no-op preview"]["total"] == 0
    assert rows["Customer update, one customer field"]["calls"] == {"GetCustomer": 1, "UpdateCustomer": 1}
    assert rows["Customer update, one account field"]["calls"] == {"GetAccount": 1, "UpdateAccount": 1}
    assert rows["Customer refresh (no drift)"]["calls"] == {"GetAccount": 1, "GetCustomer": 1}
    missed = {step: row["calls"] for step, row in rows.items() if row["target"] is not None and not row["ok"]}
    assert missed == {}


def test_every_measured_section_has_its_rows(results: dict[str, Any]) -> None:
    assert {(r["operation"], r["latency_ms"]) for r in results["overhead"]["rows"]} == {
        (op, latency) for op in ("create", "update", "read") for latency in (0.0, 50.0)
    }
    assert results["peer"]["pulumi_msads_ms"] > 0 and results["peer"]["bingads_ms"] > 0
    scale = results["scale"]
    assert {(r["phase"], r["resources"]) for r in scale["rows"]} == {
        (phase, size) for phase in ("create", "refresh", "no-op preview") for size in (20, 50)
    }
    calls = {(r["phase"], r["resources"]): r["calls_per_resource"] for r in scale["rows"]}
    assert calls[("create", 50)] == 2 and calls[("refresh", 50)] == 2 and calls[("no-op preview", 50)] == 0
    assert all("error" not in r for r in results["program"]["rows"]), results["program"]["rows"]
    assert results["program"]["growth"]["default"] is not None
    cold = results["coldstart"]
    assert cold["median_ms"]["first_check_s"] > 0
    samples = [s["operations"] for s in cold["memory"]["samples"]]
    assert samples[0] == 0 and samples == sorted(samples)
    assert {(r["operation"], r["clients"]) for r in results["emulator"]["rows"]} == {
        (op, clients) for op in ("GetCustomer", "UpdateCustomer") for clients in (1, 8)
    }


def test_the_cli_and_the_harness_make_the_fewest_calls_for_every_operation(results: dict[str, Any]) -> None:
    cli = results["cli"]
    assert any(v.startswith("cli") for v in cli["variants"]) and "harness" in cli["variants"]
    rows = {(r["example"], r["operation"]): r for r in cli["rows"]}
    assert set(rows) == {(example, op) for example in cli["resources"] for op in CLI_OPERATIONS}
    assert set(cli["resources"]) <= set(CREATED) and cli["resources"], "quick mode runs one example or more"
    for (example, op), row in rows.items():
        expected = {
            "up-create": CREATED[example],
            "up-edit": {"GetAccount": 1, "UpdateAccount": 1},  # the renamed account: read, then write
        }.get(op, {})
        assert set(row["calls_by_variant"]) == set(cli["variants"]), (example, op)
        for variant, calls in row["calls_by_variant"].items():
            assert calls == [expected] * cli["iterations"], (example, op, variant)
        assert row["steps_ok"], (example, op, row["steps_by_variant"])
    assert cli["ok"]
    assert cli["profile"]["operations"] == [], "quick mode profiles nothing (tests/bench/test_cli_profile.py does)"


def test_rest_and_soap_make_the_same_calls_for_every_operation(results: dict[str, Any]) -> None:
    section = results["transports"]
    latencies = {r["latency_ms"] for r in section["rows"]}
    assert latencies == {0.0, 50.0}
    rows = {(r["operation"], r["transport"], r["latency_ms"]): r for r in section["rows"]}
    assert set(rows) == {
        (op, transport, latency) for op in TRANSPORT_CALLS for transport in ("rest", "soap") for latency in latencies
    }
    for (op, transport, latency), row in rows.items():
        assert row["calls"] == TRANSPORT_CALLS[op], (op, transport, latency)
        wire = row["bytes_per_call"]
        assert wire["request_body"] > 0 and wire["response_body"] > 0, (op, transport, latency, wire)
        assert row["median_ms"] > 0
    assert all(r["same_calls"] for r in section["ratios"])


def test_the_exported_agency_is_adopted_without_a_write(results: dict[str, Any]) -> None:
    section = results["export"]
    customers, accounts = section["customers"], section["accounts"]
    assert (customers, accounts) == (10, 30)
    exported = section["export"]
    assert (exported["customers"], exported["accounts"], exported["complete"]) == (customers, accounts, True)
    # GetUser (the aggregator), one listing, then each customer, its account search and each account.
    assert exported["calls"] == {
        "GetUser": 1,
        "GetCustomersInfo": 1,
        "GetCustomer": customers,
        "SearchAccounts": customers,
        "GetAccount": accounts,
    }
    adoption = section["adoption"]
    assert adoption["resources"] == accounts  # a Customer per customer (its primary account), an Account per other
    assert adoption["writes"] == dict.fromkeys(
        ("SignupCustomer", "AddAccount", "UpdateCustomer", "UpdateAccount", "DeleteAccount"), 0
    )
    assert adoption["zero_writes"] and adoption["same_ids"] and section["ok"]


def test_the_agency_up_makes_the_fewest_calls_and_its_refresh_reads_in_bulk(results: dict[str, Any]) -> None:
    section = results["agency"]
    rows = {r["phase"]: r for r in section["rows"]}
    one_by_one = 2 * section["customers"] + (section["accounts"] - section["customers"])
    assert rows["up: customers"]["calls_per_resource"] == 2  # the create guard's GetCustomersInfo, SignupCustomer
    assert rows["up: accounts"]["calls_per_resource"] == 2  # the guard's SearchAccounts, AddAccount
    assert rows["no-op up"]["calls"] == 0
    assert rows["refresh (one by one)"]["calls"] == one_by_one
    assert rows["refresh (bulk reads)"]["calls"] < one_by_one / 2


def test_the_call_cost_section_times_each_transport_against_a_bare_post_of_its_bytes(results: dict[str, Any]) -> None:
    section = results["calls"]
    assert set(section["variants"]) == set(call_cost.VARIANTS)
    assert all(v["cpu_us_per_call"] > 0 and v["wall_us_per_call"] > 0 for v in section["variants"].values())
    assert set(section["ratios"]) == {client for client, _ in call_cost.PAIRS}
    assert section["request_bytes"]["REST"] > 0 and section["request_bytes"]["SOAP"] > section["request_bytes"]["REST"]


def test_the_store_section_times_every_operation_at_every_size(results: dict[str, Any]) -> None:
    section = results["store"]
    assert section["sizes"] == [100, 300]
    assert [row["operation"] for row in section["rows"]] == list(store_scale.OPERATIONS)
    for row in section["rows"]:
        assert set(row["ms"]) == {"100", "300"} and all(ms > 0 for ms in row["ms"].values()), row
    assert set(section["seed_s"]) == {"100", "300"}
    flat = [t for t in results["targets"] if t["name"].startswith("Emulator store:")]
    assert len(flat) == len(store_scale.OPERATIONS) - 1, "every operation but GetUser has a flat target"


def test_the_native_section_makes_the_same_calls_on_both_providers(results: dict[str, Any]) -> None:
    [up] = results["native"]["rows"]
    customers = results["native"]["customers"]
    expected = {"GetUser": 1, "GetCustomersInfo": customers, "SignupCustomer": customers}
    assert up["dynamic"]["calls"] == expected and up["same_calls"]
    assert up["dynamic"]["max_in_flight"] <= ENGINE_CONCURRENCY, "the dynamic provider server's four"
