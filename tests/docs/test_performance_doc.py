"""docs/performance.md is generated from one benchmark run, so that no figure on it is typed by hand.

``python -m bench --docs`` writes docs/performance.json (every figure of the run) and docs/performance.md (the
page, ``bench.report.document`` of that JSON). These tests fail when the page was edited by hand, when the report's
code changed without the page being regenerated, or when the run was partial, a smoke run, or of code that was
never committed (its figures could not be reproduced from any commit).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import report

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def run() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DOCS / "performance.json").read_text())
    return data


def test_the_page_is_the_report_of_its_json(run: dict[str, Any]) -> None:
    assert (DOCS / "performance.md").read_text() == report.document(run), (
        "docs/performance.md differs from bench.report.document(docs/performance.json): "
        "regenerate both with `.venv/bin/python -m bench --docs` on a quiet machine"
    )


def test_the_run_is_a_full_one_of_every_section(run: dict[str, Any]) -> None:
    assert run["meta"]["mode"] == "full"
    assert [section for section in report.SECTIONS if section not in run] == []


def test_the_run_measured_committed_code(run: dict[str, Any]) -> None:
    assert "uncommitted" not in run["meta"]["commit"], run["meta"]["commit"]


def test_every_target_of_the_run_is_on_the_page(run: dict[str, Any]) -> None:
    page = (DOCS / "performance.md").read_text()
    assert run["targets"] and all(target["name"] in page for target in run["targets"])
