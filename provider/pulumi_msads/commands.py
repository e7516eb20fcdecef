"""The ``msads`` command (also ``python -m pulumi_msads``): tools around a stack, beside the provider.

``msads pending``   what an interrupted `pulumi up` left half done, the live objects its creates made,
                    and the ``adopt_id`` lines that bring them under management (``--write`` adds them
                    to the GitOps file); run it after `pulumi cancel` and before the next `pulumi up`.
``msads check``     validate GitOps files (as ``python -m pulumi_msads.gitops check``).
``msads schema``    print the GitOps file's JSON Schema.

It reads the stack through the `pulumi` CLI (``pulumi stack export`` and ``pulumi config``), in the
project folder, with the same settings as the provider: the stack's ``msads:*`` config first, then
the ``MSADS_*`` environment variables. It only reads from the service.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import gitops, gitops_edit, pending
from .client import ServiceClient
from .config import KEYS, ProviderConfig
from .errors import MsadsError


class CommandError(Exception):
    """A problem the command reports in one line, with exit status 1."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="msads", description="Tools around a stack of msads resources.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report = commands.add_parser(
        "pending",
        help="list what an interrupted deployment left half done and the adopt_id lines for it",
        description="Run after `pulumi cancel` and before the next `pulumi up` (which drops the pending records).",
    )
    report.add_argument("--stack", "-s", help="the stack (default: the project's current stack)")
    report.add_argument("--cwd", "-C", default=".", help="the Pulumi project folder (default: here)")
    report.add_argument(
        "--state", type=Path, help="read this `pulumi stack export` file instead; settings then come from MSADS_*"
    )
    report.add_argument("--write", type=Path, metavar="FILE", help="add each adopt_id line to this GitOps file")
    report.add_argument("--json", action="store_true", help="print the findings as JSON")
    check = commands.add_parser("check", help="validate GitOps files")
    check.add_argument("files", nargs="+")
    commands.add_parser("schema", help="print the GitOps file's JSON Schema")
    args = parser.parse_args(argv)
    if args.command == "check":
        return gitops.main(["check", *args.files])
    if args.command == "schema":
        return gitops.main(["schema"])
    try:
        return _pending(args)
    except (CommandError, MsadsError, gitops_edit.EditError, gitops.DesiredStateError) as error:
        print(f"msads pending: {error}", file=sys.stderr)
        return 1


def _pending(args: argparse.Namespace) -> int:
    if args.state is not None:
        checkpoint = _read_json(args.state.read_text(encoding="utf-8"), str(args.state))
        config: dict[str, str] = {}
    else:
        stack = ["--stack", args.stack] if args.stack else []
        checkpoint = _read_json(_pulumi(["stack", "export", *stack], args.cwd), "`pulumi stack export`")
        config = _stack_config(_pulumi(["config", "--json", "--show-secrets", *stack], args.cwd))
    client = ServiceClient(ProviderConfig.from_sources(config, os.environ))
    findings = pending.find(client, checkpoint)
    written = _write(args.write, findings) if args.write else []
    if args.json:
        print(json.dumps([_as_json(f) for f in findings], indent=2))
    else:
        print(_as_text(findings, written, args.write))
    return 0


def _pulumi(arguments: list[str], cwd: str) -> str:
    cli = shutil.which("pulumi")
    if cli is None:
        raise CommandError("no `pulumi` on PATH; save `pulumi stack export` to a file and pass it with --state")
    done = subprocess.run([cli, *arguments], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise CommandError(f"`pulumi {' '.join(arguments[:2])}` failed in {cwd}: {reason[0]}")
    return done.stdout


def _read_json(text: str, source: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(f"{source} is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise CommandError(f"{source} is not a stack export (a JSON object)")
    return document


def _stack_config(text: str) -> dict[str, str]:
    """The stack's ``msads:*`` settings from `pulumi config --json --show-secrets`."""
    wanted = {key for key, _ in KEYS.values()}
    values = _read_json(text, "`pulumi config --json`")
    return {k: str(v["value"]) for k, v in values.items() if k in wanted and isinstance(v, dict) and "value" in v}


def _write(path: Path, findings: list[pending.Finding]) -> list[str]:
    """Add the adopt_id of every finding that has exactly one candidate to the GitOps file; their names."""
    text = original = path.read_text(encoding="utf-8")
    written = []
    for finding in findings:
        if finding.adopt_id is not None:
            text = gitops_edit.add_adopt_id(text, gitops_edit.entry_keys(finding.pending.name), finding.adopt_id)
            written.append(finding.pending.name)
    if text != original:
        gitops.loads(text, str(path))  # never leave a file the provider would refuse
        path.write_text(text, encoding="utf-8")
    return written


def _as_json(finding: pending.Finding) -> dict[str, Any]:
    p = finding.pending
    return {
        "name": p.name,
        "urn": p.urn,
        "kind": p.kind,
        "operation": p.operation,
        "declared_name": p.declared_name,
        "adopt_id": finding.adopt_id,
        "candidates": [
            {
                "id": c.object_id,
                "number": c.number,
                "status": c.status,
                "last_changed": c.last_changed,
                "differs": list(c.differs),
                "account": c.account,
                "adoptable": c.adoptable,
                "blocked": c.blocked,
            }
            for c in finding.candidates
        ],
    }


def _as_text(findings: list[pending.Finding], written: list[str], path: Path | None) -> str:
    if not findings:
        return "No pending operation on an msads resource: nothing was left half done."
    lines: list[str] = []
    for finding in findings:
        p = finding.pending
        lines.append(f"{p.name}: {p.kind} {p.declared_name!r} {pending.OPERATIONS.get(p.operation, p.operation)}")
        if p.operation != "creating":
            lines.append(
                "  the next `pulumi up` (or `pulumi destroy`) does it again from a fresh read; nothing to adopt"
            )
        elif not finding.candidates:
            where = "under its customer" if p.kind == pending.ACCOUNT else "that the stack does not manage"
            lines.append(
                f"  no live {p.kind.lower()} {where} has this name: the create never reached the service, "
                "and the next `pulumi up` makes it"
            )
        for c in finding.candidates:
            detail = ", ".join(x for x in (f"number {c.number}", c.status, f"last changed {c.last_changed}") if x)
            account = f", primary account {c.account}" if c.account else ""
            lines.append(f"  live {p.kind.lower()} {c.object_id} ({detail}){account}")
            if c.blocked:
                lines.append(f"    not adoptable: {c.blocked}")
            elif not c.adoptable:
                lines.append("    Inactive: the API cannot change or reactivate it, so it cannot be adopted")
            elif c.differs:
                lines.append(f"    differs from the declaration in {', '.join(c.differs)}: adopting it writes those")
            else:
                lines.append("    the same as declared: adopting it changes nothing")
        if finding.adopt_id is not None:
            keys = ".".join(gitops_edit.entry_keys(p.name))
            state = "added to" if p.name in written else "add to"
            lines.append(f"  adopt it: {state} {path or 'the GitOps file'} at {keys}:  adopt_id: '{finding.adopt_id}'")
            lines.append(f'            or in a program, on {p.kind}("{p.name}", ...):  adopt_id="{finding.adopt_id}"')
        elif len([c for c in finding.candidates if c.adoptable]) > 1:
            lines.append("  several could be this create's: nothing chosen; set adopt_id to the one that is yours")
    if written:
        lines.append(f"\n{len(written)} adopt_id line(s) added to {path}; review them, then run `pulumi up`.")
    elif any(f.adopt_id for f in findings):
        lines.append("\nAdd the adopt_id lines, then run `pulumi up`: it adopts them instead of creating again.")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
