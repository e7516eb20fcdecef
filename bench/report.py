"""The benchmark's outputs: one JSON document with every figure, and the same figures as Markdown tables."""

from __future__ import annotations

from typing import Any

from pulumi_msads import bulk_reads

from . import call_cost, store_scale
from .common import ENGINE_CONCURRENCY

SECTIONS = (
    "roundtrips",
    "overhead",
    "peer",
    "scale",
    "program",
    "coldstart",
    "emulator",
    "cli",
    "transports",
    "export",
    "agency",
    "calls",
    "store",
    "native",
)


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every figure that has a target, with whether it holds."""
    found: list[dict[str, Any]] = []

    def add(name: str, target: str, value: Any, ok: bool | None) -> None:
        found.append({"name": name, "target": target, "value": value, "ok": ok})

    for row in results.get("roundtrips", {}).get("rows", []):
        if row["target"] is not None:
            add(f"Round trips: {row['step']}", f"<= {row['target']}", row["total"], row["ok"])
    overhead = results.get("overhead", {})
    for row in overhead.get("rows", []):
        add(
            f"Provider overhead: {row['operation']} at {row['latency_ms']:g} ms service latency",
            f"gRPC / bare <= {overhead['target_ratio']}",
            row["ratio"],
            row["ok"],
        )
    scale = results.get("scale", {})
    for row in scale.get("rows", []):
        if row["efficiency"] is not None:
            add(
                f"Scale efficiency: {row['phase']} x {row['resources']}",
                f">= {scale['target_efficiency']}",
                row["efficiency"],
                row["ok"],
            )
    for phase, flat in scale.get("flat", {}).items():
        add(
            f"Scale: {phase} time per resource flat",
            f"largest / smallest <= {scale['flat_tolerance']}",
            flat["growth"],
            flat["ok"],
        )
    program = results.get("program", {})
    if program:
        add(
            "Program: time per resource flat",
            f"largest / smallest <= {scale.get('flat_tolerance', 1.15)}",
            program["growth"].get("default"),
            program["ok"],
        )
    cold = results.get("coldstart", {})
    if cold:
        add(
            "Cold start to first answered Check",
            f"< {cold['target_first_check_ms']:g} ms",
            cold["median_ms"]["first_check_s"],
            cold["ok"],
        )
        memory = cold["memory"]
        add(
            f"Provider RSS growth, {memory['from_operations']} -> {memory['to_operations']} operations",
            f"<= {memory['tolerance'] * 100:g}%",
            f"{memory['growth_fraction'] * 100:.2f}% ({memory['growth_kib']} KiB)",
            memory["ok"],
        )
    cli = results.get("cli", {})
    if cli:
        rows = cli["rows"]
        for example in dict.fromkeys(row["example"] for row in rows):
            mine = [row for row in rows if row["example"] == example]
            held = sum(row["calls_ok"] and row["steps_ok"] for row in mine)
            add(
                f"CLI and harness: calls and steps per operation, {example}",
                "the fewest calls, the same in every variant",
                f"{held} of {len(mine)} operations",
                held == len(mine),
            )
    transports = results.get("transports", {})
    if transports:
        same: dict[str, bool] = {}
        for r in transports["ratios"]:  # an operation holds when it does at every latency
            same[r["operation"]] = same.get(r["operation"], True) and r["same_calls"]
        held = sum(same.values())
        add(
            "REST and SOAP: calls per operation",
            "the same over both transports",
            f"{held} of {len(same)} operations",
            held == len(same),
        )
    exported = results.get("export", {})
    if exported:
        adoption = exported["adoption"]
        add(
            f"Export of {exported['customers']} customers / {exported['accounts']} accounts, then adoption: "
            "estate-changing calls",
            "0, and every object adopted by its exported id",
            sum(adoption["writes"].values()),
            exported["ok"],
        )
    agency = results.get("agency", {})
    if agency:
        resources = agency["accounts"]  # every account, primary or not, is read once; customers once more
        for row in agency["rows"]:
            at = f"at {row['latency_ms']:g} ms"
            if row["phase"].startswith("up:"):
                add(
                    f"Agency {row['phase']} {at}: efficiency",
                    f">= {AGENCY_EFFICIENCY}",
                    row["efficiency"],
                    row["efficiency"] is not None and row["efficiency"] >= AGENCY_EFFICIENCY,
                )
            elif row["phase"] == "refresh (bulk reads)":
                bound = bulk_refresh_bound(agency["customers"], resources)
                add(
                    f"Agency refresh in bulk {at}: calls",
                    f"<= {bound} (pages + single reads until they pay)",
                    row["calls"],
                    row["calls"] <= bound,
                )
            elif row["phase"] == "no-op up":
                add(f"Agency no-op up {at}: calls", "0", row["calls"], row["calls"] == 0)
    store = results.get("store", {})
    if store:
        first, last = (f"{size:,}" for size in (store["sizes"][0], store["sizes"][-1]))
        for row in store["rows"]:
            if row["operation"] != store_scale.GROWS_BY_DEFINITION:
                add(
                    f"Emulator store: {row['label']}, {last} customers stored vs {first}",
                    f"<= {store_scale.FLAT_RATIO:g}x",
                    row["ratio"],
                    row["ratio"] is not None and row["ratio"] <= store_scale.FLAT_RATIO,
                )
    compared = results.get("native", {})
    for row in compared.get("rows", []):
        add(
            f"Native and dynamic provider, {row['description']} of {compared['customers']} customers: calls",
            "the same in both",
            row["native"]["total_calls"],
            row["same_calls"],
        )
        if row["operation"] == "up-create":
            peak = row["native"]["max_in_flight"]
            add(
                f"Native provider, {row['description']} of {compared['customers']} customers: most calls in flight",
                f"> {ENGINE_CONCURRENCY} (the dynamic provider server's limit)",
                peak,
                peak > ENGINE_CONCURRENCY,
            )
    return found


AGENCY_EFFICIENCY = 0.85
"""Of the ideal, calls x latency / concurrency, for the agency's creates at the service's latency."""


def bulk_refresh_bound(customers: int, accounts: int) -> int:
    """The most calls a refresh in bulk may make (``pulumi_msads.bulk_reads``): the single reads until they have
    cost a snapshot's price (at least the probe's), those under way then (a customer each, 2 calls), the GetUser that
    priced it, and the snapshot: a GetUser and a page per ``IN_CHUNK`` accounts and per ``IN_CHUNK`` customers."""
    price = bulk_reads.snapshot_price(accounts)
    pages = 1 + -(-accounts // bulk_reads.IN_CHUNK) + -(-customers // bulk_reads.IN_CHUNK)
    return max(bulk_reads.PROBE_AFTER, price) + 2 * 4 + 1 + pages


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if value is True:
        return "yes"
    if value is False:
        return "**no**"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:.0f}"
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"
    return str(value).replace("|", "\\|")


DOCUMENT_PREFACE = """# Performance

This page is generated: `.venv/bin/python -m bench --docs` runs the benchmark and writes it, with every figure
it quotes, from that one run's `docs/performance.json` (tests/docs/test_performance_doc.py fails when the two
disagree). Nothing here is typed by hand, so no two figures can contradict each other; a claim is a ratio of two
things measured side by side in the run, since absolute times on a shared 2-core machine move by tens of
percent between runs.

Everything runs in one process tree: the benchmark (bare clients, and the engine's side through the gRPC
harness in `tests/harness`), one emulator (`msads-emulator`, in memory, with the latency each section names
added to every call), and the provider servers (`python -m pulumi.dynamic`), one per engine operation where the
section says so. Comparisons alternate their variants run by run and report medians. `--quick` is the smoke run
CI makes (tests/bench/test_bench_smoke.py), which asserts behaviour and call counts, never a time.

"""


def document(results: dict[str, Any]) -> str:
    """docs/performance.md: the preface, then the run's report (``markdown``) without its own title."""
    body = markdown(results).split("\n", 1)[1]
    return DOCUMENT_PREFACE + body.lstrip("\n")


def markdown(results: dict[str, Any]) -> str:
    meta = results["meta"]
    machine = meta["machine"]
    out = [
        f"# pulumi-msads benchmarks ({meta['mode']} run)",
        "",
        f"Command: `{meta['command']}`  ",
        f"Machine: {machine['nproc']} CPUs ({machine['cpu_model']}), Python {machine['python']}, "
        f"{machine['platform']}  ",
        f"Commit: {meta['commit']}; started {meta['started']}; took {meta['duration_s']:.0f} s; "
        f"load average {meta['load_before'][0]:.2f} before, {meta['load_after'][0]:.2f} after  ",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
        "",
        "All figures come from one process tree on this machine (this process, one emulator, provider servers) and",
        "compare alternating runs; read them as ratios, not as absolute performance claims.",
        "",
        "## Targets",
        "",
    ]
    out += _table(
        ["Figure", "Target", "Measured", "Holds"],
        [[t["name"], t["target"], t["value"], t["ok"]] for t in results["targets"]],
    )
    if "roundtrips" in results:
        out += ["", "## 1. Round trips per lifecycle step (emulator call counts)", ""]
        out += _table(
            ["Step", "Calls", "Total", "Target", "Holds", "Fewest the API allows"],
            [
                [
                    r["step"],
                    ", ".join(f"{k} {v}" for k, v in r["calls"].items()) or "none",
                    r["total"],
                    r["target"],
                    r["ok"],
                    r["floor"],
                ]
                for r in results["roundtrips"]["rows"]
            ],
        )
    if "overhead" in results:
        out += [
            "",
            "## 2. Provider overhead (medians of alternating runs)",
            "",
            "bare = the zeep calls alone; in-process = the provider's methods called in this process (no gRPC);",
            "gRPC = the engine operation through the real provider server, the harness standing in for the engine.",
            "CPU per operation: this process (bare clients, or the engine's side) / provider server / emulator.",
            "",
        ]
        out += _table(
            [
                "Operation",
                "Service latency ms",
                "Bare ms",
                "In-process ms",
                "gRPC ms",
                "In-process / bare",
                "gRPC / bare",
                "Added ms",
                "gRPC CPU ms: engine side / provider / emulator",
            ],
            [
                [
                    r["operation"],
                    r["latency_ms"],
                    r["bare_ms"],
                    r["in_process_ms"],
                    r["grpc_ms"],
                    r["in_process_ratio"],
                    r["ratio"],
                    r["added_ms"],
                    " / ".join(f"{v:.2f}" for v in r["cpu_ms_per_op"]["grpc"].values()),
                ]
                for r in results["overhead"]["rows"]
            ],
        )
    if "peer" in results:
        peer = results["peer"]
        out += ["", "## 3. Peer client: pulumi_msads.client (zeep) vs bingads ServiceClient (suds)", ""]
        cpu = peer["client_cpu_ms"]
        out += _table(
            ["Sequence", "pulumi_msads ms", "bingads ms", "Ratio (ours / bingads)"],
            [
                [peer["sequence"], peer["pulumi_msads_ms"], peer["bingads_ms"], peer["ratio"]],
                [
                    "... client CPU ms per sequence",
                    cpu["pulumi_msads"],
                    cpu["bingads"],
                    round(cpu["pulumi_msads"] / cpu["bingads"], 3),
                ],
                [
                    "Client construction + first GetCustomer",
                    peer["construction_and_first_call_ms"]["pulumi_msads"],
                    peer["construction_and_first_call_ms"]["bingads"],
                    round(
                        peer["construction_and_first_call_ms"]["pulumi_msads"]
                        / peer["construction_and_first_call_ms"]["bingads"],
                        3,
                    ),
                ],
            ],
        )
    if "scale" in results:
        scale = results["scale"]
        out += [
            "",
            f"## 4. Scale: {scale['concurrency']} operations at a time, {scale['latency_ms']:g} ms added per SOAP call",
            "",
            f"Warm-up (untimed in the rows): {scale['warmup']['operations']} creates in "
            f"{scale['warmup']['seconds']} s, building each gRPC worker thread's zeep client.",
            "",
        ]
        out += _table(
            [
                "Resources",
                "Phase",
                "Seconds",
                "Calls",
                "Efficiency",
                "ms / resource",
                "Added ms / op (per worker, beyond latency)",
                "CPU ms / resource: engine side / provider / emulator",
            ],
            [
                [
                    r["resources"],
                    r["phase"],
                    r["seconds"],
                    r["calls"],
                    r["efficiency"],
                    r["ms_per_resource"],
                    r["added_ms_per_op"],
                    " / ".join(f"{v:.2f}" for v in r["cpu_ms_per_resource"].values()),
                ]
                for r in scale["rows"]
            ],
        )
    if "program" in results:
        out += ["", "### Program side: constructing the resources under set_mocks (fresh process per size)", ""]
        out += [
            "gc-tuned: the program first runs `gc.set_threshold(50_000, 20, 100)`.",
            "",
        ]
        out += _table(
            ["Variant", "Resources", "Construct s", "Total s", "ms / resource", "Error"],
            [
                [
                    r["variant"],
                    r["resources"],
                    r.get("construct_s"),
                    r.get("total_s"),
                    r.get("ms_per_resource"),
                    r.get("error"),
                ]
                for r in results["program"]["rows"]
            ],
        )
    if "coldstart" in results:
        cold = results["coldstart"]
        median = cold["median_ms"]
        out += ["", f"## 5. Cold start (median of {cold['runs']}) and memory", ""]
        out += _table(
            ["Provider process started to ...", "ms"],
            [
                ["... Configure answered (Handshake, GetPluginInfo, Configure)", median["configured_s"]],
                ["... first Check answered (unpickle, import pulumi_msads, configure())", median["first_check_s"]],
                ["first Create after that (builds the thread's zeep client, loads the WSDL)", median["first_create_s"]],
                ["second Create, for comparison", median["second_create_s"]],
            ],
        )
        plain, split = cold["imports"]["plain"], cold["imports"]["bingads-first"]
        pulls = "yes: it pulls in bingads and suds" if plain["suds_loaded"] else "no"
        out += ["", "Imports in a fresh interpreter (ms, and RSS added in MiB):", ""]
        out += _table(
            ["Import", "ms", "MiB"],
            [
                ["grpc + dill + pulumi SDK", ms(plain["pulumi_sdk_s"]), round(plain["pulumi_sdk_kib"] / 1024, 1)],
                [
                    f"then pulumi_msads.providers, as the tree has it (imports bingads? {pulls})",
                    ms(plain["pulumi_msads_s"]),
                    round(plain["pulumi_msads_kib"] / 1024, 1),
                ],
                [
                    "for reference: `import bingads` (its __init__ parses the Campaign Management WSDL with suds)",
                    ms(split["bingads_package_s"]),
                    round(split["bingads_package_kib"] / 1024, 1),
                ],
            ],
        )
        memory = cold["memory"]
        out += ["", "Provider server RSS after N engine operations (create / update / refresh, 4 at a time):", ""]
        out += _table(
            ["Operations", "RSS MiB"],
            [[s["operations"], round(s["rss_kib"] / 1024, 1)] for s in memory["samples"]],
        )
    if "emulator" in results:
        emulator = results["emulator"]
        out += [
            "",
            f"## 6. Emulator throughput ({emulator['seconds_per_run']:g} s per run, zeep clients, one per thread)",
            "",
            "UpdateCustomer loops are GetCustomer + UpdateCustomer (the TimeStamp needs a read): requests per second",
            "count both, latencies are UpdateCustomer's.",
            "",
        ]
        out += _table(
            ["Operation", "Clients", "Requests/s", "p50 ms", "p99 ms", "Emulator CPU ms/req", "Client CPU ms/req"],
            [
                [
                    r["operation"],
                    r["clients"],
                    r["requests_per_second"],
                    r["p50_ms"],
                    r["p99_ms"],
                    r["emulator_cpu_ms_per_request"],
                    r["client_cpu_ms_per_request"],
                ]
                for r in emulator["rows"]
            ],
        )
    if "cli" in results:
        out += _cli(results["cli"])
    if "transports" in results:
        out += _transports(results["transports"])
    if "export" in results:
        out += _export(results["export"])
    if "agency" in results:
        out += _agency(results["agency"])
    if "calls" in results:
        out += ["", "## 11. What one call costs the client, against a bare `http.client` POST", ""]
        out += call_cost.markdown(results["calls"])
    if "store" in results:
        sizes = results["store"]["sizes"]
        out += ["", f"## 12. The emulator's store from {sizes[0]:,} to {sizes[-1]:,} customers", ""]
        out += store_scale.markdown(results["store"])
    if "native" in results:
        out += _native(results["native"])
    return "\n".join(out) + "\n"


def _native(section: dict[str, Any]) -> list[str]:
    """The two providers on the same work under the CLI: medians, calls and the most calls in flight."""
    out = [
        "",
        f"## 13. The native provider next to the dynamic one under the Pulumi CLI: {section['customers']} customers"
        f" at {section['latency_ms']:g} ms a call",
        "",
        f"The same {section['customers']} customers (each signed up with its primary account) declared by a Python",
        "program on each provider (`pulumi_msads.Customer`; `msads:index:Customer` through the `plugins.providers`",
        f"path), a new stack on an emptied emulator per run; medians of {section['iterations']} alternating runs. In",
        "flight: the most calls the emulator was answering at once (one provider call may make several at once: a",
        "refresh's bulk reads fetch pages side by side). Dynamic / native: the ratio of the medians.",
        "",
    ]
    variants = list(section["variants"])
    header = ["Operation", "Calls (each)"]
    for variant in variants:
        header += [f"{variant.capitalize()} s", f"{variant.capitalize()} in flight"]
    rows = []
    for row in section["rows"]:
        cells: list[Any] = [row["description"], row["native"]["total_calls"]]
        for variant in variants:
            cells += [row[variant]["median_s"], row[variant]["max_in_flight"]]
        rows.append([*cells, row["dynamic_over_native"], row["same_calls"]])
    out += _table([*header, "Dynamic / native", "Same calls"], rows)
    out += ["", *(f"- {variant}: {text}." for variant, text in section["variants"].items())]
    return out


def _pair(rest: Any, soap: Any) -> str:
    return f"{_cell(rest)} / {_cell(soap)}"


def _transports(section: dict[str, Any]) -> list[str]:
    """One row per operation: REST / SOAP side by side, at zero added latency and at the stand-in latency."""
    rows = {(r["operation"], r["latency_ms"], r["transport"]): r for r in section["rows"]}
    ratios = {(r["operation"], r["latency_ms"]): r for r in section["ratios"]}
    latency = section["latency_ms"]
    iterations = {r["latency_ms"]: r["iterations"] for r in section["rows"]}
    runs, slow_runs = iterations[0.0], iterations.get(latency, 0)
    out = [
        "",
        "## 8. REST and SOAP side by side (pulumi_msads.client.ServiceClient, medians of alternating runs)",
        "",
        "The same operations through `ServiceClient` over `RestTransport` and over `SoapTransport`, against one",
        f"emulator: {runs} runs per transport at 0 ms added latency and {slow_runs} at {latency:g} ms. Bytes are per",
        "HTTP call: bodies as sent and received; headers are the start lines and header blocks of request and",
        "response. The bytes ratio counts all of them. CPU is per operation, at 0 ms: this process (the client), the",
        "emulator.",
        "",
    ]
    table = []
    for operation in section["operations"]:
        rest, soap = rows[(operation, 0.0, "rest")], rows[(operation, 0.0, "soap")]
        slow = (rows.get((operation, latency, "rest")), rows.get((operation, latency, "soap")))
        ratio, slow_ratio = ratios[(operation, 0.0)], ratios.get((operation, latency))
        same = ratio["same_calls"] and (slow_ratio is None or slow_ratio["same_calls"])
        calls = ", ".join(f"{k} {v}" for k, v in sorted(rest["calls"].items()))
        if not same:
            calls = f"**differ**: REST {rest['calls']}, SOAP {soap['calls']}"
        rb, sb = rest["bytes_per_call"], soap["bytes_per_call"]
        table.append(
            [
                section["labels"][operation],
                calls,
                _pair(rb["request_body"], sb["request_body"]),
                _pair(rb["response_body"], sb["response_body"]),
                _pair(rb["request_headers"] + rb["response_headers"], sb["request_headers"] + sb["response_headers"]),
                ratio["bytes"]["total"],
                _pair(rest["median_ms"], soap["median_ms"]),
                ratio["time"],
                _pair(slow[0]["median_ms"], slow[1]["median_ms"]) if slow[0] and slow[1] else None,
                slow_ratio["time"] if slow_ratio else None,
                _pair(rest["cpu_ms_per_op"]["client"], soap["cpu_ms_per_op"]["client"]),
                ratio["cpu"]["client"],
                _pair(rest["cpu_ms_per_op"]["emulator"], soap["cpu_ms_per_op"]["emulator"]),
            ]
        )
    out += _table(
        [
            "Operation",
            "Calls (each transport)",
            "Request body B / call: REST / SOAP",
            "Response body B / call: REST / SOAP",
            "Headers B / call: REST / SOAP",
            "Bytes REST / SOAP",
            "ms at 0 ms: REST / SOAP",
            "Time REST / SOAP at 0 ms",
            f"ms at {latency:g} ms: REST / SOAP",
            f"Time REST / SOAP at {latency:g} ms",
            "Client CPU ms / op: REST / SOAP",
            "Client CPU REST / SOAP",
            "Emulator CPU ms / op: REST / SOAP",
        ],
        table,
    )
    return out


def _calls(calls: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(calls.items())) or "none"


def _export(section: dict[str, Any]) -> list[str]:
    """Seed, export and adoption of one agency: one run, wall seconds and the emulator's call counts."""
    exported, adoption = section["export"], section["adoption"]
    writes = ", ".join(f"{op} {n}" for op, n in adoption["writes"].items())
    out = [
        "",
        f"## 9. Export and adoption: {section['customers']} customers, {section['accounts']} accounts (one run)",
        "",
        "The agency is seeded in one `EmulatorControl.seed` request; `pulumi_msads.export.export` reads it through a",
        f"`ServiceClient` ({section['transport'].upper()}), one call at a time; `gitops.loads` loads the file;",
        "then every resource it declares is applied through the provider server as the first `pulumi up` on it",
        f"would, each Customer then its Accounts, {section['concurrency']} customers at a time. CPU seconds: this",
        "process / emulator (/ provider server).",
        "",
    ]
    out += _table(
        ["Step", "Seconds", "Calls", "Calls by operation", "CPU s", "Result"],
        [
            ["Seed (one control-plane request, not counted as calls)", section["seed_s"], None, None, None, None],
            [
                "Export",
                exported["seconds"],
                exported["total_calls"],
                _calls(exported["calls"]),
                " / ".join(f"{v:.2f}" for v in exported["cpu_s"].values()),
                f"{exported['customers']} customers, {exported['accounts']} accounts, {exported['bytes']} bytes"
                + ("" if exported["complete"] else " (**incomplete**)"),
            ],
            ["`gitops.loads` of the exported file", exported["loads_s"], None, None, None, "loads"],
            [
                f"Adoption ({adoption['resources']} resources, {adoption['ms_per_resource']:.1f} ms each)",
                adoption["seconds"],
                adoption["total_calls"],
                _calls(adoption["calls"]),
                " / ".join(f"{v:.2f}" for v in adoption["cpu_s"].values()),
                "engine steps: " + _calls(adoption["ops"]),
            ],
        ],
    )
    out += [
        "",
        f"Zero writes during the adoption ({writes}): {_cell(adoption['zero_writes'])}; every customer and account"
        f" adopted by the id the file names: {_cell(adoption['same_ids'])}.",
    ]
    return out


def _agency(section: dict[str, Any]) -> list[str]:
    """The agency's operations, each against its ideal (calls x latency / concurrency), measured in one run."""
    out = [
        "",
        f"## 10. An agency: {section['customers']} customers, {section['accounts']} accounts, at the service's latency",
        "",
        f"Every operation through a provider server of its own, as the CLI starts one per command "
        f"({section['transport'].upper()}, {section['concurrency']} operations at a time, the dynamic provider "
        "server's limit). Ideal: calls x latency / concurrency; efficiency: ideal / wall. Each added account is "
        "activated through the control plane as soon as it is created, as billing would (no account is added to "
        "a customer while another is in Draft), the primary accounts after the `up`. Added ms / op: each worker's",
        "time per resource beyond the latency its calls waited for (the engine side's gRPC, the provider server's",
        "marshalling, the activation), about the same at both latencies, which is why efficiency grows with latency.",
        "",
    ]
    out += _table(
        [
            "Latency ms",
            "Operation",
            "Resources",
            "Calls",
            "Calls each",
            "Ideal s",
            "Wall s",
            "Efficiency",
            "Added ms / op",
        ],
        [
            [
                r["latency_ms"],
                r["phase"],
                r["resources"],
                r["calls"],
                r["calls_per_resource"],
                r["ideal_seconds"],
                r["seconds"],
                r["efficiency"],
                r["added_ms_per_op"],
            ]
            for r in section["rows"]
        ],
    )
    out.append("")
    for ratio in section["refresh_ratios"]:
        out.append(
            f"- At {ratio['latency_ms']:g} ms a call, refresh in bulk made {ratio['fewer_calls']}x fewer calls and "
            f"took {ratio['faster']}x less time than one by one, the two measured in this run."
        )
    return out


CLI_COLUMNS = (("cli", "CLI"), ("cli-plugin-download", "CLI with plugin download"), ("harness", "Harness"))
CLI_VARIANTS = ("cli", "cli-plugin-download", "harness", "harness-warm")


def _median(row: dict[str, Any], variant: str) -> float | None:
    stats = row["ms"].get(variant)
    return None if stats is None else stats["median_ms"]


def _spread(row: dict[str, Any]) -> str:
    """Each variant's (max - min) / median, in the order of the columns, as percentages."""
    return ", ".join(f"{v} {row['ms'][v]['spread'] * 100:.0f}" for v in CLI_VARIANTS if v in row["ms"])


def _cli(cli: dict[str, Any]) -> list[str]:
    out = [
        "",
        f"## 7. The examples under the Pulumi CLI ({cli['cli_version']}), next to the harness "
        f"(median of {cli['iterations']})",
        "",
        "Each scenario is a new stack on an emptied emulator of the example's own; variants alternate scenario by",
        "scenario. Calls are the emulator's counts for the operation (the same in every variant and run, or the row",
        "says no). Variants:",
        "",
    ]
    out += [f"- `{name}`: {text}" for name, text in cli["variants"].items()]
    out += [""]
    out += _table(
        [
            "Example",
            "Operation",
            "Calls",
            "Same calls and steps everywhere",
            *(f"{label} ms" for _, label in CLI_COLUMNS),
            "Harness, warm server ms",
            "CLI / harness",
            "CLI with download / CLI",
            "Spread %: (max - min) / median",
        ],
        [
            [
                r["example"],
                r["label"],
                ", ".join(f"{k} {v}" for k, v in sorted(r["calls"].items())) or "none",
                r["calls_ok"] and r["steps_ok"],
                *(_median(r, variant) for variant, _ in CLI_COLUMNS),
                _median(r, "harness-warm"),
                r["ratio"],
                r["ratio_download_cost"],
                _spread(r),
            ]
            for r in cli["rows"]
        ],
    )
    profile = cli["profile"]
    if profile["operations"]:
        operations = profile["operations"]
        segments = list(dict.fromkeys(name for op in operations for name in op["by_segment"]))
        out += [
            "",
            f"### Where a command's time goes ({profile['example']}, `{profile['variant']}`, "
            "one run with `-v=9` logging)",
            "",
            "Segments between marks in the CLI's own log, in order; an `up` goes through each deployment-pass segment",
            "twice (its preview, then the update), and the figures add both.",
            "",
        ]
        out += _table(
            ["Segment", *(f"{op['operation']} ms" for op in operations)],
            [[name, *(op["by_segment"].get(name) for op in operations)] for name in segments]
            + [["total", *(op["total_ms"] for op in operations)]],
        )
    return out
