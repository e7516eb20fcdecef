"""The quickstart through the real Pulumi engine, via the Automation API, where the CLI is installed.

Our build machines cannot install the CLI (it ships only from Pulumi's download site), so there
these tests skip and say why; on a developer's machine they run up, refresh (no drift), a change
made out of band (drift found), and destroy, against a private emulator and a local backend.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import zeep

from pulumi_msads.emulator.process import EmulatorProcess

from ..conftest import HEADERS

REPO = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.cli,
    pytest.mark.skipif(
        shutil.which("pulumi") is None,
        reason="pulumi CLI not on PATH: it ships only from Pulumi's download site",
    ),
]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[object]:
    from pulumi import automation as auto

    with EmulatorProcess(tmp_path / "emulator.sqlite3") as emulator:
        backend = tmp_path / "state"
        backend.mkdir()
        workspace = auto.LocalWorkspaceOptions(
            work_dir=str(REPO),
            env_vars={"PULUMI_BACKEND_URL": backend.as_uri(), "PULUMI_CONFIG_PASSPHRASE": ""},
        )
        stack = auto.create_or_select_stack(stack_name="cli-test", work_dir=str(REPO), opts=workspace)
        stack.set_all_config(
            {"msads:environment": auto.ConfigValue("local"), "msads:endpoint": auto.ConfigValue(emulator.url)}
        )
        stack.emulator_url = emulator.url  # type: ignore[attr-defined]
        try:
            yield stack
        finally:
            stack.destroy(on_output=print)
            stack.workspace.remove_stack("cli-test")


def test_up_refresh_drift_and_destroy(stack: object) -> None:
    from pulumi import automation as auto

    assert isinstance(stack, auto.Stack)
    up = stack.up(on_output=print)
    customer_id = up.outputs["customer_id"].value
    assert up.summary.resource_changes == {"create": 3}  # the stack, the customer, the account
    assert stack.preview(refresh=True, expect_no_changes=True).change_summary.get("update", 0) == 0

    client = zeep.Client(stack.emulator_url + "?wsdl")  # type: ignore[attr-defined]
    live = client.service.GetCustomer(CustomerId=int(customer_id), _soapheaders=HEADERS).body.Customer
    live.Name = "Renamed in the web UI"
    client.service.UpdateCustomer(Customer=live, _soapheaders=HEADERS)
    with pytest.raises(auto.CommandError):
        stack.preview(refresh=True, expect_no_changes=True)
    stack.up(on_output=print)
    assert client.service.GetCustomer(CustomerId=int(customer_id), _soapheaders=HEADERS).body.Customer.Name == (
        "Contoso Outdoor"
    )
