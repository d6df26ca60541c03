"""Benchmark of a vmapped training sweep against the machine's own matrix-multiply rate, and of the cost of progress
callbacks in a jitted loop.

    pytest tests/benchmarks/bench_sweep.py -s

GEMM: `core.perf.gemm_rate`, a jitted float32 (2048 x 2048) @ (2048 x 2048) product, best of 7. Sweep: the muP
group's MLP (`replications/mup/mlp.py`: input 40, two hidden layers of width 1024, 10 classes, muP, SGD with
momentum, cross-entropy) trained by `replications/mup/sweep.train_sweep` for 8 learning rates x 2 seeds (16 nets as
one program), batch 64, 50 steps, measured as the pipeline's jobs are (`core.perf.recording`): FLOPs from XLA's cost
analysis of one step (`perf.step_flops`) x steps x nets, the analytic 6 x batch x weights beside it (forward 2,
backward 4; the biases, multiplied by 0, are not counted), timed without tracing and compilation (JAX's own
compile-time events), best of two. The issue's aim for the sweep is >= 50 % of the GEMM rate: the test prints the
fraction and whether it meets the aim; it fails only if nothing could be measured. Progress: a vmapped scan of
small steps with and without `replications.core.progress.report_step`: the extra cost of a step must stay under 2 us
(a small training step takes 100 us and more). The file name keeps it out of the default test run (pytest collects
test_*.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from replications.core import perf
from replications.core.nets import init_mlp
from replications.core.progress import Progress, report_step
from replications.mup import mlp, sweep

GEMM_SIZE = 2048
INPUT_DIM, WIDTH, CLASSES, BATCH, STEPS, TRAIN_POINTS = 40, 1024, 10, 64, 50, 4096
LEARNING_RATES, SEEDS = 8, 2
AIM = 0.50
MAX_EXTRA_US = 2.0  # progress callbacks: the most a step may cost more, in microseconds
TRAINING_STEP_US = 100.0  # a small training step, to put that cost in proportion
_rates: dict[str, float] = {}


def _gemm_rate() -> float:
    if "gemm" not in _rates:
        _rates["gemm"] = perf.gemm_rate(GEMM_SIZE)
    return _rates["gemm"]


def test_gemm_rate():
    rate = _gemm_rate()
    print(f"\nGEMM float32 {GEMM_SIZE}^3: {rate / 1e9:.1f} GFLOP/s (best of 7)")
    assert rate > 0


def test_sweep_flop_rate_against_gemm(tmp_path):
    setup = mlp.mlp_setup(INPUT_DIM, WIDTH, CLASSES, parametrization="mup", base_width=128, optimizer="sgd")
    rng = np.random.default_rng(0)
    x_NxD = rng.normal(size=(TRAIN_POINTS, INPUT_DIM)).astype(np.float32)
    y_N = rng.integers(0, CLASSES, TRAIN_POINTS)
    nets = LEARNING_RATES * SEEDS
    weights = sum(fan_in * fan_out for fan_in, fan_out in zip(setup.sizes[:-1], setup.sizes[1:], strict=True))
    analytic_flops = 6 * BATCH * weights * nets * STEPS
    timings = []
    for attempt in range(2):
        record_path = tmp_path / f"sweep{attempt}.perf.json"
        with perf.recording(record_path):
            losses = sweep.train_sweep(
                lambda key, h: init_mlp(key, setup.sizes, h["scales"]),
                lambda p, xb, yb, h: mlp.cross_entropy(mlp.logits(p, xb, h["scales"]), yb),
                sweep.sgd(0.9),
                x_NxD,
                y_N,
                hypers=[{"scales": list(setup.scales), "lr_factors": setup.lr_factors}],
                learning_rates=2.0 ** np.linspace(-8.0, -1.0, LEARNING_RATES)[None],
                seeds=list(range(SEEDS)),
                steps=STEPS,
                batch=BATCH,
            )
        record = json.loads(record_path.read_text())
        wall, compile_s = record["wall_seconds"], record["compile_seconds"]
        timings.append((wall - compile_s, wall, compile_s, record["flops"]))
    assert losses.shape == (1, LEARNING_RATES, SEEDS, STEPS) and np.isfinite(losses[0, 0]).all()
    run, wall, compile_s, flops = min(timings)
    sweep_rate, gemm_rate = flops / run, _gemm_rate()
    fraction = sweep_rate / gemm_rate
    verdict = "meets" if fraction >= AIM else "is below"
    print(
        f"\nsweep: {nets} nets ({LEARNING_RATES} learning rates x {SEEDS} seeds) of {weights:,} weights, "
        f"batch {BATCH}, {STEPS} steps: {flops / 1e9:.0f} GFLOP (XLA's count; 6 x batch x weights: "
        f"{analytic_flops / 1e9:.0f}) in {run:.2f} s "
        f"({wall:.2f} s wall, {compile_s:.2f} s compiling)"
        f"\nsweep {sweep_rate / 1e9:.1f} GFLOP/s, GEMM {gemm_rate / 1e9:.1f} GFLOP/s: {fraction:.0%} of the GEMM "
        f"rate, which {verdict} the aim of {AIM:.0%}"
    )
    assert run > 0 and sweep_rate > 0


def _scan_program(steps: int, with_progress: bool) -> Callable[[jax.Array, jax.Array], jax.Array]:
    """A scan of `steps` tanh layers, vmapped over the rows of x, with or without the progress callback."""

    def one(x_D: jax.Array, w_DxD: jax.Array) -> jax.Array:
        def step(h_D, t):
            if with_progress:
                report_step(t, steps)
            return jnp.tanh(h_D @ w_DxD), None

        return jax.lax.scan(step, x_D, jnp.arange(steps))[0]

    return jax.jit(jax.vmap(one, in_axes=(0, None)))


def _scan_seconds(steps: int, batch: int, dim: int) -> tuple[float, float]:
    """Best-of-7 seconds of the scan without and with progress callbacks (interleaved, so that a change in the
    machine's load hits both alike); the callbacks reach an open Progress, which stays silent."""
    x_BxD = jax.random.normal(jax.random.key(0), (batch, dim))
    w_DxD = jax.random.normal(jax.random.key(1), (dim, dim)) / np.sqrt(dim)
    programs = {"plain": _scan_program(steps, False), "reported": _scan_program(steps, True)}
    times = {name: [] for name in programs}
    with Progress(steps, "bench", min_seconds=3600):
        results = {name: program(x_BxD, w_DxD).block_until_ready() for name, program in programs.items()}
        for _ in range(7):
            for name, program in programs.items():
                start = time.perf_counter()
                program(x_BxD, w_DxD).block_until_ready()
                times[name].append(time.perf_counter() - start)
    np.testing.assert_allclose(results["plain"], results["reported"])
    return min(times["plain"]), min(times["reported"])


def test_progress_callbacks_cost_little():
    """A step pays a fixed cost for the test of whether to call back (a `lax.cond`), measured on steps of a couple
    of microseconds, where it shows; a training step (a batch through a net: 100 us and up) does not notice it."""
    steps = 20_000
    plain_s, reported_s = _scan_seconds(steps, batch=16, dim=64)
    extra_us = (reported_s - plain_s) / steps * 1e6
    print(
        f"\nprogress: {steps} steps of {plain_s / steps * 1e6:.2f} us (16 x 64 x 64, vmapped) cost {extra_us:+.2f} us "
        f"a step more with callbacks every 5 % ({reported_s / plain_s - 1:+.0%}): "
        f"{max(extra_us, 0) / TRAINING_STEP_US:.2%} of a {TRAINING_STEP_US:.0f} us training step"
    )
    assert extra_us < MAX_EXTRA_US, f"progress callbacks cost {extra_us:.2f} us a step"
