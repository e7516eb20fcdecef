"""examples/typescript, the quickstart in TypeScript on the native provider, under the real CLI and the Node.js
language host (``pulumi-language-nodejs``, built by scripts/pulumi-cli; ``node_modules`` from scripts/setup's
``npm ci``): the same steps and calls as the Python quickstart.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_msads.emulator.process import EmulatorControl

from .conftest import ACCESS_TOKEN, DEVELOPER_TOKEN
from .native_projects import native_stack
from .support import REPO, Stack, writes

pytestmark = [pytest.mark.cli, pytest.mark.slow]

EXAMPLE = REPO / "examples" / "typescript"


@pytest.fixture
def typescript(tmp_path: Path, pulumi_cli: Path) -> Iterator[tuple[Stack, EmulatorControl]]:
    if not (EXAMPLE / "node_modules" / "@pulumi" / "pulumi").is_dir():
        pytest.fail(f"no {EXAMPLE / 'node_modules'}: scripts/setup installs it (npm ci)")
    files = [EXAMPLE / name for name in ("index.ts", "package.json", "tsconfig.json")]
    project = (EXAMPLE / "Pulumi.yaml").read_text()
    with native_stack(tmp_path, pulumi_cli, project, files=files, links=[EXAMPLE / "node_modules"]) as made:
        yield made.stack, made.emulator.control


def test_the_typescript_quickstart_goes_up_previews_nothing_and_destroys_by_its_policy(
    typescript: tuple[Stack, EmulatorControl],
) -> None:
    stack, control = typescript
    stack.up()
    outputs = stack.outputs()
    assert all(str(outputs[key]).isdigit() for key in ("customerId", "primaryAccountId", "brandAccountId")), outputs
    assert writes(control.calls()) == {"SignupCustomer": 1, "AddAccount": 1}
    stack.preview("--expect-no-changes")

    control.reset_calls()
    stack.destroy("--yes")
    assert writes(control.calls()) == {"DeleteAccount": 2}
    statuses = {str(a["Id"]): a["AccountLifeCycleStatus"] for a in control.data()["accounts"]}
    assert statuses[str(outputs["brandAccountId"])] == statuses[str(outputs["primaryAccountId"])] == "Inactive"
    text = "\n".join(run.output for run in stack.transcript)
    assert ACCESS_TOKEN not in text and DEVELOPER_TOKEN not in text
