"""Refresh in bulk under the official CLI: an adopted agency's drift check reads a few pages, not every resource.

The CLI starts one provider process for the command, runs its reads four at a time, and each read's answer
goes into the refresh diff: the counts come from the emulator's control plane, the drift from the CLI's output.
"""

from __future__ import annotations

import re
from pathlib import Path

from bench.export import fixture as agency

from pulumi_msads import export
from pulumi_msads.bulk_reads import PROBE_AFTER
from pulumi_msads.client import ServiceClient
from pulumi_msads.config import ProviderConfig
from pulumi_msads.emulator.process import EmulatorProcess

from .conftest import EMULATOR_ARGS, STACK_SECRETS, stack_config, web_ui
from .examples import GITOPS
from .support import Stack, changes, writes

CUSTOMERS, ACCOUNTS = 16, 40
ONE_BY_ONE = 2 * CUSTOMERS + (ACCOUNTS - CUSTOMERS)
"""What the refresh would cost read by read: GetCustomer + GetAccount a customer, GetAccount an account."""


def test_a_drift_check_of_an_adopted_agency_reads_in_bulk_and_names_the_drifted_field(
    pulumi_cli: Path, tmp_path: Path
) -> None:
    with EmulatorProcess(tmp_path / "emulator.sqlite3", args=EMULATOR_ARGS) as emulator:
        seeded = emulator.control.seed(agency(CUSTOMERS, ACCOUNTS))["customers"]
        config = stack_config(emulator)
        client = ServiceClient(ProviderConfig.from_sources({**config, **STACK_SECRETS}, {}))
        project = GITOPS.copy(tmp_path)
        (project.folder / "accounts.yaml").write_text(export.export(client).text)
        stack = Stack(pulumi_cli, project.folder, "test", tmp_path / "home")
        stack.init(config, STACK_SECRETS)
        emulator.control.reset_calls()
        stack.up()
        assert writes(emulator.control.calls()) == {}, "adopted with no write"
        soap = web_ui(emulator.url)
        renamed = seeded[-1]["accounts"][-1]
        live = soap.GetAccount(AccountId=int(renamed["Id"])).Account
        live.Name = "Renamed in the web UI"
        soap.UpdateAccount(Account=live)
        emulator.control.reset_calls()

        drift = stack.preview("--refresh", "--expect-no-changes", expect=None)
        calls = emulator.control.calls()

    assert drift.returncode != 0
    drifted = [name for name, r in stack.resources().items() if r["id"] == str(renamed["Id"])]
    assert len(drifted) == 1
    assert changes(drift.stdout, drifted[0], "update") == ["~name"], "the drifted field, and nothing else"
    assert re.search(r'~ name +: "Renamed in the web UI" => ', drift.stdout)
    assert {k: calls.get(k, 0) for k in ("SearchAccounts", "SearchCustomers")} == {
        "SearchAccounts": 1,
        "SearchCustomers": 1,
    }
    assert calls.get("GetUser", 0) <= 2
    assert calls.get("GetCustomer", 0) + calls.get("GetAccount", 0) <= PROBE_AFTER + 2 * 4
    assert sum(calls.values()) < ONE_BY_ONE / 2
