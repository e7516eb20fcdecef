"""The ``msads`` command (also ``python -m pulumi_msads``): tools around a stack, beside the provider.

``msads pending``   what an interrupted `pulumi up` left half done, the live objects its creates made,
                    and the ``adopt_id`` lines that bring them under management (``--write`` adds them
                    to the GitOps file); run it after `pulumi cancel` and before the next `pulumi up`.
``msads export``    write the GitOps file that brings the agency's existing customers and accounts under
                    management (``adopt_id`` and the live values on every entry; ``export``);
                    ``--format python`` writes a Pulumi program declaring the same resources instead.
``msads check``     validate GitOps files (as ``python -m pulumi_msads.gitops check``).
``msads schema``    print the GitOps file's JSON Schema.

It reads the stack through the `pulumi` CLI (``pulumi stack export`` and ``pulumi config``), in the
project folder, with the same settings as the provider: the stack's ``msads:*`` config first, then
the ``MSADS_*`` environment variables (``export`` reads a stack's config only in a project folder or
with ``--stack``, else the environment alone). It only reads from the service.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import export, gitops, gitops_edit, pending
from .client import ServiceClient
from .config import KEYS, ProviderConfig
from .errors import MsadsError

NO_PULUMI_HINT = "save `pulumi stack export` to a file and pass it with --state"
"""What ``pending`` can do without the `pulumi` CLI."""


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
    _export_parser(commands)
    check = commands.add_parser("check", help="validate GitOps files")
    check.add_argument("files", nargs="+")
    commands.add_parser("schema", help="print the GitOps file's JSON Schema")
    args = parser.parse_args(argv)
    if args.command == "check":
        return gitops.main(["check", *args.files])
    if args.command == "schema":
        return gitops.main(["schema"])
    try:
        return _export(args) if args.command == "export" else _pending(args)
    except (CommandError, MsadsError, gitops_edit.EditError, gitops.DesiredStateError) as error:
        print(f"msads {args.command}: {error}", file=sys.stderr)
        return 1


def _client(config: dict[str, str]) -> ServiceClient:
    """The service client for these stack settings (``msads:*``), the ``MSADS_*`` environment after them."""
    return ServiceClient(ProviderConfig.from_sources(config, os.environ))


def _settings(stack: str | None, cwd: str, hint: str | None = None) -> dict[str, str]:
    """The stack's ``msads:*`` config (the project's current stack unless ``stack``), read with `pulumi config`."""
    arguments = ["config", "--json", "--show-secrets", *(["--stack", stack] if stack else [])]
    return _stack_config(_pulumi(arguments, cwd, hint or NO_PULUMI_HINT))


def _pending(args: argparse.Namespace) -> int:
    if args.state is not None:
        checkpoint = _read_json(args.state.read_text(encoding="utf-8"), str(args.state))
        config: dict[str, str] = {}
    else:
        stack = ["--stack", args.stack] if args.stack else []
        checkpoint = _read_json(_pulumi(["stack", "export", *stack], args.cwd), "`pulumi stack export`")
        config = _settings(args.stack, args.cwd)
    findings = pending.find(_client(config), checkpoint)
    written = _write(args.write, findings) if args.write else []
    if args.json:
        print(json.dumps([_as_json(f) for f in findings], indent=2))
    else:
        print(_as_text(findings, written, args.write))
    return 0


def _export_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "export",
        help="write the GitOps file that adopts the agency's existing customers and accounts",
        description="Read every client customer under the caller's aggregator customer(s) and their accounts, and "
        "write accounts.yaml with adopt_id and the live values on every entry: applying it changes nothing. "
        "Settings: in a Pulumi project folder (or with --stack) the stack's msads:* config, then MSADS_*; "
        "elsewhere MSADS_* alone. Only reads from the service. See docs/gitops.md, "
        '"Bringing an existing estate under management".',
    )
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the file here (default: stdout)")
    parser.add_argument(
        "--customer-id",
        action="append",
        default=[],
        metavar="ID",
        help="export only this customer (repeatable); nothing is listed",
    )
    parser.add_argument("--name-prefix", default="", metavar="P", help="only customers whose names start with P")
    parser.add_argument(
        "--include-inactive",
        action="store_true",
        help="also write Inactive accounts (default: skipped and listed; the provider cannot adopt them)",
    )
    parser.add_argument(
        "--primary",
        action="append",
        default=[],
        metavar="CUSTOMER_ID=ACCOUNT_ID",
        help="the customer's primary account (default: the one billed to the aggregator, else the oldest live one)",
    )
    parser.add_argument(
        "--format",
        choices=export.FORMATS,
        default="yaml",
        help="yaml: the GitOps file (default); python: a Pulumi program (__main__.py) that declares the same "
        "resources, for a stack without the GitOps program",
    )
    parser.add_argument("--stack", "-s", help="read this stack's msads:* config (default: the current stack)")
    parser.add_argument("--cwd", "-C", default=".", help="the Pulumi project folder (default: here)")


def _export(args: argparse.Namespace) -> int:
    primary: dict[str, str] = {}
    for pair in args.primary:
        customer_id, _, account_id = pair.partition("=")
        if not (customer_id.strip().isdigit() and account_id.strip().isdigit()):
            raise CommandError(f"--primary {pair!r}: expected CUSTOMER_ID=ACCOUNT_ID, two numeric ids")
        primary[customer_id.strip()] = account_id.strip()
    for customer_id in args.customer_id:
        if not customer_id.isdigit():
            raise CommandError(f"--customer-id {customer_id!r}: expected a numeric id")
    in_project = args.stack or (Path(args.cwd) / "Pulumi.yaml").exists() or (Path(args.cwd) / "Pulumi.yml").exists()
    hint = "run it outside the project folder, with the settings in MSADS_* environment variables"
    client = _client(_settings(args.stack, args.cwd, hint) if in_project else {})
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    exported_at = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit() else None
    destination = str(args.output) if args.output else "stdout"
    result = export.export(
        client,
        customer_ids=args.customer_id,
        name_prefix=args.name_prefix,
        include_inactive=args.include_inactive,
        primary=primary,
        exported_at=exported_at,
        source=destination,
        progress=_progress if sys.stderr.isatty() else None,
        output_format=args.format,
    )
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    if args.output:
        args.output.write_text(result.text, encoding="utf-8")
    else:
        sys.stdout.write(result.text)
    print(result.summary(destination), file=sys.stderr)
    return 0


def _progress(done: int, total: int, customer_id: str) -> None:
    sys.stderr.write(f"\r\033[Kreading customer {done + 1} of {total} ({customer_id})")
    sys.stderr.flush()


def _pulumi(arguments: list[str], cwd: str, hint: str = NO_PULUMI_HINT) -> str:
    cli = shutil.which("pulumi")
    if cli is None:
        raise CommandError(f"no `pulumi` on PATH; {hint}")
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
