"""A learning-rate sweep as one compiled program: every (variant, learning rate, seed) net of one shape at once.

    losses[v, l, s, t] = the minibatch loss at step t (before its update) of the net of variant v with seed s and
                         learning rate learning_rates[v, l]

A variant is a pytree of numbers (`hyper`) that the init, the loss and the optimizer read, such as the scales and
per-tensor learning-rate factors of SP and of muP: variants of one shape share the program, traced, so SP and muP
of a width compile once. Seed s fixes the initialization and the order of the minibatches (epochs of random
permutations of the training set), so every variant and learning rate sees the same draws and the same data: common
random numbers make the comparisons sharper than independent runs would. The loop is a `lax.scan` over steps of
`vmap`s over (variant, learning rate) pairs and seeds, jitted once per call, with the pairs split evenly over the
backend's devices (unless `split` is false): on a CPU, one device per core (`core.perf.one_cpu_device_per_core`), so
the small nets' batched products keep every core busy instead of about one. A net that diverges carries non-finite
losses to the end; the caller decides what that means.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from replications.core import perf
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
    memory_budget_bytes: float | None = None,
    split: bool = True,
) -> np.ndarray:
    """losses_VxLxSxT of the module docstring; `learning_rates` is (V, L), one row per variant. The functions must
    be pure (hyper and the learning rate are traced); each seed gives the init key `PRNGKey(seed)` and the
    minibatch order. A sweep of more than PROGRESS_SECONDS prints a progress line every 5 % of its steps, headed
    `label`.

    Memory: where the V x L x S nets (`net_bytes` each) and the data exceed `memory_budget_bytes`, the grid runs
    as several programs (`chunks`) of the same compiled function; each net's numbers are its own either way, up to
    float32 rounding (XLA may order the sums of a product batched over fewer nets differently). Devices: each
    program's pairs are split evenly over `jax.devices()` (at most one per pair, and as many as the budget leaves
    a pair each: seeds are grouped first, so a budget under 2 S nets leaves one device), the last share filled with
    repeats whose losses are dropped and not counted; the budget is the whole program's, padding included. With
    `split` false the sweep runs on the first device only, so its losses do not depend on the device count. FLOPs:
    one net's step (`core.perf.step_flops`) x steps x nets are counted for the job's record."""
    lrs_VxL = np.asarray(learning_rates, np.float32)
    if lrs_VxL.ndim != 2 or lrs_VxL.shape[0] != len(hypers):
        raise ValueError(f"learning_rates must be (variants = {len(hypers)}, L), got shape {lrs_VxL.shape}")
    idx_SxTxB = jnp.asarray(np.stack([minibatch_indices(len(y_N), batch, steps, s) for s in seeds]))
    keys_S = jnp.stack([jax.random.PRNGKey(s) for s in seeds])
    x, y = jnp.asarray(x_NxD, jnp.float32), jnp.asarray(y_N)
    V, L, S = *lrs_VxL.shape, len(seeds)

    one_step = _step_function(loss_fn, make_optimizer)

    def one_net(hyper, lr, key, idx_TxB):
        params = init_fn(key, hyper)

        def step(carry, t_and_idx):
            (p, state), (t, idx_B) = carry, t_and_idx
            p, state, loss = one_step(p, state, x[idx_B], y[idx_B], hyper, lr)
            report_step(t, steps)  # t is not batched: one callback for the whole sweep, every 5 % of the steps
            return (p, state), loss

        state = make_optimizer(lr, hyper).init(params)
        _, losses_T = jax.lax.scan(step, (params, state), (jnp.arange(steps), idx_TxB))
        return losses_T

    over_seeds = jax.vmap(one_net, in_axes=(None, None, 0, 0))
    over_pairs = jax.vmap(over_seeds, in_axes=(0, 0, None, None))

    perf.add_flops(sweep_flops(init_fn, loss_fn, make_optimizer, x[:batch], y[:batch], hypers[0], steps * V * L * S))
    devices = jax.devices()[: V * L if split else 1]  # a device without a pair of its own would only run repeats
    if memory_budget_bytes is None:
        plan = [(list(range(V * L)), slice(0, S))]
    else:
        hyper0, lr0 = jax.tree.map(jnp.asarray, hypers[0]), jnp.float32(lrs_VxL[0, 0])
        params0 = jax.eval_shape(init_fn, keys_S[0], hyper0)
        state0 = jax.eval_shape(lambda p: make_optimizer(lr0, hyper0).init(p), params0)
        per_net = net_bytes(loss_fn, params0, state0, x[:batch], y[:batch], hyper0)
        room = memory_budget_bytes - x.nbytes - y.nbytes - idx_SxTxB.nbytes
        used, plan = chunks(V * L, S, max(1, int(room // per_net)), len(devices))
        devices = devices[:used]
    mesh = Mesh(np.array(devices), ("pairs",))
    by_pair, whole = NamedSharding(mesh, PartitionSpec("pairs")), NamedSharding(mesh, PartitionSpec())
    run = jax.jit(over_pairs, in_shardings=(by_pair, by_pair, whole, whole), out_shardings=by_pair)
    start = time.perf_counter()
    stacked, lrs = stack_variants(hypers), jnp.asarray(lrs_VxL)
    losses = np.empty((V, L, S, steps), np.float32)
    for pairs, seed_slice in plan:
        with Progress(steps, label, min_seconds=PROGRESS_SECONDS):
            K = len(pairs)
            v_P, l_P = np.divmod(np.resize(pairs, K + -K % mesh.size), L)  # repeats fill the last device's share
            part = run(jax.tree.map(lambda a, k=v_P: a[k], stacked), lrs[v_P, l_P], keys_S[seed_slice],
                       idx_SxTxB[seed_slice])  # fmt: skip
            losses[v_P[:K], l_P[:K], seed_slice] = np.asarray(part)[:K]
    print(
        f"  sweep: {V} variants x {L} learning rates x {S} seeds x {steps} steps in {len(plan)} program run(s) on "
        f"{mesh.size} device(s), {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    return losses


def _step_function(loss_fn: LossFn, make_optimizer: OptimizerFn):
    """(params, optimizer state, x_BxD, y_B, hyper, lr) -> (params, state, loss): one training step of one net."""

    def one_step(p, state, x_BxD, y_B, hyper, lr):
        optimizer = make_optimizer(lr, hyper)
        loss, grads = jax.value_and_grad(loss_fn)(p, x_BxD, y_B, hyper)
        updates, state = optimizer.update(grads, state, p)
        return optax.apply_updates(p, updates), state, loss

    return one_step


def sweep_flops(
    init_fn: InitFn, loss_fn: LossFn, make_optimizer: OptimizerFn, x_BxD, y_B, hyper: Hyper, net_steps: int
) -> float:
    """The FLOPs `train_sweep` counts for `net_steps` steps (steps x nets) of nets shaped like `init_fn`'s with
    `hyper`, on minibatches shaped like (x_BxD, y_B) (arrays or `jax.ShapeDtypeStruct`s): one step of one net
    costed by XLA (`core.perf.step_flops`) from shapes alone, nothing compiled or run, so that a sweep of any size
    (the `paper` profile's) can be counted on any machine."""
    hyper0 = jax.tree.map(lambda v: jnp.asarray(v, jnp.float32), hyper)
    lr0 = jax.ShapeDtypeStruct((), jnp.float32)
    params0 = jax.eval_shape(init_fn, jax.ShapeDtypeStruct((2,), jnp.uint32), hyper0)
    state0 = jax.eval_shape(lambda p: make_optimizer(jnp.float32(1.0), hyper0).init(p), params0)
    shapes = [jax.ShapeDtypeStruct(a.shape, a.dtype) for a in (x_BxD, y_B)]
    return perf.step_flops(_step_function(loss_fn, make_optimizer), params0, state0, *shapes, hyper0, lr0) * net_steps


def net_bytes(loss_fn: LossFn, params, state, x_BxD, y_B, hyper) -> float:
    """Bytes one net holds in a training step (float32 or not, as declared): its parameters, gradients and updates
    (3 x P), the optimizer's state, and what the loss's backward pass keeps of the forward pass (the residuals of
    `jax.vjp`, from shapes alone: nothing runs)."""
    residuals = jax.eval_shape(lambda p: jax.vjp(lambda q: loss_fn(q, x_BxD, y_B, hyper), p)[1], params)
    size = lambda tree: sum(a.size * a.dtype.itemsize for a in jax.tree.leaves(tree))  # noqa: E731
    return 3.0 * size(params) + size(state) + size(residuals)


def chunks(pairs: int, seeds: int, max_nets: int, devices: int = 1) -> tuple[int, list[tuple[list[int], slice]]]:
    """(devices used, plan): a plan of programs of at most `max_nets` nets over a grid of `pairs` (variant, learning
    rate) x `seeds`: groups of seeds as large as fit, each with groups of pairs (every pair with every seed exactly
    once). Each device used gets at least one pair beside a group of seeds (at most `devices`, at least one), and the
    groups of pairs are multiples of the devices used, so a program whose pairs are padded to such a multiple still
    holds at most `max_nets` nets."""
    seed_group = min(seeds, max_nets)
    pair_group = max(1, max_nets // seed_group)
    used = min(devices, pair_group, pairs)
    pair_group -= pair_group % used
    return used, [
        (
            list(range(first_pair, min(first_pair + pair_group, pairs))),
            slice(first_seed, min(first_seed + seed_group, seeds)),
        )
        for first_seed in range(0, seeds, seed_group)
        for first_pair in range(0, pairs, pair_group)
    ]


def sgd(momentum: float) -> OptimizerFn:
    """SGD with heavy-ball momentum (PyTorch's form: v <- mu v + g, theta <- theta - eta f v) and the per-tensor
    learning-rate factors f = hyper["lr_factors"] (`core.parametrization.scale_updates`)."""
    return lambda lr, hyper: optax.chain(optax.sgd(lr, momentum=momentum or None), scale_updates(hyper["lr_factors"]))


def adam() -> OptimizerFn:
    """Adam (optax defaults: b1 0.9, b2 0.999, eps 1e-8) with per-tensor learning-rate factors hyper["lr_factors"]."""
    return lambda lr, hyper: optax.chain(optax.adam(lr), scale_updates(hyper["lr_factors"]))
