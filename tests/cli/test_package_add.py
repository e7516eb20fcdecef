"""The plugin as `pulumi package` finds local providers: the executable's path, ``provider/bin/pulumi-resource-msads``.

The CLI takes a local path to an executable named ``pulumi-resource-<name>`` as a provider, runs it and asks for
its schema. Here it does so with the real CLI: ``package get-schema`` returns exactly the committed schema, and
``package add`` in a Pulumi YAML project gets as far as the language hosts this repository can build allow: it
reads the schema and writes the YAML host's package declaration, then stops at the host's missing ``Link``
(pulumi-yaml v1.25.0; the Python and Node.js hosts of sdk/v3 v3.68.0 lack ``GeneratePackage`` before that).
With a current Pulumi install the same command completes and records the package in Pulumi.yaml.
"""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest
import yaml

from pulumi_msads import package_schema

from .support import REPO, Stack

pytestmark = [pytest.mark.cli]

PLUGIN = REPO / "provider" / "bin" / "pulumi-resource-msads"
SCHEMA = REPO / "provider" / "pulumi_msads" / "schema.json"


@pytest.fixture
def yaml_project(tmp_path: Path, pulumi_cli: Path) -> Stack:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: adds-msads\nruntime: yaml\n")
    return Stack(pulumi_cli, project, "unused", tmp_path / "home")


def test_get_schema_of_the_plugin_path_is_the_committed_schema(yaml_project: Stack) -> None:
    run = yaml_project.run("package", "get-schema", str(PLUGIN), stack=False)
    assert json.loads(run.stdout) == json.loads(SCHEMA.read_text())


def test_package_add_of_the_plugin_path_declares_the_msads_package(yaml_project: Stack) -> None:
    run = yaml_project.run("package", "add", str(PLUGIN), stack=False, expect=None)
    declarations = list((yaml_project.project / "sdks" / "msads").glob("*.yaml"))
    assert len(declarations) == 1, run
    declared = yaml.safe_load(declarations[0].read_text())
    version = importlib.metadata.version(package_schema.DISTRIBUTION)
    assert declared == {"packageDeclarationVersion": 1, "name": "msads", "version": version}
    if run.returncode == 0:  # a YAML host with Link (a full Pulumi install): the project records the package
        project = yaml.safe_load((yaml_project.project / "Pulumi.yaml").read_text())
        assert "msads" in project["packages"], project
    else:  # the host scripts/pulumi-cli builds stops there, and says why
        assert "method Link not implemented" in run.output, run
