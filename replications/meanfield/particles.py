"""Compute tasks of the mean-field group on two-layer nets seen as particle systems (`replications.core.two_layer`):
Chizat-Bach's particle flow, Rotskoff-Vanden-Eijnden's error scaling, and the NTK / mean-field contrast.

Every task takes its section of the `meanfield` config (with `seed` and `profile`) and a mapping of output names
to paths, and writes tidy tables. Time is t = eta x steps (the step is eta N^(2 gamma - 1), `two_layer`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from replications.core.results import write_results
from replications.core.two_layer import (
    TwoLayer,
    apply_two_layer,
    learning_rate,
    train_two_layer,
    two_layer_ntk,
    unit_movement,
)


def _sphere(key: jax.Array, count: int, dim: int) -> jax.Array:
    """`count` points uniform on the unit sphere S^(dim - 1)."""
    z = jax.random.normal(key, (count, dim))
    return z / jnp.linalg.norm(z, axis=1, keepdims=True)


# --------------------------------------------------------------------------------------------------------------
# Chizat & Bach 2018: particle gradient flow of a ReLU net in dimension 2 towards a teacher with a few neurons
# --------------------------------------------------------------------------------------------------------------


def _teacher(key: jax.Array, neurons: int, dim: int) -> TwoLayer:
    """m0 teacher neurons: unit directions, output weights +-1 (random signs), no bias."""
    k_dir, k_sign = jax.random.split(key)
    return TwoLayer(
        jnp.where(jax.random.bernoulli(k_sign, 0.5, (neurons,)), 1.0, -1.0),
        _sphere(k_dir, neurons, dim),
        jnp.zeros(neurons),
    )


def _cb_problem(config: Mapping[str, Any], seed: int) -> tuple[TwoLayer, jax.Array, jax.Array, jax.Array]:
    """(teacher, x_Px2, y_P, init key) of one seed."""
    k_teacher, k_data, k_init = jax.random.split(jax.random.fold_in(jax.random.PRNGKey(config["seed"]), seed), 3)
    teacher = _teacher(k_teacher, config["teacher_neurons"], 2)
    x = _sphere(k_data, config["train_points"], 2)
    return teacher, x, apply_two_layer(teacher, x, gamma=0.0, activation="relu"), k_init


def _cb_init(key: jax.Array, m: int, tau: float) -> TwoLayer:
    k_a, k_w = jax.random.split(jax.random.fold_in(key, m))
    return TwoLayer(tau * jax.random.normal(k_a, (m,)), tau * _sphere(k_w, m, 2), jnp.zeros(m))


def cb_particles(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Particles theta_j = (a_j, w_j) of f(x) = (1/m) sum_j a_j relu(<w_j, x>) (no bias: 2-homogeneous units, the
    setting of Chizat & Bach's global convergence theorem) trained by full-batch GD in the mean-field scaling on a
    teacher f*(x) = sum_k s_k relu(<v_k, x>) with m0 = `teacher_neurons` unit neurons and random signs, inputs
    uniform on the unit circle. Initialization a_j ~ N(0, tau^2), w_j ~ tau U(S^1): small tau, far from the lazy
    regime. For every particle count m in `particles` and every seed (a new teacher, data and initialization): the
    training loss over time; for the `drawn_particles` counts (seed 0) the path of every particle, drawn as
    |a_j| w_j with the sign of a_j."""
    steps, every, eta, tau = config["steps"], config["record_every"], config["eta"], config["init_scale"]
    problems = [_cb_problem(config, seed) for seed in range(config["seeds"])]
    stack = lambda items: jax.tree.map(lambda *leaves: jnp.stack(leaves), *items)  # noqa: E731
    x_S, y_S = stack([p[1] for p in problems]), stack([p[2] for p in problems])
    losses, paths = [], []
    for m in config["particles"]:
        params_S = stack([_cb_init(p[3], m, tau) for p in problems])
        keep = m in config["drawn_particles"]
        run = jax.vmap(
            lambda p, x, y, keep=keep, m=m: train_two_layer(
                p, x, y, gamma=1.0, activation="relu", step_size=learning_rate(eta, m, 1.0), steps=steps,
                record_every=every, keep_params=keep,
            )
        )(params_S, x_S, y_S)  # fmt: skip
        times = eta * np.arange(0, steps + 1, every)
        losses += [
            {"particles": m, "seed": seed, "time": t, "loss": float(v)}
            for seed, loss_R in enumerate(np.asarray(run.loss_R))
            for t, v in zip(times, loss_R, strict=True)
        ]
        if keep:
            position_RxMx2 = np.abs(np.asarray(run.params_R.a_N[0]))[..., None] * np.asarray(run.params_R.W_NxD[0])
            sign_M = np.sign(np.asarray(run.params.a_N[0]))
            paths += [
                {"particles": m, "particle": j, "time": t, "sign": sign_M[j]}
                | {"x": position_RxMx2[r, j, 0], "y": position_RxMx2[r, j, 1]}
                for r, t in enumerate(times)
                for j in range(m)
            ]
    teacher = problems[0][0]
    write_results(outputs["cb_losses"], losses, config)
    write_results(outputs["cb_paths"], paths, config)
    write_results(
        outputs["cb_teacher"],
        [
            {"neuron": k, "sign": float(s), "x": float(v[0]), "y": float(v[1])}
            for k, (s, v) in enumerate(zip(teacher.a_N, teacher.W_NxD, strict=True))
        ],
        config,
    )


# --------------------------------------------------------------------------------------------------------------
# Rotskoff & Vanden-Eijnden 2018: the long-time error of the mean-field net against the number of units
# --------------------------------------------------------------------------------------------------------------


def spherical_3spin(key: jax.Array, dim: int) -> jax.Array:
    """Couplings J_ijk ~ N(0, 1) of the target f*(x) = sum_ijk J_ijk x_i x_j x_k / sqrt(dim), x on S^(dim - 1)
    (a spherical 3-spin function, the kind of target of Rotskoff & Vanden-Eijnden's experiments)."""
    return jax.random.normal(key, (dim, dim, dim))


def _three_spin(J_DxDxD: jax.Array, x_BxD: jax.Array) -> jax.Array:
    return jnp.einsum("ijk,bi,bj,bk->b", J_DxDxD, x_BxD, x_BxD, x_BxD) / jnp.sqrt(x_BxD.shape[1])


def _mean_field_init(key: jax.Array, n: int, dim: int) -> TwoLayer:
    """a_i ~ N(0, 1), w_i ~ N(0, I / dim), b_i ~ N(0, 1): every unit O(1), as the mean-field limit wants."""
    k_a, k_w, k_b = jax.random.split(key, 3)
    return TwoLayer(
        jax.random.normal(k_a, (n,)), jax.random.normal(k_w, (n, dim)) / jnp.sqrt(dim), jax.random.normal(k_b, (n,))
    )


def _online_sgd(
    params: TwoLayer, J_DxDxD: jax.Array, key: jax.Array, *, step_size: float, steps: int, batch: int, window: int
) -> tuple[TwoLayer, jax.Array]:
    """One-pass SGD on L = (1/2) E (f - f*)^2: each step a fresh batch of `batch` points of the sphere, so no
    point is seen twice and no net can interpolate. Returns the final net and the mean batch loss over the last
    `window` steps (an unbiased estimate of the population loss of those iterates: the training loss)."""
    dim = J_DxDxD.shape[0]

    def loss_fn(p: TwoLayer, x_BxD: jax.Array) -> jax.Array:
        return 0.5 * jnp.mean(
            (apply_two_layer(p, x_BxD, gamma=1.0, activation="relu") - _three_spin(J_DxDxD, x_BxD)) ** 2
        )

    def step(p: TwoLayer, k: jax.Array) -> tuple[TwoLayer, jax.Array]:
        loss, grads = jax.value_and_grad(loss_fn)(p, _sphere(k, batch, dim))
        return jax.tree.map(lambda v, g: v - step_size * g, p, grads), loss

    params, loss_K = jax.lax.scan(step, params, jax.random.split(key, steps))
    return params, jnp.mean(loss_K[-window:])


def rv_scaling(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Nets of n ReLU units in the mean-field scaling (gamma = 1) trained by one-pass SGD (`_online_sgd`, a fresh
    batch of `batch` points each step, step eta n) to time eta x steps on a spherical 3-spin target on S^(dim - 1):
    the training loss (mean batch loss over the last `window` steps) and the test loss on `test_points` held-out
    points at the end, for every n in `units` and every seed (seeds vmapped)."""
    dim, eta, steps, seeds = config["dimension"], config["eta"], config["steps"], config["seeds"]
    keys = jax.vmap(lambda s: jax.random.split(jax.random.fold_in(jax.random.PRNGKey(config["seed"]), s), 4))(
        jnp.arange(seeds)
    )
    J_S = jax.vmap(lambda k: spherical_3spin(k, dim))(keys[:, 0])
    x_test_S = jax.vmap(lambda k: _sphere(k, config["test_points"], dim))(keys[:, 1])
    y_test_S = jax.vmap(_three_spin)(J_S, x_test_S)
    rows = []
    for n in config["units"]:
        params_S = jax.vmap(lambda k, n=n: _mean_field_init(jax.random.fold_in(k, n), n, dim))(keys[:, 2])
        train = jax.jit(jax.vmap(lambda p, J, k, n=n: _online_sgd(
            p, J, jax.random.fold_in(k, n), step_size=learning_rate(eta, n, 1.0), steps=steps,
            batch=config["batch"], window=config["window"],
        )))  # fmt: skip
        params_S, train_loss_S = train(params_S, J_S, keys[:, 3])
        f_test_S = jax.vmap(lambda p, x: apply_two_layer(p, x, gamma=1.0, activation="relu"))(params_S, x_test_S)
        test_loss_S = 0.5 * jnp.mean((f_test_S - y_test_S) ** 2, axis=1)
        for seed in range(seeds):
            rows.append(
                {"units": n, "seed": seed, "time": eta * steps, "parameters": n * (dim + 2)}
                | {"samples_seen": steps * config["batch"], "diverged": not bool(jnp.isfinite(test_loss_S[seed]))}
                | {"train_loss": float(train_loss_S[seed]), "test_loss": float(test_loss_S[seed])}
                | {"target_variance": float(jnp.mean(y_test_S[seed] ** 2))}
            )
    write_results(outputs["rv_losses"], rows, config)


# --------------------------------------------------------------------------------------------------------------
# The contrast: one net, one task, NTK (gamma = 1/2) against mean-field (gamma = 1) scaling
# --------------------------------------------------------------------------------------------------------------


def _contrast_problem(config: Mapping[str, Any], seed: int) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(x_PxD ~ N(0, I), y_P = relu(x_1) - relu(x_2), init key) of one seed: a teacher of two neurons."""
    k_data, k_init = jax.random.split(jax.random.fold_in(jax.random.PRNGKey(config["seed"]), seed))
    x = jax.random.normal(k_data, (config["train_points"], config["dimension"]))
    return x, jax.nn.relu(x[:, 0]) - jax.nn.relu(x[:, 1]), k_init


def contrast(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """The same two-layer ReLU net (init `_mean_field_init`) on the same task under both scalings, trained by
    full-batch GD until its training loss first falls below `loss_fraction` x (1/2) mean y^2 (at most `steps`
    steps): at that time the mean per-unit movement mean_i ||theta_i,T - theta_i,0||
    and the relative change of the empirical NTK on the training set, for every N in `widths` and seed; and, for
    N = `drawn_width` (seed 0), the first two coordinates of every w_i before and after."""
    eta, steps = config["eta"], config["steps"]
    problems = [_contrast_problem(config, seed) for seed in range(config["seeds"])]
    x_S, y_S = jnp.stack([p[0] for p in problems]), jnp.stack([p[1] for p in problems])
    target_S = config["loss_fraction"] * 0.5 * jnp.mean(y_S**2, axis=1)
    rows, weights = [], []
    for n in config["widths"]:
        params0_S = jax.vmap(lambda key, n=n: _mean_field_init(jax.random.fold_in(key, n), n, config["dimension"]))(
            jnp.stack([p[2] for p in problems])
        )
        for gamma, name in ((0.5, "ntk"), (1.0, "mean field")):
            run = jax.vmap(
                lambda p, x, y, target, gamma=gamma, n=n: train_two_layer(
                    p, x, y, gamma=gamma, activation="relu", step_size=learning_rate(eta, n, gamma), steps=steps,
                    record_every=steps, stop_loss=target,
                )
            )(params0_S, x_S, y_S, target_S)  # fmt: skip
            for seed in range(config["seeds"]):
                params0, params_T = (jax.tree.map(lambda leaf, s=seed: leaf[s], p) for p in (params0_S, run.params))
                theta0 = two_layer_ntk(params0, x_S[seed], gamma=gamma, activation="relu")
                thetaT = two_layer_ntk(params_T, x_S[seed], gamma=gamma, activation="relu")
                taken = int(run.steps_taken[seed])
                rows.append(
                    {"scaling": name, "width": n, "seed": seed, "time": eta * taken, "reached": taken < steps}
                    | {"loss": float(run.loss_R[seed, -1]), "target_loss": float(target_S[seed])}
                    | {"unit_movement": float(jnp.mean(unit_movement(params_T, params0)))}
                    | {"kernel_change": float(jnp.linalg.norm(thetaT - theta0) / jnp.linalg.norm(theta0))}
                )
                if n == config["drawn_width"] and seed == 0:
                    for when, p in (("before", params0), ("after", params_T)):
                        W = np.asarray(p.W_NxD)
                        weights += [
                            {"scaling": name, "when": when, "unit": i, "w1": W[i, 0], "w2": W[i, 1]}
                            | {"a": float(p.a_N[i])}
                            for i in range(n)
                        ]
    write_results(outputs["contrast_changes"], rows, config)
    write_results(outputs["contrast_weights"], weights, config)
