"""The committed SDKs (provider/sdk) are what Pulumi's own code generators make of the committed schema.

scripts/gen-sdk builds provider/codegen (pkg/v3/codegen/python and codegen/nodejs behind a small Go program) and
writes both SDKs; here it writes them into a temporary directory, and every file must equal the committed one.
A schema change without `scripts/gen-sdk` fails here, naming the files that differ.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def committed() -> dict[str, bytes]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "provider/sdk"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    return {name.decode().removeprefix("provider/sdk/"): (REPO / name.decode()).read_bytes() for name in listed if name}


def generated(into: Path) -> dict[str, bytes]:
    result = subprocess.run(
        [str(REPO / "scripts" / "gen-sdk"), str(into)], capture_output=True, text=True, timeout=900, check=False
    )
    assert result.returncode == 0, result.stderr
    return {path.relative_to(into).as_posix(): path.read_bytes() for path in into.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return generated(tmp_path_factory.mktemp("sdk"))


def test_the_committed_sdks_are_the_generated_ones(fresh: dict[str, bytes]) -> None:
    ours = committed()
    stale = sorted(name for name in fresh.keys() | ours.keys() if fresh.get(name) != ours.get(name))
    assert stale == [], f"provider/sdk is stale in {stale}: run scripts/gen-sdk and commit the result"


@pytest.mark.parametrize(
    ("language", "files"),
    [
        ("python", ["pulumi_msads_sdk/customer.py", "pulumi_msads_sdk/account.py", "pulumi_msads_sdk/provider.py"]),
        ("nodejs", ["customer.ts", "account.ts", "provider.ts", "package.json"]),
    ],
)
def test_each_language_gets_both_resources_and_the_provider(
    fresh: dict[str, bytes], language: str, files: list[str]
) -> None:
    assert [f"{language}/{name}" for name in files if f"{language}/{name}" not in fresh] == []


def test_the_python_sdk_registers_the_schema_tokens(fresh: dict[str, bytes]) -> None:
    assert b"'msads:index:Customer'" in fresh["python/pulumi_msads_sdk/customer.py"]
    assert b"'msads:index:Account'" in fresh["python/pulumi_msads_sdk/account.py"]


def test_the_python_sdk_asks_the_engine_for_the_plugins_own_version(fresh: dict[str, bytes]) -> None:
    """Not the generator's placeholder 0.0.0: the engine warns on every refresh that such a package is older."""
    plugin = json.loads(fresh["python/pulumi_msads_sdk/pulumi-plugin.json"])
    assert plugin == {"resource": True, "name": "msads", "version": importlib.metadata.version("pulumi-msads")}
