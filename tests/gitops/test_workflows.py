"""The example GitHub Actions workflows: valid YAML that runs the commands the GitOps guide promises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / "examples" / "workflows"


def load(name: str) -> dict[str, Any]:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(workflow, dict)
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the bare key `on` as true
    return workflow


def runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def uses(job: dict[str, Any]) -> list[str]:
    return [step["uses"] for step in job["steps"] if "uses" in step]


@pytest.mark.parametrize("name", ["pulumi.yml", "drift.yml"])
def test_workflow_is_well_formed(name: str) -> None:
    workflow = load(name)
    assert workflow["jobs"] and workflow["on"]
    workdir = workflow["defaults"]["run"]["working-directory"]
    assert (REPO / workdir / "Pulumi.yaml").is_file(), "the jobs run in the GitOps project"
    for job in workflow["jobs"].values():
        assert any(u.startswith("pulumi/actions@") for u in uses(job)), "installs the Pulumi CLI"
        assert "../../scripts/setup" in runs(job) and (REPO / workdir / "../../scripts/setup").is_file()
        order = [step.get("uses", "") or step.get("run", "") for step in job["steps"]]
        cli = next(i for i, s in enumerate(order) if s.startswith("pulumi/actions@"))
        setup = next(i for i, s in enumerate(order) if "scripts/setup" in s)
        assert cli < setup, "the CLI is installed first; setup would otherwise build one from source"


CREDENTIALS = (
    "MSADS_DEVELOPER_TOKEN",
    "MSADS_CLIENT_ID",
    "MSADS_CLIENT_SECRET",
    "MSADS_REFRESH_TOKEN",
    "PULUMI_ACCESS_TOKEN",
)
WRITES = {"up", "recover"}
"""The jobs that may change Microsoft Advertising or the stack."""


@pytest.mark.parametrize("name", ["pulumi.yml", "drift.yml"])
def test_credentials_come_from_each_jobs_environment_only(name: str) -> None:
    workflow = load(name)
    assert not set(CREDENTIALS) & set(workflow["env"]), "no credential shared by every job"
    assert workflow["env"]["MSADS_ENVIRONMENT"] == "production"
    for job in workflow["jobs"].values():
        assert job["environment"], "every job names the GitHub environment its secrets come from"
        for key in CREDENTIALS:
            assert job["env"][key] == f"${{{{ secrets.{key} }}}}"


@pytest.mark.parametrize("name", ["pulumi.yml", "drift.yml"])
def test_only_the_jobs_that_write_get_the_protected_environment(name: str) -> None:
    """Least privilege: previews and drift checks run with a Viewer's credentials, never production's."""
    for job_name, job in load(name)["jobs"].items():
        assert job["environment"] == ("production" if job_name in WRITES else "msads-preview"), job_name


def test_pull_requests_get_a_preview_with_the_diff() -> None:
    workflow = load("pulumi.yml")
    assert workflow["on"]["pull_request"]["branches"] == ["main"]
    job = workflow["jobs"]["preview"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert "pulumi preview --diff" in runs(job)
    assert "pulumi up" not in runs(job)
    assert "python -m pulumi_msads.gitops check accounts.yaml" in runs(job), "bad entries fail before any call"


def test_merges_to_main_are_applied() -> None:
    workflow = load("pulumi.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    job = workflow["jobs"]["up"]
    assert "github.ref == 'refs/heads/main'" in job["if"] and "push" in job["if"]
    assert "pulumi up --yes --refresh" in runs(job), "a merge also reverts what drifted"


def test_the_drift_job_runs_on_a_schedule_and_fails_on_any_change() -> None:
    workflow = load("drift.yml")
    assert workflow["on"]["schedule"][0]["cron"]
    assert "workflow_dispatch" in workflow["on"]
    assert "pulumi preview --refresh --expect-no-changes" in runs(workflow["jobs"]["drift"])
    assert "pulumi up" not in runs(workflow["jobs"]["drift"])


def test_preview_update_and_drift_never_overlap() -> None:
    groups = {load(name)["concurrency"]["group"] for name in ("pulumi.yml", "drift.yml")}
    assert len(groups) == 1


def test_only_the_hand_run_recover_job_cancels_and_it_shares_the_update_lock() -> None:
    """`pulumi cancel` is safe only when no update can still be running: never in `up`, only in a job a
    person starts, in the concurrency group every update of this workflow holds."""
    workflow = load("pulumi.yml")
    assert "workflow_dispatch" in workflow["on"] and workflow["concurrency"]["cancel-in-progress"] is False
    cancelling = [name for name, job in workflow["jobs"].items() if "pulumi cancel" in runs(job)]
    assert cancelling == ["recover"]
    recover = workflow["jobs"]["recover"]
    assert recover["if"] == "github.event_name == 'workflow_dispatch'"
    commands = runs(recover)
    assert commands.index("pulumi cancel") < commands.index("msads pending --stack")
    assert "pulumi up" not in commands, "it adopts nothing by itself: the lines go through a pull request"
