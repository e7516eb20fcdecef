"""The quickstart on the native provider, in Python on the generated SDK (examples/native) and in TypeScript
on the generated SDK compiled into an npm package (examples/typescript, under the Node.js host
scripts/pulumi-cli builds, ``node_modules`` from scripts/setup's ``npm ci``), under the real CLI: the same
signup and AddAccount as the dynamic provider's quickstart, a preview proposing nothing, and a destroy that
deactivates both accounts as ``deletionPolicy`` says.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .native_projects import NativeStack, native_stack
from .support import REPO, writes

pytestmark = [pytest.mark.cli, pytest.mark.slow]


@dataclass(frozen=True)
class Quickstart:
    folder: Path
    files: tuple[str, ...]
    links: tuple[str, ...]
    outputs: tuple[str, str, str]
    """The names the program exports the customer id, the primary account id and the other account id under."""
    installed: str | None = None
    """A path scripts/setup installs in the example's folder, which the program needs."""


QUICKSTARTS = {
    "python-sdk": Quickstart(
        REPO / "examples" / "native", ("__main__.py",), (), ("customer_id", "primary_account_id", "brand_account_id")
    ),
    "typescript": Quickstart(
        REPO / "examples" / "typescript",
        ("index.ts", "package.json", "tsconfig.json"),
        ("node_modules",),
        ("customerId", "primaryAccountId", "brandAccountId"),
        installed="node_modules/@pulumi-msads/msads",
    ),
}


@pytest.fixture(params=QUICKSTARTS.values(), ids=QUICKSTARTS.keys())
def quickstart(
    request: pytest.FixtureRequest, tmp_path: Path, pulumi_cli: Path
) -> Iterator[tuple[NativeStack, Quickstart]]:
    example: Quickstart = request.param
    if example.installed and not (example.folder / example.installed).is_dir():
        pytest.fail(f"no {example.folder / example.installed}: scripts/setup installs it (npm ci)")
    project = (example.folder / "Pulumi.yaml").read_text()
    files = [example.folder / name for name in example.files]
    links = [example.folder / name for name in example.links]
    with native_stack(tmp_path, pulumi_cli, project, files=files, links=links) as made:
        yield made, example


def test_the_quickstart_goes_up_previews_nothing_and_destroys_by_its_policy(
    quickstart: tuple[NativeStack, Quickstart],
) -> None:
    made, example = quickstart
    stack, control = made.stack, made.emulator.control
    stack.up()
    outputs = stack.outputs()
    customer_id, primary_id, brand_id = (str(outputs[name]) for name in example.outputs)
    assert customer_id.isdigit() and primary_id.isdigit() and brand_id.isdigit(), outputs
    assert writes(control.calls()) == {"SignupCustomer": 1, "AddAccount": 1}
    stack.preview("--expect-no-changes")

    control.reset_calls()
    stack.destroy("--yes")
    assert writes(control.calls()) == {"DeleteAccount": 2}  # deletion_policy deactivate: both accounts, once each
    statuses = {str(a["Id"]): a["AccountLifeCycleStatus"] for a in control.data()["accounts"]}
    assert statuses[brand_id] == statuses[primary_id] == "Inactive"
    made.assert_no_credentials()
