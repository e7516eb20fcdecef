"""How a README quote is compared with what the CLI printed: only what varies from run to run is masked."""

from __future__ import annotations

from .support import _normalized


def test_a_tracking_id_whose_last_group_is_all_digits_is_masked_as_a_tracking_id() -> None:
    printed = "error: failed [TrackingId: 38aa2478-cc04-43c5-9ae2-660402856885]"
    quoted = "error: failed [TrackingId: 2f1c...]"
    assert _normalized(printed) == _normalized(quoted)


def test_ids_names_and_times_are_masked_and_the_words_are_not() -> None:
    printed = "live customer 251000003 (number C00045FSUB, Active, last changed 2026-12-02T12:34:41+00:00)"
    assert _normalized(printed) == "live customer <id> (number <number>, Active, last changed <time>)"
