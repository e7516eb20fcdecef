"""The program's side of a large stack: constructing N Customer resources under ``pulumi.runtime.set_mocks``.

Run as ``python -m bench.program_side N`` (or through ``main(N)``) in a fresh process per size, as ``pulumi up``
runs the program: the SDK serializes the provider (``__provider``) once per dynamic resource, and state that builds
up inside one process (notes 1.7: every ``serialize_provider`` call wraps a pickle method once more) must not leak
from one size into the next. Prints one JSON object.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from typing import Any

from tests.harness import RecordingMocks, run_program

from pulumi_msads import Customer, CustomerArgs, PrimaryAccountArgs

from .common import ADDRESS


def measure(count: int) -> dict[str, Any]:
    mocks = RecordingMocks()
    constructed: list[float] = []

    def program() -> None:
        started = time.perf_counter()
        for i in range(count):
            Customer(
                f"customer-{i}",
                CustomerArgs(
                    name=f"Customer {i}",
                    industry="Retail",
                    market_country="US",
                    market_language="English",
                    parent_customer_id="251000001",
                    account=PrimaryAccountArgs(
                        name=f"Customer {i} - Search", currency_code="USD", business_address=dict(ADDRESS)
                    ),
                ),
            )
        constructed.append(time.perf_counter() - started)

    started = time.perf_counter()
    try:
        run_program(program, mocks)
    except RecursionError:
        return {"resources": count, "error": "RecursionError", "traceback": traceback.format_exc()[-2000:]}
    total = time.perf_counter() - started
    registered = len(mocks.resources)
    if registered != count:
        return {"resources": count, "error": f"{registered} of {count} resources were registered"}
    return {
        "resources": count,
        "construct_s": round(constructed[0], 4),
        "total_s": round(total, 4),
        "ms_per_resource": round(total / count * 1000, 3),
        "construct_ms_per_resource": round(constructed[0] / count * 1000, 3),
    }


def main(count: int) -> None:
    print(json.dumps(measure(count)))


if __name__ == "__main__":
    main(int(sys.argv[1]))
