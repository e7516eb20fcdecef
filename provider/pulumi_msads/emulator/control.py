"""The emulator's test-facing state: call counts, injected faults and added latency.

Kept in memory, apart from the service's data, and reset by ``POST /_emulator/reset``. Tests and
benchmarks read round trips from the call counts and make the service misbehave on purpose with
fault rules, in the spirit of moto's ``/moto-api/`` and LocalStack's fault injection.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from .. import wsdl

Phase = Literal["before", "after"]
MAX_DELAY = 300.0

_JSON_FIELDS: dict[str, tuple[tuple[type, ...], str]] = {
    "operation": ((str,), "an operation name"),
    "count": ((int,), "an integer"),
    "skip": ((int,), "an integer"),
    "code": ((int,), "an integer error code"),
    "http_status": ((int,), "an integer HTTP status"),
    "drop": ((bool,), "true or false"),
    "delay": ((int, float), "a number of seconds"),
    "phase": ((str,), '"before" or "after"'),
    "probability": ((int, float), "a number above 0 and at most 1"),
    "seed": ((int,), "an integer"),
}
"""What ``POST /_emulator/faults`` accepts: each field's JSON types and how to describe them."""


@dataclass
class FaultRule:
    """Misbehave on the next ``count`` calls of ``operation`` (any operation when None), after
    letting the first ``skip`` of them through (to hit a step's second call, not its first).

    Exactly one of ``code`` (a SOAP fault with that error code, in the shape the real service
    uses for it), ``http_status`` (a bare HTTP error) or ``drop`` (close the connection without
    answering) says what happens; ``delay`` (seconds) may come alone or with any of them.
    ``phase`` says whether the operation's change is committed first ("after") or not ("before").
    ``probability`` makes each matching call misbehave only with that chance (a call spared is not
    counted against ``count``); ``seed`` makes the draws repeatable.
    """

    operation: str | None = None
    count: int = 1
    skip: int = 0
    code: int | None = None
    http_status: int | None = None
    drop: bool = False
    delay: float = 0.0
    phase: Phase = "before"
    probability: float = 1.0
    seed: int | None = None
    id: int = 0
    fired: int = 0
    _draws: random.Random = field(default_factory=random.Random, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 < self.probability <= 1:
            raise ValueError("probability must be above 0 and at most 1")
        if self.seed is not None:
            self._draws.seed(self.seed)
        if not 0 <= self.delay <= MAX_DELAY:
            raise ValueError(f"delay must be between 0 and {MAX_DELAY} seconds")
        actions = sum((self.code is not None, self.http_status is not None, self.drop))
        if actions > 1:
            raise ValueError("a fault rule takes at most one of code, http_status and drop")
        if actions == 0 and self.delay <= 0:
            raise ValueError("a fault rule needs code, http_status, drop or a positive delay")
        if self.count < 1:
            raise ValueError("count must be at least 1")
        if self.skip < 0:
            raise ValueError("skip must be 0 or more")
        if self.phase not in ("before", "after"):
            raise ValueError("phase must be 'before' or 'after'")
        if self.http_status is not None and not 400 <= self.http_status <= 599:
            raise ValueError("http_status must be an HTTP error status (400-599)")
        if self.code is not None and self.code < 0:
            raise ValueError("code must be an error code (0 or more)")

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> FaultRule:
        """A rule from the JSON of ``POST /_emulator/faults``; ValueError says what is wrong with it."""
        unknown = sorted(set(body) - set(_JSON_FIELDS))
        if unknown:
            raise ValueError(f"unknown fault rule field(s) {unknown}; allowed: {sorted(_JSON_FIELDS)}")
        values: dict[str, Any] = {}
        for name, value in body.items():
            if value is None:
                continue
            kinds, description = _JSON_FIELDS[name]
            if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
                raise ValueError(f"{name} must be {description}")
            values[name] = value
        operation = values.get("operation")
        if operation is not None and operation not in wsdl.operation_names():
            raise ValueError(f"operation {operation!r} is not an operation of the Customer Management service")
        return cls(**values)

    def describe(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}

    def strikes(self) -> bool:
        """Whether this matching call is one the rule acts on (always, unless ``probability`` < 1)."""
        return self.probability >= 1 or self._draws.random() < self.probability


class RateLimit:
    """The service's throttle, offline: at most ``calls`` calls in any sliding ``window`` of seconds.

    Microsoft counts calls per minute over a sliding window and answers the excess with error 117
    (guides/services-protocol.md, "Throttling"); a refused call does not use up the allowance.
    """

    def __init__(self, calls: int, window: float = 60.0) -> None:
        if calls < 1:
            raise ValueError("calls_per_minute must be at least 1")
        if not 0 < window <= 3600:
            raise ValueError("window_seconds must be above 0 and at most 3600")
        self.calls, self.window = calls, window
        self._times: deque[float] = deque()

    def admit(self, now: float) -> bool:
        """Count a call made at ``now`` (monotonic seconds) if the window has room; False if it is throttled."""
        while self._times and self._times[0] <= now - self.window:
            self._times.popleft()
        if len(self._times) >= self.calls:
            return False
        self._times.append(now)
        return True

    def describe(self) -> dict[str, Any]:
        return {"calls_per_minute": self.calls, "window_seconds": self.window}


@dataclass
class ControlState:
    """Counts and rules shared by every request thread of one emulator process."""

    latency: float = 0.0
    rate_limit: RateLimit | None = None
    """Set by ``POST /_emulator/rate-limit``; a reset puts back ``started_with`` (``--calls-per-minute``)."""
    started_with: int | None = None
    generation: int = 0
    """Counts resets: a request that arrived before the last one is not carried out after it."""
    _calls: Counter[str] = field(default_factory=Counter)
    _faces: Counter[str] = field(default_factory=Counter)
    _in_flight: int = 0
    _max_in_flight: int = 0
    """The most calls in the emulator at once since the last reset of the counts: how many a client keeps
    in flight (the dynamic provider server's four, the native provider's up to the engine's parallelism)."""
    _rules: list[FaultRule] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record_call(self, operation: str, face: str = "soap") -> None:
        """Count one call of ``operation``, and which face (``soap`` or ``rest``) it came through."""
        with self._lock:
            self._calls[operation] += 1
            self._faces[face] += 1

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        """One call inside the emulator, from its count to its answer (latency and injected delays included)."""
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def admit(self) -> bool:
        """Whether the rate limit (if any) lets this call through; a throttled call is answered with 117."""
        with self._lock:
            return self.rate_limit is None or self.rate_limit.admit(time.monotonic())

    def set_rate_limit(self, limit: RateLimit | None) -> None:
        with self._lock:
            self.rate_limit = limit

    def calls(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": dict(sorted(self._calls.items())),
                "total": sum(self._calls.values()),
                "faces": dict(sorted(self._faces.items())),
                "max_in_flight": self._max_in_flight,
            }

    def add_rule(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            rule.id = next(self._ids)
            self._rules.append(rule)
            return rule

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.describe() for r in self._rules]

    def take_rule(self, operation: str) -> FaultRule | None:
        """The first rule that applies to this call, used up by one; None when none applies."""
        with self._lock:
            for rule in self._rules:
                if rule.operation in (None, operation):
                    if rule.skip > 0:  # this call goes through untouched, whatever later rules say
                        rule.skip -= 1
                        return None
                    if not rule.strikes():  # spared by chance, like the skipped ones
                        return None
                    rule.fired += 1
                    if rule.fired >= rule.count:
                        self._rules.remove(rule)
                    return rule
            return None

    def clear_rules(self) -> None:
        with self._lock:
            self._rules.clear()

    def reset(self, *, calls: bool = True, faults: bool = True) -> None:
        """Forget the call counts, and the fault rules with the added latency."""
        with self._lock:
            self.generation += 1
            if calls:
                self._calls.clear()
                self._faces.clear()
                self._max_in_flight = self._in_flight
            if faults:
                self._rules.clear()
                self.latency = 0.0
                self.rate_limit = None if self.started_with is None else RateLimit(self.started_with)
