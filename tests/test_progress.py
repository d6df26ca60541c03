"""Progress lines: their format, one line per crossed multiple of `every`, the silence rules, and the callback from a
jitted `lax.scan` under `vmap` (one line per mark for the whole batch), in a Python loop and in `train_grid`."""

import io
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from replications.core import progress as progress_module
from replications.core import training
from replications.core.progress import Progress, format_duration, progress_line, report_step, track

LINE = re.compile(r"^\[(?P<label>[^\]]+)\] +(?P<percent>\d+)% \((?P<done>\d+)/(?P<total>\d+)\) ")


class FakeClock:
    """time.perf_counter for the progress module: `now` seconds, advanced by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(progress_module.time, "perf_counter", fake)
    return fake


def lines_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


def done_counts(text: str) -> list[int]:
    return [int(LINE.match(line)["done"]) for line in lines_of(text)]


def test_format():
    assert format_duration(0) == "0:00:00"
    assert format_duration(59.6) == "0:01:00"
    assert format_duration(3 * 3600 + 62) == "3:01:02"
    assert progress_line("sweep", 140, 400, 70.2, 130.0) == "[sweep]  35% (140/400) elapsed 0:01:10, left ~0:02:10"
    assert progress_line("sweep", 400, 400, 200.0, 0.0) == "[sweep] 100% (400/400) in 0:03:20"
    assert progress_line("x", 29, 100, 1, 1).startswith("[x]  29% ")  # floor of exact integers, not of 28.999...


def test_a_line_at_each_multiple_of_every(clock):
    out = io.StringIO()
    progress = Progress(100, "loop", stream=out)
    for done in range(1, 101):
        clock.now += 1.0
        progress.update(done)
    assert done_counts(out.getvalue()) == list(range(5, 101, 5))  # 20 lines, the last at 100 %
    first, last = lines_of(out.getvalue())[0], lines_of(out.getvalue())[-1]
    assert first == "[loop]   5% (5/100) elapsed 0:00:05, left ~0:01:35"  # 1 s a unit, from the first report
    assert last == "[loop] 100% (100/100) in 0:01:40"


def test_jumps_repeats_and_uneven_totals(clock):
    out = io.StringIO()
    progress = Progress(7, "seven", every=0.25, stream=out)
    for done in range(1, 8):
        progress.update(done)
    assert done_counts(out.getvalue()) == [2, 4, 6, 7]  # 28 %, 57 %, 85 %, 100 %: one line per crossed mark
    out = io.StringIO()
    progress = Progress(100, "jump", every=0.1, stream=out)
    for done in (3, 61, 61, 40, 64, 70, 250):  # a jump over marks prints once; counts that do not grow are ignored
        progress.update(done)
    assert done_counts(out.getvalue()) == [61, 70, 100]


def test_min_seconds_waits_for_a_measured_rate(clock):
    out = io.StringIO()
    progress = Progress(20, "short", min_seconds=60, stream=out)
    clock.now = 50.0  # a slow first item (a compilation): its time alone does not decide
    progress.update(1)
    for done in range(2, 21):
        clock.now += 0.1
        progress.update(done)
    assert out.getvalue() == ""  # 50 s + 19 x 0.1 s < 60 s: silent
    out = io.StringIO()
    progress = Progress(20, "long", min_seconds=60, stream=out)
    for done in range(1, 21):
        clock.now += 10.0
        progress.update(done)
    assert done_counts(out.getvalue()) == list(range(2, 21))  # speaks from the second report on (200 s expected)


def test_inner_progress_is_silent_and_track_counts_items(capfd):
    seen = []
    for item in track(["a", "b", "c", "d"], "outer", every=0.5):
        seen.extend(track(range(10), "inner"))
        seen.append(item)
    assert seen[-1] == "d" and len(seen) == 44
    assert [LINE.match(line)["label"] for line in lines_of(capfd.readouterr().out)] == ["outer", "outer"]
    with pytest.raises(TypeError, match="total"):
        list(track(iter(range(3)), "no length"))
    assert list(track(iter(range(3)), "given", total=3)) == [0, 1, 2]
    with pytest.raises(ValueError, match="total"):
        Progress(0, "empty")
    with pytest.raises(ValueError, match="every"):
        Progress(5, "bad", every=0.0)


def scan_under_vmap(steps: int, batched_counter: bool = False):
    """A jitted scan of `steps` steps that calls report_step, vmapped over 6 batch elements."""

    def one(x, t_T):
        def step(c, t):
            report_step(t, steps)
            return c * 0.5 + x, None

        return jax.lax.scan(step, x, t_T)[0]

    t_T = jnp.arange(steps)
    if batched_counter:
        return jax.jit(jax.vmap(one))(jnp.ones(6), jnp.tile(t_T, (6, 1)))
    return jax.jit(jax.vmap(one, in_axes=(0, None)))(jnp.ones(6), t_T)


@pytest.mark.parametrize("batched_counter", [False, True])
def test_scan_callback_under_vmap_prints_once_per_mark(capfd, batched_counter):
    with Progress(40, "scan"):  # report_step calls back every 2 steps
        out = np.asarray(scan_under_vmap(40, batched_counter))
    np.testing.assert_allclose(out, 2.0, rtol=1e-6)
    lines = lines_of(capfd.readouterr().out)
    assert [int(LINE.match(line)["percent"]) for line in lines] == list(range(5, 101, 5))  # 20 lines, not 6 x 20
    scan_under_vmap(40).block_until_ready()  # no Progress open: the callbacks do nothing
    assert capfd.readouterr().out == ""


def test_train_grid_reports_its_steps(capfd, monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype(np.float32)
    y = np.eye(2, dtype=np.float32)[rng.integers(0, 2, 16)]
    grid = training.hyperparameter_grid(learning_rate=[1e-3, 1e-2], weight_var=[1.0], bias_var=[0.0], seed=[0, 1])
    kwargs = dict(width=8, depth=1, activation="relu", steps=40, batch_size=8, eval_every=10)
    monkeypatch.setattr(training, "GRID_PROGRESS_SECONDS", 0.0)
    training.train_grid(grid, (x, y), (x, y), (x, y), **kwargs)
    lines = lines_of(capfd.readouterr().out)
    assert len(lines) == 20 and lines[-1].startswith("[train_grid: 4 nets, width 8, depth 1, 16 points] 100% (40/40)")
    # compiled for 80 steps, run for 30: reports every 4 steps of the 80, and at the 30th (report_step's `last`)
    training.train_grid(grid, (x, y), (x, y), (x, y), **kwargs | dict(steps=30), shape_steps=80)
    lines = lines_of(capfd.readouterr().out)
    assert lines[-1].startswith("[train_grid: 4 nets, width 8, depth 1, 16 points] 100% (30/30)")
    monkeypatch.setattr(training, "GRID_PROGRESS_SECONDS", 60.0)
    training.train_grid(grid, (x, y), (x, y), (x, y), **kwargs)  # a second or so: silent by default
    assert capfd.readouterr().out == ""
