"""Chizat, Oyallon & Bach (NeurIPS 2019), Fig 1: a two-layer ReLU net initialized at a large scale tau trains
lazily and generalizes worse -> tidy tables in results/meanfield/.

The student, as the authors' `GDfor2NN` (scaling 1: no biases, no 1/m),

    f(x) = sum_{j <= m} b_j ReLU(<a_j, x>),

is trained by full-batch gradient descent (a, b) <- (a, b) - eta grad F on F = (1/2) mean_i (f(x_i) - y_i)^2. Its
initialization is symmetrized (units m/2 + j copy the input weights a_j of units j <= m/2 and negate their output
weights b_j, so f_0 = 0) and multiplied by tau. The teacher is f*(x) = sum_{k <= 3} s_k ReLU(<w_k, x>) with unit
directions w_k and signs s_k = +-1 at random; inputs are uniform on the unit sphere S^(d-1).

f is 2-homogeneous in (a_j, b_j): the net at tau W equals tau^2 times the net at W, and its tangent kernel is tau^2
times that at W. Large tau is thus the lazy scaling alpha = tau^2 of the paper, in which gradient descent with step
eta ~ 1/tau^2 follows the linearization of f at its initialization (kernel regression with the tangent kernel);
small tau is the mean-field regime, in which the units move far and align with the teacher's.

Fig 1(a)(b): d = 2, the path of each unit drawn at |b_j| a_j (a homogeneous unit's effective position), for a
small and a large tau. Fig 1(c): test loss against tau in d = 100 (step min(10, 0.1 / tau^2), as the authors' code),
at the end of training and the best during training, over trials that each draw a new teacher, data and init.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from jax.typing import ArrayLike

from replications.core.results import write_results

DEFAULT_CONFIG: dict[str, Any] = {
    "teacher_neurons": 3,
    # Fig 1(a)(b): d = 2, as illustration.jl
    "trajectory_taus": [0.1, 2.0],  # the code's comment "0.1 not lazy / 2 lazy" (its last run used 0.2)
    "trajectory_width": 16,
    "trajectory_train_points": 15,
    "trajectory_steps": 100_000,
    "trajectory_step_size": 0.005,
    "trajectory_iterates": 100,  # log-spaced recorded iterates, as the original plot
    # Fig 1(c): test loss against tau, as test_vs_scale.jl
    "dimension": 100,
    "width": 50,
    "train_points": 1000,
    "test_points": 1000,
    "log10_tau_min": -2.2,
    "log10_tau_max": 1.0,
    "tau_count": 9,  # paper: 33 (log10 step 0.1); here step 0.4, every 4th of the paper's values
    "trials": 5,  # paper: 10
    "steps": 2000,  # paper: 10 000
    "max_step_size": 10.0,  # step min(max_step_size, lazy_step_size / tau^2)
    "lazy_step_size": 0.1,
    "test_every": 10,  # paper: 1 (best test loss over iterates 0, 10, 20, ..., steps)
}
SMOKE_CONFIG: dict[str, Any] = DEFAULT_CONFIG | {
    "trajectory_steps": 2000,
    "trajectory_iterates": 30,
    "width": 10,
    "train_points": 200,
    "test_points": 200,
    "tau_count": 5,
    "trials": 2,
    "steps": 200,
}


class Student(NamedTuple):
    """The units: input weights a_j (the rows of A_MxD) and output weights b_M."""

    A_MxD: jax.Array
    b_M: jax.Array


class Teacher(NamedTuple):
    """f*(x) = sum_k s_k ReLU(<w_k, x>): unit directions w_k (the rows of W_KxD) and signs s_K."""

    W_KxD: np.ndarray
    s_K: np.ndarray


class Data(NamedTuple):
    """A teacher and its train and test sets on the unit sphere (float32, as the nets train)."""

    teacher: Teacher
    x_train_NxD: np.ndarray
    y_train_N: np.ndarray
    x_test_PxD: np.ndarray
    y_test_P: np.ndarray


def apply_student(params: Student, x_NxD: ArrayLike) -> jax.Array:
    """f(x) = sum_j b_j ReLU(<a_j, x>) for a batch of inputs."""
    return jax.nn.relu(jnp.asarray(x_NxD) @ params.A_MxD.T) @ params.b_M


def half_mse(params: Student, x_NxD: ArrayLike, y_N: ArrayLike) -> jax.Array:
    """F = (1/2) mean_i (f(x_i) - y_i)^2."""
    return 0.5 * jnp.mean((apply_student(params, x_NxD) - y_N) ** 2)


def gd_step(params: Student, x_NxD: ArrayLike, y_N: ArrayLike, step_size: ArrayLike) -> Student:
    """One full-batch gradient-descent step (a, b) <- (a, b) - eta grad F (ReLU'(0) = 0, as the original)."""
    grads = jax.grad(half_mse)(params, x_NxD, y_N)
    return jax.tree.map(lambda p, g: p - step_size * g, params, grads)


def sphere(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """`n` points uniform on the unit sphere S^(d-1): normalized standard Gaussians."""
    z_NxD = rng.standard_normal((n, d))
    return z_NxD / np.linalg.norm(z_NxD, axis=1, keepdims=True)


def make_data(rng: np.random.Generator, *, d: int, teacher_neurons: int, train_points: int, test_points: int) -> Data:
    """A random teacher (unit directions, signs +-1) and its train and test sets, drawn in the original's order.
    (Drawn with numpy: a jitted draw of the data costs more compile time than the whole training loop.)"""
    teacher = Teacher(sphere(rng, teacher_neurons, d), np.sign(rng.standard_normal(teacher_neurons)))
    x_train_NxD, x_test_PxD = sphere(rng, train_points, d), sphere(rng, test_points, d)

    def f_star(x_NxD: np.ndarray) -> np.ndarray:
        return np.maximum(x_NxD @ teacher.W_KxD.T, 0.0) @ teacher.s_K

    float32 = [a.astype(np.float32) for a in (x_train_NxD, f_star(x_train_NxD), x_test_PxD, f_star(x_test_PxD))]
    return Data(teacher, *float32)


def symmetrized(A_HxD: np.ndarray, b_H: np.ndarray) -> Student:
    """Units H + j copy the input weights of units j and negate their output weights: f_0 = 0 for every input."""
    return Student(
        jnp.asarray(np.concatenate([A_HxD, A_HxD]), jnp.float32), jnp.asarray(np.concatenate([b_H, -b_H]), jnp.float32)
    )


def scaled(params: Student, tau: ArrayLike) -> Student:
    """The initialization multiplied by tau (both layers, so f is multiplied by tau^2)."""
    return jax.tree.map(lambda p: tau * p, params)


def trajectory_init(rng: np.random.Generator, width: int, d: int) -> Student:
    """illustration.jl: unit-norm input weights, output weights U(0, 1), symmetrized."""
    return symmetrized(sphere(rng, width // 2, d), rng.uniform(size=width // 2))


def sweep_init(rng: np.random.Generator, width: int, d: int) -> Student:
    """test_vs_scale.jl: N(0, 1) input weights (norm ~ sqrt d), output weights |N(0, 1)|, symmetrized."""
    return symmetrized(rng.standard_normal((width // 2, d)), np.abs(rng.standard_normal(width // 2)))


def recorded_steps(steps: int, count: int) -> np.ndarray:
    """Log-spaced iterates 0 .. steps (number of updates made), as the original plot's floor(exp(linspace(...)))."""
    return np.unique(np.floor(np.geomspace(1, steps + 1, count)).astype(int)) - 1


@jax.jit
def gd_path(params: Student, x_NxD: ArrayLike, y_N: ArrayLike, step_size: ArrayLike, gaps_R: ArrayLike) -> Student:
    """Gradient descent recorded after gaps_R.cumsum() updates: a Student whose leaves have a leading axis R."""

    def segment(p: Student, gap: jax.Array) -> tuple[Student, Student]:
        p = jax.lax.fori_loop(0, gap, lambda _, q: gd_step(q, x_NxD, y_N, step_size), p)
        return p, p

    return jax.lax.scan(segment, params, jnp.asarray(gaps_R))[1]


class SweepRun(NamedTuple):
    """Losses of one gradient-descent run in the test-loss sweep."""

    final_test_loss: jax.Array
    best_test_loss: jax.Array
    final_train_loss: jax.Array
    diverged: jax.Array


def train_and_test(params: Student, data: Data, step_size: ArrayLike, *, steps: int, test_every: int) -> SweepRun:
    """`steps` steps of gradient descent; the test loss at iterates 0, test_every, ..., steps, its last and its
    least value (a NaN/inf loss is recorded as diverged, and the best is over the finite values)."""

    def block(p: Student, _: None) -> tuple[Student, jax.Array]:
        test_loss = half_mse(p, data.x_test_PxD, data.y_test_P)
        p = jax.lax.fori_loop(0, test_every, lambda _, q: gd_step(q, data.x_train_NxD, data.y_train_N, step_size), p)
        return p, test_loss

    params, test_loss_T = jax.lax.scan(block, params, length=steps // test_every)
    final_test = half_mse(params, data.x_test_PxD, data.y_test_P)
    final_train = half_mse(params, data.x_train_NxD, data.y_train_N)
    test_loss_T = jnp.append(test_loss_T, final_test)
    return SweepRun(final_test, jnp.nanmin(test_loss_T), final_train, ~jnp.all(jnp.isfinite(test_loss_T)))


def tau_grid(config: Mapping[str, Any]) -> np.ndarray:
    """tau = 10^(log10_tau_min ... log10_tau_max), tau_count values evenly spaced in log."""
    return np.logspace(config["log10_tau_min"], config["log10_tau_max"], config["tau_count"])


def sweep_step_size(tau: ArrayLike, config: Mapping[str, Any]) -> np.ndarray:
    """min(max_step_size, lazy_step_size / tau^2): the step under which the lazy dynamics run at a fixed speed."""
    return np.minimum(config["max_step_size"], config["lazy_step_size"] / np.asarray(tau) ** 2)


def _trajectories(config: Mapping[str, Any], rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fig 1(a)(b): one teacher, data and init in d = 2, trained from each of trajectory_taus."""
    data = make_data(
        rng, d=2, teacher_neurons=config["teacher_neurons"], train_points=config["trajectory_train_points"],
        test_points=0,
    )  # fmt: skip
    init = trajectory_init(rng, config["trajectory_width"], 2)
    steps_R = recorded_steps(config["trajectory_steps"], config["trajectory_iterates"])
    gaps_R = np.diff(steps_R, prepend=0)

    def path(tau: jax.Array) -> Student:
        return gd_path(scaled(init, tau), data.x_train_NxD, data.y_train_N, config["trajectory_step_size"], gaps_R)

    path_T = jax.jit(jax.vmap(path))(jnp.asarray(config["trajectory_taus"], jnp.float32))
    rows = []
    for t, tau in enumerate(config["trajectory_taus"]):
        A_RxMx2, b_RxM = np.asarray(path_T.A_MxD[t]), np.asarray(path_T.b_M[t])
        position_RxMx2 = np.abs(b_RxM)[..., None] * A_RxMx2
        sign_M = np.sign(b_RxM[-1])
        rows += [
            {"tau": tau, "neuron": j, "step": int(step), "x": position_RxMx2[r, j, 0]}
            | {"y": position_RxMx2[r, j, 1], "sign": int(sign_M[j])}
            for r, step in enumerate(steps_R)
            for j in range(len(sign_M))
        ]
    W_Kx2, s_K = data.teacher
    teacher = pd.DataFrame({"neuron": np.arange(len(s_K)), "x": W_Kx2[:, 0], "y": W_Kx2[:, 1], "sign": s_K.astype(int)})
    return pd.DataFrame(rows), teacher


def _test_losses(config: Mapping[str, Any], rngs: list[np.random.Generator]) -> pd.DataFrame:
    """Fig 1(c): every trial (one generator each) draws a teacher, data and init; the same init is trained from
    every tau of the grid. All trials and taus are one compiled program (vmap over both)."""
    taus_T = tau_grid(config)
    step_sizes_T = sweep_step_size(taus_T, config)
    d = config["dimension"]
    sizes = {"teacher_neurons": config["teacher_neurons"], "train_points": config["train_points"]}
    data = [make_data(rng, d=d, test_points=config["test_points"], **sizes) for rng in rngs]
    inits = [sweep_init(rng, config["width"], d) for rng in rngs]

    def trial(data: Data, init: Student) -> SweepRun:
        def run(tau: jax.Array, step_size: jax.Array) -> SweepRun:
            return train_and_test(
                scaled(init, tau), data, step_size, steps=config["steps"], test_every=config["test_every"]
            )

        return jax.vmap(run)(jnp.asarray(taus_T, jnp.float32), jnp.asarray(step_sizes_T, jnp.float32))

    def stacked(trees: list[Any]) -> Any:
        return jax.tree.map(lambda *leaves: jnp.stack(leaves), *trees)

    runs = jax.jit(jax.vmap(trial))(stacked(data), stacked(inits))
    final_IxT, best_IxT, train_IxT, diverged_IxT = (np.asarray(v) for v in runs)
    return pd.DataFrame(
        [
            {"dimension": d, "tau": tau, "trial": i, "step_size": step_size, "final_test_loss": final_IxT[i, t]}
            | {"best_test_loss": best_IxT[i, t], "final_train_loss": train_IxT[i, t], "diverged": diverged_IxT[i, t]}
            for i in range(config["trials"])
            for t, (tau, step_size) in enumerate(zip(taus_T, step_sizes_T, strict=True))
        ]
    )


def lazy(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Fig 1: the 2-D trajectories (outputs "trajectories", "teacher") and the test loss against tau in
    `dimension` dimensions (outputs "test_loss"), from independent streams of config["seed"]."""
    if config["width"] % 2 or config["trajectory_width"] % 2:
        raise ValueError("widths must be even: the initialization is symmetrized in pairs of units")
    if config["steps"] % config["test_every"]:
        raise ValueError(f"steps ({config['steps']}) must be a multiple of test_every ({config['test_every']})")
    trajectory_seed, *trial_seeds = np.random.SeedSequence(config["seed"]).spawn(1 + config["trials"])
    trajectories, teacher = _trajectories(config, np.random.default_rng(trajectory_seed))
    write_results(outputs["lazy_trajectories"], trajectories, config)
    write_results(outputs["lazy_teacher"], teacher, config)
    test_losses = _test_losses(config, [np.random.default_rng(s) for s in trial_seeds])
    write_results(outputs["lazy_test_loss"], test_losses, config)


def test_loss_ratio(test_loss_table: pd.DataFrame) -> float:
    """Fig 1(c)'s claim that generalization worsens as tau grows: the mean over trials of the end-of-training test
    loss at the largest tau divided by that at the smallest tau, in the table's (largest) dimension. A diverged run
    makes it NaN."""
    rows = test_loss_table[test_loss_table["dimension"] == test_loss_table["dimension"].max()]
    mean_by_tau = rows.groupby("tau")["final_test_loss"].agg(lambda loss: np.mean(loss.to_numpy())).sort_index()
    return float(mean_by_tau.iloc[-1] / mean_by_tau.iloc[0])
