"""The TypeScript program (examples/typescript) runs on the generated SDK compiled into an npm package.

scripts/setup builds provider/sdk/nodejs with tsc into build/msads-nodejs (scripts/build-nodejs-sdk) and npm
copies that package into the example's node_modules. Here Node loads it from there, as the program does: its
classes register the schema's type tokens, its enums hold exactly the schema's values (so a package built
from an older schema fails), and it asks the engine for the plugin's own version.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pulumi_msads import package_schema

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "typescript"
INSTALLED = EXAMPLE / "node_modules" / "@pulumi-msads" / "msads"

LOAD = """
const msads = require("@pulumi-msads/msads");
const enums = {};
for (const [name, value] of Object.entries(msads)) {
    if (value && typeof value === "object" && !Array.isArray(value) && name[0] === name[0].toUpperCase()) {
        enums[name] = Object.values(value);
    }
}
console.log(JSON.stringify({
    tokens: [msads.Customer.__pulumiType, msads.Account.__pulumiType, msads.Provider.__pulumiType],
    enums,
}));
"""


@pytest.fixture(scope="module")
def sdk() -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "no node on PATH: the TypeScript example needs Node.js 20+ (see README, Setup)"
    assert INSTALLED.is_dir(), f"no {INSTALLED}: scripts/setup builds the SDK and installs it (npm ci)"
    result = subprocess.run([node, "-e", LOAD], cwd=EXAMPLE, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


def schema_enums() -> dict[str, list[str]]:
    types = json.loads((REPO / "provider" / "pulumi_msads" / "schema.json").read_text())["types"]
    return {
        token.rsplit(":", 1)[1]: [entry["value"] for entry in spec["enum"]]
        for token, spec in types.items()
        if "enum" in spec
    }


def test_the_package_registers_the_schema_type_tokens(sdk: dict[str, Any]) -> None:
    assert sdk["tokens"] == ["msads:index:Customer", "msads:index:Account", "msads"]


def test_the_package_enums_are_the_schema_enums(sdk: dict[str, Any]) -> None:
    assert sdk["enums"] == schema_enums()


def test_the_package_is_compiled_javascript_with_declarations() -> None:
    for name in ("index.js", "index.d.ts", "customer.js", "customer.d.ts", "types/input.d.ts"):
        assert (INSTALLED / name).is_file(), name
    sources = [path.name for path in INSTALLED.rglob("*.ts") if not path.name.endswith(".d.ts")]
    assert sources == [], "the package should hold tsc's output, not TypeScript sources"


def test_the_package_asks_for_the_plugins_own_version() -> None:
    plugin_version = importlib.metadata.version(package_schema.DISTRIBUTION)
    assert json.loads((INSTALLED / "package.json").read_text())["version"] == plugin_version


def test_the_example_imports_the_sdk_package() -> None:
    program = (EXAMPLE / "index.ts").read_text()
    assert 'from "@pulumi-msads/msads"' in program
    assert "extends pulumi.CustomResource" not in program
