"""Progress lines for long jobs: the fraction done, the time elapsed and an estimate of the time left.

    [nn_search] 35% (140/400) elapsed 0:01:10, left ~0:02:10

A `Progress` prints one such line each time the work done crosses the next multiple of `every` (default 5 %, so at
most 20 lines and a last one at 100 %), to stdout with flush=True: a rule sends its job's stdout to the job's log.

    for item in track(items, "draws"):  ...                 # a Python loop
    with Progress(steps, "train_grid"):                     # a jitted loop: its steps call `report_step`
        result = np.asarray(program(...))                   # block on the result inside the `with`

Inside jitted code, `report_step(step, total)` (e.g. in the body of a `lax.scan`) calls `jax.debug.callback` every
~`every * total` steps, and the host passes the count to the innermost open `Progress`; with none open it does
nothing, so a cached program can be traced once and reported on in every call. Under `vmap`, give it a step
counter that is not batched (the scan's own index, e.g. `xs=jnp.arange(steps)` built inside the mapped function or
passed with in_axes None): the callback then runs once per report for the whole batch, and a step pays only the
test of whether to call back (a `lax.cond`: about 0.2 us on a CPU, tests/benchmarks/bench_sweep.py). A batched
counter makes the test a `select`, so the callback runs at every step for every batch element: the lines come out
the same (the host prints each mark once) but each step pays a host round trip.

The time left is extrapolated from the rate since the first report, so the compilation before a jitted loop's first
step, or a slow first iteration, does not inflate it. Two rules keep the logs short: a `Progress` opened while
another is open stays silent (the outer loop reports), and one with `min_seconds` stays silent until its estimated
total time (from a rate measured between two reports) reaches that many seconds: a short library loop called many
times says nothing.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Iterator, Sized
from types import TracebackType
from typing import Any, TextIO, TypeVar

from replications.core.checks import check_positive_int

DEFAULT_EVERY = 0.05
T = TypeVar("T")

_open: list[Progress] = []  # open reporters, innermost last: where the callbacks of jitted loops go
_lock = threading.Lock()  # debug callbacks run on XLA's threads


def format_duration(seconds: float) -> str:
    """h:mm:ss of a non-negative number of seconds (rounded to whole seconds)."""
    seconds = max(0, round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def progress_line(label: str, done: int, total: int, elapsed: float, left: float) -> str:
    """`[label] 35% (140/400) elapsed 0:01:10, left ~0:02:10`; at the end `[label] 100% (400/400) in 0:03:20`."""
    head = f"[{label}] {100 * done // total:3d}% ({done}/{total})"
    if done >= total:
        return f"{head} in {format_duration(elapsed)}"
    return f"{head} elapsed {format_duration(elapsed)}, left ~{format_duration(left)}"


class Progress:
    """Reports `update(done)` calls for `total` units of work as lines (module docstring); a context manager.

    `every`: the fraction of the work between lines (0 < every <= 1). `min_seconds`: stay silent while the
    estimated total time is below this. `stream`: where lines go (default: sys.stdout at the time of each line).
    """

    def __init__(
        self,
        total: int,
        label: str,
        *,
        every: float = DEFAULT_EVERY,
        min_seconds: float = 0.0,
        stream: TextIO | None = None,
    ) -> None:
        check_positive_int("total", total)
        if not 0 < every <= 1:
            raise ValueError(f"every must be in (0, 1], got {every!r}")
        self.total, self.label, self.every, self.min_seconds = total, label, every, min_seconds
        self.stream = stream
        self.quiet = False  # set when opened inside another Progress
        self.start = time.perf_counter()
        self._first: tuple[float, int] | None = None  # (time, done) of the first update: the rate's origin
        self._done = 0
        self._next_mark = 1  # the next multiple of `every` that prints a line
        self._speaking = min_seconds <= 0

    def update(self, done: int) -> None:
        """`done` units of the total are finished (counts that do not increase are ignored; a first update with
        0 done marks the start of the work, e.g. after a compilation, for the estimate of the time left)."""
        with _lock:
            done = min(int(done), self.total)
            now = time.perf_counter()
            if self._first is None:
                self._first = (now, done)
            if done <= self._done:
                return
            self._done = done
            fraction = done / self.total
            if done < self.total and fraction < self._next_mark * self.every - 1e-9:
                return
            self._next_mark = math.floor(fraction / self.every + 1e-9) + 1
            elapsed = now - self.start
            left = self._time_left(now, done)
            measured = done > self._first[1]  # a rate, not the first report's time, which may hold a compilation
            if not self._speaking and measured and elapsed + left >= self.min_seconds:
                self._speaking = True
            if self._speaking and not self.quiet:
                print(progress_line(self.label, done, self.total, elapsed, left), file=self.stream, flush=True)

    def _time_left(self, now: float, done: int) -> float:
        first_time, first_done = self._first
        if done > first_done:
            return (self.total - done) * (now - first_time) / (done - first_done)
        return (self.total - done) * (now - self.start) / done  # one report so far: extrapolate from the start

    def __enter__(self) -> Progress:
        with _lock:
            self.quiet = bool(_open)
            _open.append(self)
        self.start = time.perf_counter()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        with _lock:
            _open.remove(self)


def track(
    items: Iterable[T],
    label: str,
    *,
    total: int | None = None,
    every: float = DEFAULT_EVERY,
    min_seconds: float = 0.0,
) -> Iterator[T]:
    """Yield `items`, reporting after each one has been processed (`total` defaults to len(items))."""
    if total is None:
        if not isinstance(items, Sized):
            raise TypeError("track needs total= for an iterable without a length")
        total = len(items)
    with Progress(total, label, every=every, min_seconds=min_seconds) as progress:
        for done, item in enumerate(items, 1):
            yield item
            progress.update(done)


def report_step(step: Any, total: int, every: float = DEFAULT_EVERY, *, last: Any = None) -> None:
    """In traced code: in step `step` (0-based, a traced integer) of `total` (static), report `step + 1` done to
    the innermost open `Progress` every max(1, floor(every * total)) steps and at the last step, and 0 done at step 0
    (the start of the loop, after its compilation: the origin of the estimate of the time left). `last`: the number
    of steps this run of a loop compiled for `total` takes where it stops early (may be traced); it reports there too.

    Under `vmap` pass a counter that is not batched (module docstring).
    """
    import jax  # only jitted loops need jax: a Python loop's progress does not pay its import

    interval = max(1, math.floor(every * total))
    done = step + 1
    start = (step == 0) & (total > 1)
    jax.lax.cond(
        start | (done % interval == 0) | (done == total) | (False if last is None else done == last),
        lambda: jax.debug.callback(_report_to_open, jax.numpy.where(start, 0, done), ordered=False),
        lambda: None,
    )


def _report_to_open(done: Any) -> None:
    with _lock:
        progress = _open[-1] if _open else None
    if progress is not None:
        progress.update(int(done))
