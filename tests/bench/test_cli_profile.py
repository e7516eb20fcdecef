"""bench.cli_profile: a CLI command's log split into segments that add up to the command's time.

A synthetic log in the pinned CLI's format stands in for a real one (the bench's full run profiles the real CLI), so
the split is checked exactly: which segment a mark closes, the last of a run of provider calls, a missing mark.
"""

from __future__ import annotations

import datetime as dt
import json

from bench.cli_profile import BETWEEN_PASSES, CLI_EXIT, CLI_START, PASS_MARKS, by_segment, log_lines, timeline

START = dt.datetime(2026, 12, 2, 1, 31, 23, tzinfo=dt.UTC).timestamp()

PASS = [
    (0.03, "langhost[python].GetRequiredPlugins(root=/p, program=/p, entryPoint=.) executing"),
    (0.35, "langhost[python].GetRequiredPlugins(root=/p, program=/p, entryPoint=.) success: #versions=1"),
    (2.85, "InstallPlugin(): failed to install plugin: failed to download plugin: msads-0.1.0"),
    (2.86, "langhost[python].Run(pwd=/p,root=/p, program=/p, entryPoint=.,dryrun=true) executing"),
    (3.06, "registering resource: ty=pulumi:pulumi:Stack, name=p-s, custom=False, remote=False"),
    (3.36, "registering resource: ty=pulumi-python:dynamic/msads:Customer, name=contoso, custom=True"),
    (3.40, "newPlugin(): Launching plugin 'pulumi-python (resource)' from '/bin/pulumi-resource-pulumi-python'"),
    (3.65, "Provider[0x1].Configure() executing (#vars=6)"),
    (3.87, "Provider[0x1].Check(urn:pulumi:s::p::pulumi-python:dynamic/msads:Customer::contoso) success"),
    (3.90, "Provider[0x1].Diff(urn:pulumi:s::p::pulumi-python:dynamic/msads:Customer::contoso,1) success"),
    (4.05, "langhost[python].Run(pwd=/p,...,dryrun=true) success: progerr=, bail=false"),
    (4.20, "*** Update(preview=true) complete ***"),
]


def _line(seconds: float, message: str) -> str:
    moment = dt.datetime.fromtimestamp(START + seconds, dt.UTC)
    return json.dumps({"time": moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z", "level": "INFO", "msg": message})


def _log(*passes: tuple[float, bool, list[tuple[float, str]]]) -> str:
    lines = ["I1202 01:31:23.000000    1 log.go:75] a plugin's own line, not JSON"]
    for offset, preview, marks in passes:
        lines.append(_line(offset, f"*** Starting Update(preview={str(preview).lower()}) ***"))
        lines += [_line(offset + at, message) for at, message in marks]
    return "\n".join(lines) + "\n"


def test_a_preview_splits_into_segments_that_add_up_to_the_command() -> None:
    log = _log((0.3, True, PASS))
    segments = timeline(log, START, START + 4.55)
    assert segments[0] == {"pass": "", "segment": CLI_START, "ms": 300.0}
    assert segments[-1] == {"pass": "", "segment": CLI_EXIT, "ms": 50.0}
    assert {s["pass"] for s in segments[1:-1]} == {"preview"}
    assert sum(s["ms"] for s in segments) == 4550.0
    totals = by_segment(segments)
    assert totals["engine: plugin 'msads' sought (downloads, unless disabled)"] == 2500.0
    assert totals["provider start: launcher, python, gRPC server"] == 250.0
    # The provider segment ends at the last provider call (the Diff), not the first (the Check).
    assert totals["provider: Configure, Check, Diff, Create/Update (first Check imports pulumi_msads)"] == 250.0
    assert totals["program end: outputs, Python exits"] == 150.0


def test_an_up_has_two_passes_and_a_missing_mark_leaves_its_time_to_the_next_segment() -> None:
    without_download = [mark for mark in PASS if not mark[1].startswith("InstallPlugin")]
    log = _log((0.3, True, PASS), (4.6, False, without_download))
    segments = timeline(log, START, START + 9.0)
    assert [s["pass"] for s in segments].count("update") == len(PASS_MARKS) - 1, "one mark per segment, one missing"
    assert {"pass": "", "segment": BETWEEN_PASSES, "ms": 100.0} in segments
    update = {s["segment"]: s["ms"] for s in segments if s["pass"] == "update"}
    assert update["engine: plugins and providers ready"] == 2510.0, "the download's time, now in the next segment"
    assert round(sum(s["ms"] for s in segments), 1) == 9000.0


def test_a_log_without_a_deployment_pass_is_one_segment() -> None:
    assert timeline("plain text\n", START, START + 0.2) == [
        {"pass": "", "segment": "whole command (no deployment pass in the log)", "ms": 200.0}
    ]
    assert log_lines(_line(0.0, "x") + "\n{not json\n") == [(START, "x")]
