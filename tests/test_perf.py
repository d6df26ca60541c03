"""core/perf.py: the FLOP count of one step against the hand count, the job record (compile time, FLOPs), the
memory budget's precedence, the GEMM rate; and the sweep's and the grid trainer's counts."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from replications.core import perf
from replications.core.training import hyperparameter_grid, train_grid


def test_step_flops_counts_a_product_as_2_m_n_k():
    a, b = jax.ShapeDtypeStruct((64, 256), jnp.float32), jax.ShapeDtypeStruct((256, 128), jnp.float32)
    assert perf.step_flops(jnp.matmul, a, b) == 2 * 64 * 256 * 128
    # a loss and its gradient with respect to w: the forward and one backward product (x is not differentiated),
    # and a few operations per element of the (64, 128) output
    flops = perf.step_flops(jax.value_and_grad(lambda w, x: jnp.sum(jnp.tanh(x @ w))), b, a)
    assert 2 * (2 * 64 * 256 * 128) < flops < 2.05 * (2 * 64 * 256 * 128)


def test_recording_writes_compile_time_and_flops(tmp_path):
    path = tmp_path / "benchmarks/job.perf.json"
    with perf.recording(path):
        jax.jit(lambda x: jnp.sin(x) * 3.0 + 17.0)(jnp.arange(7.0)).block_until_ready()  # a program never seen
        perf.add_flops(1e9)
        perf.add_flops(5e8)
    record = json.loads(path.read_text())
    assert record["flops"] == 1.5e9 and record["backend_compiles"] >= 1
    assert 0 < record["compile_seconds"] <= record["wall_seconds"]
    with perf.recording(path):  # a fresh record: no FLOPs counted is null, not 0
        pass
    assert json.loads(path.read_text())["flops"] is None


def test_memory_budget_precedence(monkeypatch):
    monkeypatch.delenv(perf.MEM_MB_ENV, raising=False)
    assert perf.memory_budget_bytes(100) == 100 * 2**20  # the config's own budget first
    assert perf.memory_budget_bytes() is None  # a CPU without a job's mem_mb: no limit
    monkeypatch.setenv(perf.MEM_MB_ENV, "8000")
    assert perf.memory_budget_bytes() == 8000 * 2**20


def test_gemm_rate_is_a_rate():
    assert perf.gemm_rate(size=256, repeats=2) > 1e8  # any CPU of this century does 0.1 GFLOP/s


def test_train_grid_counts_its_flops(tmp_path):
    rng = np.random.default_rng(0)
    split = lambda n: (rng.normal(size=(n, 5)).astype(np.float32), np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)])  # noqa: E731
    grid = hyperparameter_grid(learning_rate=[1e-3], weight_var=[1.0], bias_var=[0.0], seed=[0, 1])
    with perf.recording(tmp_path / "r.json"):
        train_grid(grid, split(20), split(10), split(6), width=8, depth=2, activation="relu", steps=4,
                   batch_size=5, eval_every=2)  # fmt: skip
    weights = 5 * 8 + 8 * 8 + 8 * 3
    expected = 2 * 2 * weights * (3 * 4 * 5 + 3 * (20 + 10) + 6)  # 2 nets; steps, 3 evaluations, the test set
    assert json.loads((tmp_path / "r.json").read_text())["flops"] == pytest.approx(expected)


def test_sweep_counts_six_flops_per_weight_and_example(tmp_path):
    """train_sweep costs one net's step with XLA: about 6 x batch x weights for an MLP (forward 2, backward 4) plus
    the elementwise work, times steps x nets."""
    from replications.core.nets import init_mlp
    from replications.mup import mlp, sweep

    setup = mlp.mlp_setup(10, 64, 10, parametrization="mup", base_width=16, optimizer="sgd")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 10)).astype(np.float32), rng.integers(0, 10, 64)
    with perf.recording(tmp_path / "r.json"):
        sweep.train_sweep(
            lambda k, h: init_mlp(k, setup.sizes, h["scales"]),
            lambda p, xb, yb, h: mlp.cross_entropy(mlp.logits(p, xb, h["scales"]), yb),
            sweep.sgd(0.9), x, y, hypers=[{"scales": list(setup.scales), "lr_factors": setup.lr_factors}],
            learning_rates=np.array([[0.1, 0.2, 0.4]]), seeds=[0, 1], steps=3, batch=16,
        )  # fmt: skip
    weights = 10 * 64 + 64 * 64 + 64 * 10
    counted = json.loads((tmp_path / "r.json").read_text())["flops"]
    assert 1.0 <= counted / (6 * 16 * weights * 3 * 6) < 1.3


def test_step_flops_counts_a_scan_as_often_as_it_runs():
    """XLA's cost analysis counts a loop body once: a loss over 8 layers as a `lax.scan` (and its gradient, a
    second scan) must cost what the same 8 layers unrolled cost."""
    w_LxDxD = jax.ShapeDtypeStruct((8, 64, 64), jnp.float32)
    x_BxD = jax.ShapeDtypeStruct((32, 64), jnp.float32)

    def scanned(w, x):
        return jnp.sum(jax.lax.scan(lambda h, w_l: (jnp.tanh(h @ w_l), None), x, w)[0])

    def unrolled(w, x):
        for layer in range(8):
            x = jnp.tanh(x @ w[layer])
        return jnp.sum(x)

    for loss in (scanned, unrolled):
        assert perf.step_flops(loss, w_LxDxD, x_BxD) >= 8 * 2 * 32 * 64 * 64
    forward = perf.step_flops(scanned, w_LxDxD, x_BxD)
    assert forward == pytest.approx(perf.step_flops(unrolled, w_LxDxD, x_BxD), rel=0.05)
    step = perf.step_flops(jax.value_and_grad(scanned), w_LxDxD, x_BxD)
    assert step == pytest.approx(perf.step_flops(jax.value_and_grad(unrolled), w_LxDxD, x_BxD), rel=0.05)
