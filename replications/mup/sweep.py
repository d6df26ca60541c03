"""A learning-rate sweep as one compiled program: every (variant, learning rate, seed) net of one shape at once.

    losses[v, l, s, t] = the minibatch loss at step t (before its update) of the net of variant v with seed s and
                         learning rate learning_rates[v, l]

A variant is a pytree of numbers (`hyper`) that the init, the loss and the optimizer read, such as the scales and
per-tensor learning-rate factors of SP and of muP: variants of one shape share the program, traced, so SP and muP
of a width compile once. Seed s fixes the initialization and the order of the minibatches (epochs of random
permutations of the training set), so every variant and learning rate sees the same draws and the same data: common
random numbers make the comparisons sharper than independent runs would. The loop is a `lax.scan` over steps of
`vmap`s over variants, learning rates and seeds, jitted once per call. A net that diverges carries non-finite losses
to the end; the caller decides what that means.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from replications.core.parametrization import scale_updates
from replications.core.progress import Progress, report_step

PROGRESS_SECONDS = 30.0  # a sweep expected to take less prints no progress lines

Hyper = object  # a pytree of numbers, one variant
InitFn = Callable[[jax.Array, Hyper], object]  # (key, hyper) -> parameters
LossFn = Callable[[object, jax.Array, jax.Array, Hyper], jax.Array]  # (params, x_BxD, y_B, hyper) -> scalar
OptimizerFn = Callable[[jax.Array, Hyper], optax.GradientTransformation]  # (traced learning rate, hyper)


def minibatch_indices(n_train: int, batch: int, steps: int, seed: int) -> np.ndarray:
    """idx_TxB: `steps` minibatches of `batch` rows drawn epoch by epoch without replacement (a fresh permutation of
    the n_train rows each epoch; a last partial batch of an epoch is dropped, as `drop_last` would)."""
    if batch > n_train:
        raise ValueError(f"batch {batch} is larger than the training set ({n_train})")
    per_epoch = n_train // batch
    rng = np.random.default_rng(seed)
    epochs = -(-steps // per_epoch)
    rows = [rng.permutation(n_train)[: per_epoch * batch].reshape(per_epoch, batch) for _ in range(epochs)]
    return np.concatenate(rows)[:steps]


def stack_variants(hypers: Sequence[Hyper]) -> Hyper:
    """One pytree with a leading variant axis from several of the same structure (numbers as float32)."""
    return jax.tree.map(lambda *leaves: jnp.stack([jnp.asarray(v, jnp.float32) for v in leaves]), *hypers)


def train_sweep(
    init_fn: InitFn,
    loss_fn: LossFn,
    make_optimizer: OptimizerFn,
    x_NxD: np.ndarray,
    y_N: np.ndarray,
    *,
    hypers: Sequence[Hyper],
    learning_rates: np.ndarray,
    seeds: Sequence[int],
    steps: int,
    batch: int,
    label: str = "sweep",
) -> np.ndarray:
    """losses_VxLxSxT of the module docstring; `learning_rates` is (V, L), one row per variant. The functions must
    be pure (hyper and the learning rate are traced); each seed gives the init key `PRNGKey(seed)` and the
    minibatch order. A sweep of more than PROGRESS_SECONDS prints a progress line every 5 % of its steps, headed
    `label`."""
    lrs_VxL = np.asarray(learning_rates, np.float32)
    if lrs_VxL.ndim != 2 or lrs_VxL.shape[0] != len(hypers):
        raise ValueError(f"learning_rates must be (variants = {len(hypers)}, L), got shape {lrs_VxL.shape}")
    idx_SxTxB = jnp.asarray(np.stack([minibatch_indices(len(y_N), batch, steps, s) for s in seeds]))
    keys_S = jnp.stack([jax.random.PRNGKey(s) for s in seeds])
    x, y = jnp.asarray(x_NxD, jnp.float32), jnp.asarray(y_N)

    def one_net(hyper, lr, key, idx_TxB):
        optimizer = make_optimizer(lr, hyper)
        params = init_fn(key, hyper)

        def step(carry, t_and_idx):
            (p, state), (t, idx_B) = carry, t_and_idx
            loss, grads = jax.value_and_grad(loss_fn)(p, x[idx_B], y[idx_B], hyper)
            updates, state = optimizer.update(grads, state, p)
            report_step(t, steps)  # t is not batched: one callback for the whole sweep, every 5 % of the steps
            return (optax.apply_updates(p, updates), state), loss

        _, losses_T = jax.lax.scan(step, (params, optimizer.init(params)), (jnp.arange(steps), idx_TxB))
        return losses_T

    over_seeds = jax.vmap(one_net, in_axes=(None, None, 0, 0))
    over_lrs = jax.vmap(over_seeds, in_axes=(None, 0, None, None))
    run = jax.jit(jax.vmap(over_lrs, in_axes=(0, 0, None, None)))
    start = time.perf_counter()
    with Progress(steps, label, min_seconds=PROGRESS_SECONDS):
        losses = np.asarray(run(stack_variants(hypers), jnp.asarray(lrs_VxL), keys_S, idx_SxTxB))
    print(
        f"  sweep: {len(hypers)} variants x {lrs_VxL.shape[1]} learning rates x {len(seeds)} seeds x {steps} steps "
        f"in {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    return losses


def sgd(momentum: float) -> OptimizerFn:
    """SGD with heavy-ball momentum (PyTorch's form: v <- mu v + g, theta <- theta - eta f v) and the per-tensor
    learning-rate factors f = hyper["lr_factors"] (`core.parametrization.scale_updates`)."""
    return lambda lr, hyper: optax.chain(optax.sgd(lr, momentum=momentum or None), scale_updates(hyper["lr_factors"]))


def adam() -> OptimizerFn:
    """Adam (optax defaults: b1 0.9, b2 0.999, eps 1e-8) with per-tensor learning-rate factors hyper["lr_factors"]."""
    return lambda lr, hyper: optax.chain(optax.adam(lr), scale_updates(hyper["lr_factors"]))
