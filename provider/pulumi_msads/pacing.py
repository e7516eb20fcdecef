"""Client-side pacing: at most N calls in any sliding window, shared by every thread of the process.

The service throttles each user over a sliding 60-second window and answers the excess with error
117, CallRateExceeded (guides/services-protocol.md, "Handle Throttling"). A ``pulumi up`` of an agency
runs many resource operations at once, each a few calls; a ``Pacer`` makes them wait their turn
instead of being refused. ``ServiceClient`` holds one (``msads:maxCallsPerMinute``), and the provider
process holds one ServiceClient for both provider classes and all their threads (``runtime``).

A call takes its place in the window when it is sent and keeps it until a whole window after its
answer came: the service counts the call when it arrives, at some moment in between, so a window
measured from the answer never starts early, however long the round trip took. Retries are calls
like any other (the service counts every call), so each attempt takes a place.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .errors import CancelledError


class Pacer:
    """At most ``calls`` calls in any sliding ``window`` of seconds, across the threads that share it.

    ``clock`` (monotonic seconds) and ``sleep`` are parameters for tests, and go together: a ``sleep``
    that does not move ``clock`` would leave a full window full. So the default is ``time.sleep``,
    not ``client.sleep``, which tests replace to record retry waits. ``window`` is a parameter too,
    so that tests need not wait minutes; users set calls per minute only.
    """

    def __init__(
        self,
        calls: int,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        cancelled: threading.Event | None = None,
    ) -> None:
        if calls < 1:
            raise ValueError("a pacer needs room for at least one call")
        if not window > 0:
            raise ValueError("a pacer's window must be longer than 0 seconds")
        self.calls, self.window = calls, window
        self._clock, self._sleep = clock, sleep
        self._ended: deque[float] = deque()
        """When each finished call still in the window was answered, oldest first."""
        self._running = 0
        """Calls sent and not yet answered: each holds a place until a window after its answer."""
        self._changed = threading.Condition()
        self._cancelled = cancelled or threading.Event()
        """Set when the deployment is cancelled (``ServiceClient.cancel``): a call waiting for room stops."""

    @contextmanager
    def turn(self) -> Iterator[float]:
        """Wait for room, then hold a place while the block (one call) runs; yields the seconds waited."""
        waited = self.acquire()
        try:
            yield waited
        finally:
            self.release()

    def acquire(self) -> float:
        """Block until the window has room for one more call and take it; return the seconds waited."""
        started = self._clock()
        waited = False
        with self._changed:
            while True:
                if self._cancelled.is_set():
                    raise CancelledError(
                        "a call waiting for msads:maxCallsPerMinute: stopped, the deployment was cancelled"
                    )
                now = self._clock()
                while self._ended and self._ended[0] <= now - self.window:
                    self._ended.popleft()
                if self._running + len(self._ended) < self.calls:
                    self._running += 1
                    return max(0.0, now - started) if waited else 0.0
                waited = True
                if not self._ended:  # every place is held by a call in flight: wait for an answer
                    self._changed.wait()
                    continue
                delay = self._ended[0] + self.window - now
                self._changed.release()  # others may answer (release) while this one sleeps
                try:
                    if self._sleep is time.sleep:
                        self._cancelled.wait(delay)  # a cancel ends the wait at once
                    else:
                        self._sleep(delay)
                finally:
                    self._changed.acquire()

    def wake(self) -> None:
        """Wake every call waiting for room (the deployment was cancelled: they stop)."""
        with self._changed:
            self._changed.notify_all()

    def release(self) -> None:
        """The call that ``acquire`` let through was answered (or failed): its window starts now."""
        with self._changed:
            self._running -= 1
            self._ended.append(self._clock())
            self._changed.notify_all()
