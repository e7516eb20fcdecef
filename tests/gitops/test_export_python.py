"""``msads export --format python``: the estate as a Pulumi program that declares what the GitOps program does.

The agency of test_export.py is seeded into the session's emulator and exported twice, as accounts.yaml
and as a ``__main__.py``. Both programs run under Pulumi mocks as test_program.py runs the example: the
GitOps example on the exported YAML, and the exported program on its own. They must declare exactly the
same resources (type, name, inputs) and the same ``customers`` output.
"""

from __future__ import annotations

import ast
import datetime as dt
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pulumi_msads import export, gitops
from pulumi_msads.client import ServiceClient
from pulumi_msads.commands import main

from ..harness import RecordingMocks, run_program
from .test_export import WHEN, _export, client, msads_env, seeded  # noqa: F401 - its estate, fixtures and settings
from .test_program import ACCOUNT_TYPE, CUSTOMER_TYPE, folder, inputs, resource_id, signature, with_ids  # noqa: F401

RUFF = Path(sys.executable).parent / "ruff"


def _run(path: Path) -> tuple[RecordingMocks, Any]:
    """The program at ``path`` under mocks, as test_program.run_example runs it, and its ``customers`` resolved."""
    mocks = RecordingMocks(with_ids, resource_id)
    customers = run_program(lambda: runpy.run_path(str(path))["customers"], mocks)
    return mocks, customers


def _program(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "program" / "__main__.py"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


def test_the_program_declares_what_the_gitops_program_declares_from_the_yaml(
    seeded: dict[str, Any],  # noqa: F811
    client: ServiceClient,  # noqa: F811
    folder: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    as_yaml = _export(client)
    as_python = _export(client, output_format="python")
    assert as_python.data == as_yaml.data and as_python.state == gitops.loads(as_yaml.text)
    (folder / "accounts.yaml").write_text(as_yaml.text, encoding="utf-8")
    gitops_mocks, gitops_customers = _run(folder / "__main__.py")
    program_mocks, program_customers = _run(_program(tmp_path, as_python.text))

    assert signature(program_mocks) == signature(gitops_mocks)
    assert len(program_mocks.resources) == len(gitops_mocks.resources) == 22  # nothing declared twice
    assert len(program_mocks.of_type(CUSTOMER_TYPE)) == 12 and len(program_mocks.of_type(ACCOUNT_TYPE)) == 10
    assert program_customers == gitops_customers  # the same `customers` output, ids and numbers alike
    assert sorted(program_customers["contoso-outdoor"]["accounts"]) == ["brand", "canada"]

    # Every resource adopts its live object; each account is wired to its own customer's id.
    resources = {r.name: r for r in program_mocks.resources}
    contoso = seeded["Contoso Outdoor"]
    assert inputs(resources["contoso-outdoor"])["adopt_id"] == contoso["Id"]
    brand = inputs(resources["contoso-outdoor/brand"])
    assert brand["adopt_id"] == contoso["accounts"]["Contoso Outdoor - Brand"]
    assert brand["customer_id"] == program_customers["contoso-outdoor"]["customer_id"]
    assert all("adopt_id" in inputs(r) for r in program_mocks.resources)
    viagens = inputs(resources["viagens-do-brasil"])
    assert viagens["account"]["tax_information"] == {"CPF": "12345678909"}


def test_the_program_is_deterministic_and_says_what_it_is(
    seeded: dict[str, Any],  # noqa: F811
    client: ServiceClient,  # noqa: F811
) -> None:
    first = _export(client, output_format="python").text
    assert _export(client, output_format="python").text == first
    later = export.export(client, exported_at=WHEN + dt.timedelta(days=3), output_format="python").text
    changed = [(a, b) for a, b in zip(first.splitlines(), later.splitlines(), strict=True) if a != b]
    assert changed == [(a, a.replace("2026-01-02T03:04:05Z", "2026-01-05T03:04:05Z")) for a, _ in changed]
    assert len(changed) == 1  # only the "exported at" line
    docstring = ast.get_docstring(ast.parse(first)) or ""
    assert "Exported by `msads export` at 2026-01-02T03:04:05Z" in docstring
    assert "12 client customers and 22 accounts; 1 left out" in docstring
    assert "so applying\nthis program changes nothing" in docstring
    assert "from pulumi_msads import Account, Customer\n" in first
    assert 'Account(\n        f"{key}/brand",\n' in first
    assert '"customer_id": customer.customer_id,' in first


def test_the_program_compiles_and_is_as_ruff_formats_it(
    seeded: dict[str, Any],  # noqa: F811
    client: ServiceClient,  # noqa: F811
) -> None:
    text = _export(client, output_format="python").text
    compile(text, "__main__.py", "exec")
    if not RUFF.exists():
        pytest.skip("no ruff beside the interpreter")
    for config in (["--isolated"], ["--isolated", "--line-length", "120"]):  # ruff's defaults, and this project's
        formatted = subprocess.run(
            [str(RUFF), "format", *config, "--stdin-filename", "__main__.py", "-"],
            input=text,
            capture_output=True,
            text=True,
            check=True,
        )
        assert formatted.stdout == text, config
    checked = subprocess.run(
        [str(RUFF), "check", "--isolated", "--stdin-filename", "__main__.py", "-"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        'say "hi"',
        "it's",
        'both \' and "" here',
        "back\\slash and {braces}",
        "line\nbreak\ttab\r\x00\u2028",
        "Café Müller 東京 😀",
        "",
        True,
        None,
        12,
        1.5,
        {"k": "v", "nested": {"deep": ["a", 'b"', {}]}, "empty": {}},
        [],
    ],
)
def test_literals_read_back_as_the_value(value: Any) -> None:
    literal = export._literal(value)
    assert ast.literal_eval(literal) == value
    if RUFF.exists():
        source = f"x = {literal}\n"
        formatted = subprocess.run(
            [str(RUFF), "format", "--isolated", "-"], input=source, capture_output=True, text=True, check=True
        )
        assert formatted.stdout == source


def test_a_header_with_quotes_and_backslashes_still_compiles(
    seeded: dict[str, Any],  # noqa: F811
    client: ServiceClient,  # noqa: F811
) -> None:
    state = _export(client, customer_ids=[seeded["Litware"]["Id"]]).state
    assert state is not None
    about = ('--name-prefix \'a"""b\\\' picked', 'and a "quoted" name\\')
    text = export.python_program(state, about)
    docstring = ast.get_docstring(ast.parse(text), clean=False) or ""
    assert about[0] in docstring and about[1] in docstring


@pytest.mark.usefixtures("msads_env")
def test_the_command_writes_the_program(
    seeded: dict[str, Any],  # noqa: F811
    client: ServiceClient,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "main.py"
    assert main(["export", "-C", str(tmp_path), "--format", "python", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"12 customers and 22 accounts exported to {out}" in captured.err
    # SOURCE_DATE_EPOCH (msads_env) fixes the header: the file is what export() renders, byte for byte.
    assert out.read_text(encoding="utf-8") == _export(client, output_format="python").text
    assert main(["export", "-C", str(tmp_path), "--format", "python", "--customer-id", seeded["Litware"]["Id"]]) == 0
    printed = capsys.readouterr().out
    compile(printed, "<stdout>", "exec")
    assert 'key = "litware"\n' in printed and 'key = "proseware"' not in printed


def test_an_unknown_format_is_refused_with_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["export", "--format", "toml"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--format: invalid choice: 'toml'" in err
    assert "'yaml'" in err and "'python'" in err
    with pytest.raises(export.ExportError, match="unknown format 'toml'"):
        export.export(None, output_format="toml")  # type: ignore[arg-type]
