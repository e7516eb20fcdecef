"""Where a CLI command's time goes, read from the timestamps of its own log (``-v=9 --logtostderr --logflow``).

The CLI logs one JSON object per line with a nanosecond UTC timestamp, its language host's and provider's events
included. A handful of those lines mark the steps every deployment pass goes through (language host started, its
``pip list``, plugins ensured, program started, first resource registered, provider launched and configured, program
done, plugins stopped). The time between consecutive marks, plus the CLI's own start before the first pass and its
exit after the last, adds up to the whole command, so each segment is a share of the total, without overlaps.

A mark that does not occur (no plugin to download, say) leaves no segment: its time stays in the next one. The
messages are the pinned CLI's (scripts/pulumi-cli); another version may word them differently, which shows up as
fewer, longer segments rather than wrong ones.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

VERBOSE = ("-v=9", "--logtostderr", "--logflow")
"""The flags that make the CLI log every step, with its plugins' logs flowing into the same stream."""


@dataclass(frozen=True)
class Mark:
    pattern: re.Pattern[str]
    segment: str
    """What happens between the previous mark and this one."""
    last: bool = False
    """Take the last match before the next mark instead of the first (the end of a run of similar lines)."""


def _mark(pattern: str, segment: str, *, last: bool = False) -> Mark:
    return Mark(re.compile(pattern), segment, last)


PASS_START = re.compile(r"\*\*\* Starting Update\(preview=(?P<preview>\w+)\) \*\*\*")
PASS_MARKS = (
    _mark(r"langhost\[python\]\.GetRequiredPlugins\(.*\) executing", "language host start"),
    _mark(r"langhost\[python\]\.GetRequiredPlugins\(.*\) success", "language host: pip list (required plugins)"),
    _mark(r"InstallPlugin\(\): failed to install plugin", "engine: plugin 'msads' sought (downloads, unless disabled)"),
    _mark(r"langhost\[python\]\.Run\(.*\) executing", "engine: plugins and providers ready"),
    _mark(r"registering resource: ty=pulumi:pulumi:Stack", "program start: python, import pulumi"),
    _mark(r"registering resource: ty=pulumi-python:dynamic/", "program: import pulumi_msads, first resource"),
    _mark(r"Launching plugin 'pulumi-python \(resource\)'", "engine: registrations until the provider is needed"),
    _mark(r"Provider\[[^\]]*\]\.Configure\(\) executing", "provider start: launcher, python, gRPC server"),
    _mark(
        r"Provider\[[^\]]*\]\.(Check|Diff|Create|Update|Read|Delete)\(.*\) success",
        "provider: Configure, Check, Diff, Create/Update (first Check imports pulumi_msads)",
        last=True,
    ),
    _mark(r"langhost\[python\]\.Run\(.*\) success", "program end: outputs, Python exits"),
    _mark(r"\*\*\* Update\(preview=\w+\) complete \*\*\*", "engine: provider and language host stopped"),
)
CLI_START = "CLI start: binary, backend, stack config, language host About"
BETWEEN_PASSES = "CLI: between preview and update"
CLI_EXIT = "CLI exit: summary, state written"


def _timestamp(text: str) -> float:
    """Seconds since the epoch from the CLI's RFC 3339 UTC time with nanoseconds (Python parses microseconds)."""
    match = re.match(r"(?P<base>[^.]+)(?:\.(?P<fraction>\d+))?Z$", text)
    if match is None:
        raise ValueError(f"not a CLI log time: {text!r}")
    fraction = (match["fraction"] or "0")[:6].ljust(6, "0")
    return dt.datetime.fromisoformat(f"{match['base']}.{fraction}+00:00").timestamp()


def log_lines(stderr: str) -> list[tuple[float, str]]:
    """``(time, message)`` of every JSON log line, in order; plain lines (plugins' own glog output) are skipped."""
    lines = []
    for line in stderr.splitlines():
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and "time" in entry and "msg" in entry:
            lines.append((_timestamp(entry["time"]), str(entry["msg"])))
    return lines


def _find(lines: Sequence[tuple[float, str]], pattern: re.Pattern[str], start: int, stop: int) -> int | None:
    return next((i for i in range(start, stop) if pattern.search(lines[i][1])), None)


def _pass_segments(lines: Sequence[tuple[float, str]], start: int, stop: int) -> list[tuple[str, float]]:
    """Segments of one deployment pass, from its start line (index ``start``) to before ``stop``."""
    segments: list[tuple[str, float]] = []
    at = start
    for number, mark in enumerate(PASS_MARKS):
        found = _find(lines, mark.pattern, at + 1, stop)
        if found is None:
            continue
        if mark.last:
            following = (_find(lines, m.pattern, found + 1, stop) for m in PASS_MARKS[number + 1 :])
            bound = next((f for f in following if f is not None), stop)
            found = max(i for i in range(found, bound) if mark.pattern.search(lines[i][1]))
        segments.append((mark.segment, lines[found][0] - lines[at][0]))
        at = found
    return segments


def timeline(stderr: str, started: float, ended: float) -> list[dict[str, Any]]:
    """The command's segments in order, as ``{pass, segment, ms}``; they add up to ``ended - started``.

    ``started`` and ``ended`` are this process's ``time.time()`` around the command (the log's clock is the same
    wall clock). ``pass`` is ``preview`` or ``update`` for a deployment pass's segments and empty for the CLI's own.
    """
    lines = log_lines(stderr)
    starts = [i for i, (_, message) in enumerate(lines) if PASS_START.search(message)]
    out: list[dict[str, Any]] = []

    def add(kind: str, segment: str, seconds: float) -> None:
        out.append({"pass": kind, "segment": segment, "ms": round(seconds * 1000, 1)})

    if not starts:
        add("", "whole command (no deployment pass in the log)", ended - started)
        return out
    add("", CLI_START, lines[starts[0]][0] - started)
    last_time = lines[starts[0]][0]
    for number, start in enumerate(starts):
        if number:
            add("", BETWEEN_PASSES, lines[start][0] - last_time)
        match = PASS_START.search(lines[start][1])
        kind = "preview" if match is not None and match["preview"] == "true" else "update"
        stop = starts[number + 1] if number + 1 < len(starts) else len(lines)
        elapsed = 0.0
        for segment, seconds in _pass_segments(lines, start, stop):
            add(kind, segment, seconds)
            elapsed += seconds
        last_time = lines[start][0] + elapsed
    add("", CLI_EXIT, ended - last_time)
    return out


def by_segment(segments: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Milliseconds per segment name, summed over the passes (an ``up`` goes through each twice)."""
    totals: dict[str, float] = {}
    for segment in segments:
        totals[segment["segment"]] = round(totals.get(segment["segment"], 0.0) + segment["ms"], 1)
    return totals
