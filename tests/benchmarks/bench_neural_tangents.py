"""The kernel library against neural-tangents, same machine, same run: `make bench-nt` (builds .venv-nt first).

    NEURAL_TANGENTS_PYTHON=.venv-nt/bin/python pytest tests/benchmarks/bench_neural_tangents.py -s

The problem of `bench_kernels.py`: NNGP and NTK together, float64, 3000 inputs of dimension 784 (standardized
Gaussian rows), depth 10, weight_var 1.6, bias_var 0.1, for relu and erf. neural-tangents 0.6.5 (its last release)
does not import with the project's JAX, so it runs in its own environment (envs/neural-tangents.lock, jax 0.4.30)
through `neural_tangents_kernels.py`, on the same inputs, between two timings of ours (each the fastest of three
calls after one that compiles; ours is the faster of the two, so a load change during the run hits both sides).

Checks: the two libraries' matrices agree (relative to the matrix's largest entry) to 1e-12 for the NNGP and, off
the diagonal, for the NTK (measured: 5e-15 and below). On the relu NTK's diagonal neural-tangents is about 6e-8
low: it computes an input's correlation with itself as 1 - O(1e-16), where arccos' slope is infinite
(arccos(1 - e) ~ sqrt(2 e)); ours is exactly 1 there, and the test checks our diagonal against the closed-form
recursion K <- b + w K / 2, Theta <- K + w Theta / 2. Speed: the aim of issue 19 is >= 3x faster than
neural-tangents for both activations. The file name keeps it out of the default test run (pytest collects
test_*.py); without neural-tangents' Python the test skips and says how to get it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from replications.core.kernels import fc_kernel

N, D, DEPTH, WEIGHT_VAR, BIAS_VAR = 3000, 784, 10, 1.6, 0.1
ACTIVATIONS = ("relu", "erf")
AIM = 3.0
AGREE = 1e-12
REPO = Path(__file__).resolve().parents[2]
NT_PYTHON = Path(os.environ.get("NEURAL_TANGENTS_PYTHON", REPO / ".venv-nt/bin/python"))
NT_SCRIPT = Path(__file__).with_name("neural_tangents_kernels.py")


def _inputs() -> np.ndarray:
    x = np.random.default_rng(0).normal(size=(N, D))
    return (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)  # as Lee et al.'s standardized MNIST


def _ours(x_NxD: np.ndarray, activation: str):
    """(kernel, fastest wall seconds, its CPU seconds) of three calls after one that compiles."""
    options = dict(depth=DEPTH, activation=activation, weight_var=WEIGHT_VAR, bias_var=BIAS_VAR)
    kernel = fc_kernel(x_NxD, **options)
    runs = []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        kernel = fc_kernel(x_NxD, **options)
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return kernel, *min(runs)


def _relu_diagonal(x_NxD: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The relu net's exact K(x, x) and Theta(x, x): at correlation 1, E[phi^2] = K / 2 and E[phi'^2] = 1 / 2."""
    k = BIAS_VAR + WEIGHT_VAR * np.einsum("nd,nd->n", x_NxD, x_NxD) / x_NxD.shape[1]
    theta = k
    for _ in range(DEPTH):
        k = BIAS_VAR + WEIGHT_VAR * k / 2
        theta = k + WEIGHT_VAR * theta / 2
    return k, theta


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def test_faster_than_neural_tangents_and_the_same_kernels(tmp_path):
    if not NT_PYTHON.exists():
        pytest.skip(f"no neural-tangents environment at {NT_PYTHON}: `make bench-nt` builds it and runs this")
    x_NxD = _inputs()
    np.save(tmp_path / "x.npy", x_NxD)
    before = {a: _ours(x_NxD, a) for a in ACTIVATIONS}
    command = [str(NT_PYTHON), str(NT_SCRIPT), str(tmp_path / "x.npy"), str(tmp_path / "nt.npz"), *ACTIVATIONS]
    command += ["--depth", str(DEPTH), "--weight-var", str(WEIGHT_VAR), "--bias-var", str(BIAS_VAR)]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    after = {a: _ours(x_NxD, a) for a in ACTIVATIONS}
    nt = np.load(tmp_path / "nt.npz")
    print(f"\n{N}x{N}, d={D}, depth {DEPTH}, float64, NNGP + NTK; {' / '.join(nt['versions'])} against ours")
    off_diagonal = ~np.eye(N, dtype=bool)
    slow = []
    for activation in ACTIVATIONS:
        kernel, wall, cpu = min(before[activation], after[activation], key=lambda run: run[1])
        nt_wall, nt_cpu, nt_first = nt[f"{activation}_seconds"]
        nt_nngp, nt_ntk = nt[f"{activation}_nngp"], nt[f"{activation}_ntk"]
        nngp_gap = _relative(kernel.nngp, nt_nngp)
        ntk_gap = _relative(kernel.ntk[off_diagonal], nt_ntk[off_diagonal])
        diagonal_gap = _relative(np.diag(kernel.ntk), np.diag(nt_ntk))
        print(
            f"{activation:>5}: ours {wall:.3f} s wall ({cpu:.2f} s CPU), neural-tangents {nt_wall:.3f} s "
            f"({nt_cpu:.2f} s CPU; first call {nt_first:.2f} s): {nt_wall / wall:.1f}x (aim >= {AIM:.0f}x)\n"
            f"       largest difference / largest entry: NNGP {nngp_gap:.1e}, NTK off the diagonal "
            f"{ntk_gap:.1e}, NTK diagonal {diagonal_gap:.1e}"
        )
        assert nngp_gap < AGREE and ntk_gap < AGREE, (activation, nngp_gap, ntk_gap)
        if activation == "relu":
            k_N, theta_N = _relu_diagonal(x_NxD)
            assert _relative(np.diag(kernel.nngp), k_N) < AGREE and _relative(np.diag(kernel.ntk), theta_N) < AGREE
            print(f"       relu diagonal, closed form: ours {_relative(np.diag(kernel.ntk), theta_N):.1e}, "
                  f"neural-tangents {_relative(np.diag(nt_ntk), theta_N):.1e}")  # fmt: skip
        else:
            assert diagonal_gap < AGREE, (activation, diagonal_gap)
        if nt_wall / wall < AIM:
            slow.append(f"{activation} {nt_wall / wall:.2f}x")
    sys.stdout.flush()
    assert not slow, f"below the aim of {AIM:.0f}x neural-tangents' speed: {', '.join(slow)}"
