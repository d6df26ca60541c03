"""Training on squared loss: SGD/Adam hyperparameter grids as one compiled program, full-batch gradient descent, and
the closed-form infinite-width gradient flow.

Loss. On N points with K outputs the training objective is

    L(theta) = (1 / 2N) sum_i ||f(x_i) - y_i||^2                                            (`mse_loss`),

Jacot et al.'s least-squares cost (1/2) ||f - y||^2_{p_in} with p_in the empirical distribution of the N inputs.
Reported errors are `mean_squared_error` = mean over the N x K entries = (2 / K) L, and `accuracy` = argmax agreement
with one-hot (or shifted one-hot) targets.

Time. A gradient-descent step is theta <- theta - eta grad L, so `steps` steps approximate the gradient flow
d theta / dt = -grad L at time t = eta * steps. Along that flow the outputs on the training inputs X follow
df(X)/dt = -(1/N) Theta(X, X) (f(X) - Y), so for the linearized net (Lee et al. 2019), with A_t = I - exp(-t Theta / N),

    f_t(x) = f_0(x) + Theta(x, X) Theta^{-1} A_t (Y - f_0(X)),                         Theta = Theta(X, X).

Jacot et al.'s "learning rate 1.0" for T steps is time t = T in this convention. Over initializations of an
infinitely wide NTK-parametrized net, f_0 ~ GP(0, K) (K the NNGP) and Theta is deterministic, so f_t(x) is Gaussian
with mean Theta(x, X) Theta^{-1} A_t Y and variance
K(x, x) + Theta(x, X) Theta^{-1} A_t K(X, X) A_t Theta^{-1} Theta(X, x) - 2 Theta(x, X) Theta^{-1} A_t K(X, x)
(`gradient_flow_prediction`).

Divergence (a non-finite loss at a large learning rate) is a result: it is flagged per run, never raised, and in a
vmapped grid one diverged point leaves the others untouched (every operation is per point).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.typing import ArrayLike

from replications.core import perf
from replications.core.checks import check_positive_int
from replications.core.nets import (
    PARAMETRIZATIONS,
    ApplyFn,
    Params,
    activation_function,
    apply_mlp,
    init_mlp,
    layer_scales,
    mlp_sizes,
)
from replications.core.progress import Progress, report_step

SELECTIONS = ("accuracy", "mse")
GRID_PROGRESS_SECONDS = 60.0  # a grid expected to train within this many seconds prints no progress lines


def mse_loss(f_NxK: jax.Array, y_NxK: jax.Array) -> jax.Array:
    """The training objective (1 / 2N) sum_i ||f_i - y_i||^2, N = len(f); 1-D f and y are N scalar outputs."""
    if f_NxK.shape != y_NxK.shape:  # (N, 1) against (N,) would broadcast to (N, N)
        raise ValueError(f"outputs and targets differ in shape: {f_NxK.shape} != {y_NxK.shape}")
    return 0.5 * jnp.sum((f_NxK - y_NxK) ** 2) / f_NxK.shape[0]


def mean_squared_error(f_NxK: jax.Array, y_NxK: jax.Array) -> jax.Array:
    """Mean of (f - y)^2 over all N x K entries: the reported error, (2 / K) mse_loss."""
    return jnp.mean((f_NxK - y_NxK) ** 2)


def accuracy(f_NxK: jax.Array, y_NxK: jax.Array) -> jax.Array:
    """Fraction of rows whose largest output is in the column of the largest target (the class)."""
    return jnp.mean(jnp.argmax(f_NxK, axis=-1) == jnp.argmax(y_NxK, axis=-1))


# --------------------------------------------------------------------------------------------------------------
# Full-batch training of any net (or its linearization)
# --------------------------------------------------------------------------------------------------------------


class Trajectory(NamedTuple):
    """A full-batch run, recorded at steps_R = 0, k, 2k, ..., steps (k = record_every)."""

    params: Params  # after the last step
    steps_R: jax.Array
    loss_R: jax.Array  # the objective L at those steps
    f_eval_RxMxK: jax.Array | None  # outputs on x_eval at those steps (None without x_eval)
    diverged: jax.Array  # bool: L was not finite at some step


def train_full_batch(
    apply_fn: ApplyFn,
    params: Params,
    x_train_NxD: ArrayLike,
    y_train_NxK: ArrayLike,
    optimizer: optax.GradientTransformation,
    *,
    steps: int,
    record_every: int,
    x_eval_MxD: ArrayLike | None = None,
) -> Trajectory:
    """Minimize L = mse_loss(apply_fn(params, X), Y) with `optimizer` on the whole training set for `steps` steps.

    Gradient descent with step eta is `optax.sgd(eta)`, and it approximates gradient flow at time eta * steps
    (module docstring). The linearized model trains the same way: pass `nets.linearize(apply_fn, params)` as
    apply_fn. The loop is two nested `lax.scan`s, so `jax.jit` or `jax.vmap` (e.g. over initializations, or over
    learning rates with the optimizer built inside) compiles one program.
    """
    check_positive_int("steps", steps)
    check_positive_int("record_every", record_every)
    if steps % record_every:
        raise ValueError(f"steps ({steps}) must be a multiple of record_every ({record_every})")
    x_NxD, y_NxK = jnp.asarray(x_train_NxD), jnp.asarray(y_train_NxK)
    x_eval = None if x_eval_MxD is None else jnp.asarray(x_eval_MxD)

    def loss_fn(p: Params) -> jax.Array:
        return mse_loss(apply_fn(p, x_NxD), y_NxK)

    def record(p: Params) -> tuple[jax.Array, jax.Array | None]:
        return loss_fn(p), None if x_eval is None else apply_fn(p, x_eval)

    def step(carry, _):
        p, opt_state, diverged = carry
        loss, grads = jax.value_and_grad(loss_fn)(p)
        updates, opt_state = optimizer.update(grads, opt_state, p)
        return (optax.apply_updates(p, updates), opt_state, diverged | ~jnp.isfinite(loss)), None

    def block(carry, _):
        observed = record(carry[0])
        return jax.lax.scan(step, carry, length=record_every)[0], observed

    carry = (params, optimizer.init(params), jnp.array(False))
    (params, _, diverged), (loss_R, f_eval) = jax.lax.scan(block, carry, length=steps // record_every)
    last_loss, last_f = record(params)
    loss_R = jnp.append(loss_R, last_loss)
    f_eval = None if f_eval is None else jnp.concatenate([f_eval, last_f[None]])
    steps_R = jnp.arange(0, steps + 1, record_every)
    return Trajectory(params, steps_R, loss_R, f_eval, diverged | ~jnp.isfinite(last_loss))


# --------------------------------------------------------------------------------------------------------------
# Closed-form gradient flow of the linearized (infinitely wide) net
# --------------------------------------------------------------------------------------------------------------


class FlowPrediction(NamedTuple):
    """Outputs at the test points at each time: mean shape time.shape + (M, K) (or (M,) for 1-D targets),
    variance over initializations, time.shape + (M,) (None without the NNGP kernels), and the covariance between
    test points, time.shape + (M, M) (None unless nngp_test_MxM is given)."""

    mean: np.ndarray
    variance: np.ndarray | None
    covariance: np.ndarray | None = None


def gradient_flow_prediction(
    ntk_train_NxN: ArrayLike,
    ntk_test_MxN: ArrayLike,
    y_train_NxK: ArrayLike,
    time: ArrayLike,
    *,
    nngp_train_NxN: ArrayLike | None = None,
    nngp_test_MxN: ArrayLike | None = None,
    nngp_test_M: ArrayLike | None = None,
    nngp_test_MxM: ArrayLike | None = None,
) -> FlowPrediction:
    """Gradient flow on L = (1/2N) ||f(X) - Y||^2 at time t = learning rate x steps (module docstring), float64.

    mean_t(x) = Theta(x, X) Theta^{-1} A_t Y with A_t = I - exp(-t Theta / N), Theta = Theta(X, X): the ensemble
    mean of NTK-parametrized nets of infinite width, f_0 ~ GP(0, K). With nngp_train_NxN = K(X, X),
    nngp_test_MxN = K(x, X) and nngp_test_M = K(x, x) (e.g. `fc_kernel(x, X).var1`), also the variance of f_t(x)
    over initializations; with nngp_test_MxM = K(x, x') too, their covariance
    K(x, x') + B K(X, X) B'^T - B K(X, x') - K(x, X) B'^T, B = Theta(x, X) Theta^{-1} A_t. For one net with a
    known initial function f_0 (the linearized net, or any net in the kernel regime), f_t(x) = f_0(x) + mean_t(x)
    computed with targets Y - f_0(X).

    Computed from Theta = V diag(lambda) V^T as Theta^{-1} A_t = V diag((1 - exp(-t lambda / N)) / lambda) V^T,
    well defined at any t >= 0 (time = inf: the kernel regression limit); eigenvalues below N eps lambda_max are
    treated as 0 (a pseudo-inverse: the flow does not move along them). K (outputs) columns share the kernel.
    """
    theta_NxN = np.asarray(ntk_train_NxN, dtype=np.float64)
    theta_MxN = np.asarray(ntk_test_MxN, dtype=np.float64)
    y = np.asarray(y_train_NxK, dtype=np.float64)
    n = len(y)
    if theta_NxN.shape != (n, n) or theta_MxN.ndim != 2 or theta_MxN.shape[1] != n:
        raise ValueError(
            f"need ntk_train_NxN (N, N) and ntk_test_MxN (M, N) for N = {n} targets, "
            f"got {theta_NxN.shape} and {theta_MxN.shape}"
        )
    time = np.asarray(time, dtype=np.float64)
    if np.any(np.isnan(time) | (time < 0)):
        raise ValueError(f"time must be >= 0, got {time}")
    nngp = (nngp_train_NxN, nngp_test_MxN, nngp_test_M)
    if any(k is None for k in nngp) and not all(k is None for k in nngp):
        raise ValueError("give all of nngp_train_NxN, nngp_test_MxN, nngp_test_M, or none")
    if nngp_test_MxM is not None and nngp_train_NxN is None:
        raise ValueError("the covariance needs nngp_train_NxN, nngp_test_MxN and nngp_test_M as well")

    lambda_N, V_NxN = np.linalg.eigh(theta_NxN)
    positive_N = lambda_N > n * np.finfo(np.float64).eps * max(lambda_N[-1], 0.0)
    safe_N = np.where(positive_N, lambda_N, 1.0)
    with np.errstate(invalid="ignore"):  # inf * 0 at time = inf on a zero eigenvalue, masked below
        gain_TxN = np.where(positive_N, -np.expm1(-time[..., None] * safe_N / n) / safe_N, 0.0)
    P_TxMxN = (theta_MxN @ V_NxN) * gain_TxN[..., None, :]  # Theta(x, X) V diag(gain), for each time
    mean = P_TxMxN @ (V_NxN.T @ y)
    if nngp_train_NxN is None:
        return FlowPrediction(mean, None)
    K_NxN, K_MxN = np.asarray(nngp_train_NxN, np.float64), np.asarray(nngp_test_MxN, np.float64)
    B_TxMxN = P_TxMxN @ V_NxN.T  # Theta(x, X) Theta^{-1} A_t
    variance = (
        np.asarray(nngp_test_M, np.float64)
        - 2 * np.sum(B_TxMxN * K_MxN, axis=-1)
        + np.sum((B_TxMxN @ K_NxN) * B_TxMxN, axis=-1)
    )
    if nngp_test_MxM is None:
        return FlowPrediction(mean, variance)
    cross_TxMxM = B_TxMxN @ K_MxN.swapaxes(-1, -2)
    covariance = (
        np.asarray(nngp_test_MxM, np.float64)
        + B_TxMxN @ K_NxN @ B_TxMxN.swapaxes(-1, -2)
        - cross_TxMxM
        - cross_TxMxM.swapaxes(-1, -2)
    )
    return FlowPrediction(mean, variance, covariance)


# --------------------------------------------------------------------------------------------------------------
# Minibatch Adam over a hyperparameter grid, with early stopping (Lee et al. 2018's SGD baselines)
# --------------------------------------------------------------------------------------------------------------


class Hyperparameters(NamedTuple):
    """One entry per grid point, each of shape (G,)."""

    learning_rate: ArrayLike
    weight_var: ArrayLike
    bias_var: ArrayLike
    seed: ArrayLike  # initialization and minibatch order


def hyperparameter_grid(
    *,
    learning_rate: Sequence[float],
    weight_var: Sequence[float],
    bias_var: Sequence[float],
    seed: Sequence[int],
) -> Hyperparameters:
    """Every combination (Cartesian product, the last field varying fastest) as a `Hyperparameters` of arrays."""
    points = list(itertools.product(learning_rate, weight_var, bias_var, seed))
    if not points:
        raise ValueError("every hyperparameter needs at least one value")
    lr, wv, bv, sd = zip(*points, strict=True)
    return Hyperparameters(
        np.array(lr, np.float32), np.array(wv, np.float32), np.array(bv, np.float32), np.array(sd, np.int32)
    )


class Metrics(NamedTuple):
    mse: jax.Array  # mean_squared_error
    accuracy: jax.Array


class GridResult(NamedTuple):
    """Per grid point (G) numpy arrays. Curves are at steps_E = 0, eval_every, ..., steps; `best_*` at the
    validation-best step (early stopping). A diverged point has best_step -1 and NaN best metrics, predictions and
    params; its curves show where it blew up."""

    steps_E: np.ndarray
    train_GxE: Metrics  # on the whole training set
    valid_GxE: Metrics
    diverged_G: np.ndarray
    best_step_G: np.ndarray
    best_train_G: Metrics
    best_valid_G: Metrics
    best_test_G: Metrics
    test_predictions_GxMxK: np.ndarray
    params: Params  # the best parameters, each array with a leading G axis


def _as_split(split: tuple[ArrayLike, ArrayLike], name: str) -> tuple[jax.Array, jax.Array]:
    x, y = (np.asarray(a, np.float32) for a in split)
    if x.ndim != 2 or y.ndim != 2 or len(x) != len(y) or len(x) == 0:
        raise ValueError(f"{name} must be (x_NxD, y_NxK) with N >= 1 rows each, got shapes {x.shape}, {y.shape}")
    return jnp.asarray(x), jnp.asarray(y)


def train_grid(
    grid: Hyperparameters,
    train: tuple[ArrayLike, ArrayLike],
    valid: tuple[ArrayLike, ArrayLike],
    test: tuple[ArrayLike, ArrayLike],
    *,
    width: int,
    depth: int,
    activation: str,
    steps: int,
    batch_size: int,
    eval_every: int,
    parametrization: str = "standard",
    select_by: str = "accuracy",
    shape_steps: int | None = None,
    shape_points: int | None = None,
) -> GridResult:
    """Train one MLP per grid point with Adam on minibatches of the MSE objective, all points as one program.

    Net: `depth` hidden layers of `width` units, K = y.shape[1] linear outputs, `nets.layer_scales(...,
    parametrization, weight_var, bias_var)` of the point. Point g: key(seed_g) splits into an init key and a data
    key; minibatches are successive slices of a permutation of the training set drawn per epoch from
    fold_in(data key, epoch) (N // batch_size batches per epoch; the remainder changes every epoch). Every
    `eval_every` steps the whole training and validation sets are evaluated and the parameters kept if validation
    is best so far by `select_by` ("accuracy", ties to the lower MSE, or "mse"); the test set is evaluated once,
    with the best parameters. The grid is vmapped: parameters, Adam states and hyperparameters carry a G axis.

    One compiled program serves every call of the same grid size, net and data shapes: it runs up to `shape_steps`
    steps (default `steps`; the blocks past `steps` are skipped, not computed) on a training set padded to
    `shape_points` points (default N; the padding is masked out of the training metrics and never drawn into a
    batch), so a sweep over training sizes compiles once (its largest size and steps as the shape). The minibatch
    order is drawn outside the program and passed in, the same permutations as above.
    FLOPs counted for the job's record (`core.perf`): 2 per weight and example of a forward pass, 6 of a training
    step (biases, activations and Adam's updates not counted; the padding's evaluations not counted).
    """
    check_positive_int("steps", steps)
    check_positive_int("batch_size", batch_size)
    check_positive_int("eval_every", eval_every)
    shape_steps = steps if shape_steps is None else shape_steps
    if steps % eval_every or shape_steps % eval_every:
        raise ValueError(
            f"steps ({steps}) and shape_steps ({shape_steps}) must be multiples of eval_every ({eval_every})"
        )
    if shape_steps < steps:
        raise ValueError(f"shape_steps ({shape_steps}) is below steps ({steps})")
    if select_by not in SELECTIONS:
        raise ValueError(f"unknown select_by {select_by!r}; known: {', '.join(SELECTIONS)}")
    (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = (
        _as_split(split, name) for split, name in ((train, "train"), (valid, "valid"), (test, "test"))
    )
    if not x_train.shape[1] == x_valid.shape[1] == x_test.shape[1] or not (
        y_train.shape[1] == y_valid.shape[1] == y_test.shape[1]
    ):
        raise ValueError("train, valid and test must have the same input and output dimensions")
    n_train = len(x_train)
    if batch_size > n_train:
        raise ValueError(f"batch_size ({batch_size}) exceeds the {n_train} training points")
    shape_points = n_train if shape_points is None else shape_points
    if shape_points < n_train:
        raise ValueError(f"shape_points ({shape_points}) is below the {n_train} training points")
    sizes = mlp_sizes(x_train.shape[1], width, depth, y_train.shape[1])
    activation_function(activation)
    if parametrization not in PARAMETRIZATIONS:
        raise ValueError(f"unknown parametrization {parametrization!r}; known: {', '.join(PARAMETRIZATIONS)}")
    hyper = Hyperparameters(*(np.asarray(a).ravel() for a in grid))
    if len({a.size for a in hyper}) != 1 or hyper.seed.size == 0:
        raise ValueError(f"the grid's fields need the same number >= 1 of entries, got {[a.size for a in hyper]}")
    for name, values in zip(("learning_rate", "weight_var", "bias_var"), hyper[:3], strict=True):
        if not np.all(np.isfinite(values) & (values >= 0)):
            raise ValueError(f"{name} must be finite and >= 0, got {values}")
    hyper = Hyperparameters(*(np.asarray(a, np.float32) for a in hyper[:3]), np.asarray(hyper.seed, np.int32))
    seeds, seed_index_G = np.unique(hyper.seed, return_inverse=True)
    batches_SxTxB = minibatch_order(seeds, n_train, batch_size, steps, shape_steps)
    pad = shape_points - n_train
    x_train, y_train = (jnp.pad(a, ((0, pad), (0, 0))) for a in (x_train, y_train))
    program = _grid_program(sizes, activation, parametrization, shape_steps, batch_size, eval_every, select_by)
    perf.add_flops(
        grid_flops(hyper.seed.size, sizes, steps, batch_size, eval_every, (n_train, len(x_valid), len(x_test)))
    )
    label = f"train_grid: {hyper.seed.size} nets, width {width}, depth {depth}, {n_train} points"
    n_evals = steps // eval_every
    with Progress(steps, label, min_seconds=GRID_PROGRESS_SECONDS):  # block on the result inside: the steps report
        result = jax.tree.map(
            np.asarray,
            program(
                hyper,
                jnp.asarray(seed_index_G.astype(np.int32)),
                batches_SxTxB,
                jnp.int32(n_evals),
                jnp.int32(n_train),
                x_train,
                y_train,
                x_valid,
                y_valid,
                x_test,
                y_test,
            ),
        )
    curves = lambda m: jax.tree.map(lambda a: a[:, : n_evals + 1], m)  # noqa: E731  (the blocks run, not skipped)
    return result._replace(
        steps_E=np.arange(n_evals + 1) * eval_every,
        train_GxE=curves(result.train_GxE),
        valid_GxE=curves(result.valid_GxE),
    )


def minibatch_order(seeds: Sequence[int], n_train: int, batch_size: int, steps: int, shape_steps: int) -> jax.Array:
    """(S, shape_steps, batch_size) int32 training-point indices of each step for each seed: step t takes batch
    t mod b (b = n_train // batch_size) of the permutation of range(n_train) drawn from fold_in(data key, t // b),
    data key = split(key(seed))[1] (`train_grid`). The steps from `steps` on are zeros (the program skips them)."""
    orders = jnp.stack([_seed_order(jnp.int32(seed), n_train, batch_size, steps) for seed in seeds])
    return jnp.pad(orders, ((0, 0), (0, shape_steps - steps), (0, 0))).astype(jnp.int32)


@functools.partial(jax.jit, static_argnames=("n_train", "batch_size", "steps"))
def _seed_order(seed: jax.Array, n_train: int, batch_size: int, steps: int) -> jax.Array:
    """`minibatch_order` of one seed, its first `steps` steps (one compilation per training size and steps)."""
    per_epoch = n_train // batch_size
    epochs = -(-steps // per_epoch)
    data_key = jax.random.split(jax.random.key(seed))[1]
    perms = jax.vmap(lambda e: jax.random.permutation(jax.random.fold_in(data_key, e), n_train))(jnp.arange(epochs))
    return perms[:, : per_epoch * batch_size].reshape(epochs * per_epoch, batch_size)[:steps]


def grid_flops(
    nets: int, sizes: Sequence[int], steps: int, batch_size: int, eval_every: int, points: tuple[int, int, int]
) -> float:
    """The FLOPs `train_grid` counts: `nets` MLPs of layer `sizes`, each `steps` Adam steps of `batch_size` (6 FLOPs
    per weight and example), the (train, valid, test) `points` evaluated (2 per weight and example): train and
    valid at step 0 and every `eval_every` steps, test once."""
    n_train, n_valid, n_test = points
    evaluated = (steps // eval_every + 1) * (n_train + n_valid) + n_test
    weights = sum(fan_in * fan_out for fan_in, fan_out in itertools.pairwise(sizes))
    return float(nets * 2 * weights * (3 * steps * batch_size + evaluated))


@functools.lru_cache(maxsize=8)
def _grid_program(
    sizes: tuple[int, ...],
    activation: str,
    parametrization: str,
    shape_steps: int,
    batch_size: int,
    eval_every: int,
    select_by: str,
):
    """The jitted, vmapped training program for one static configuration (cached: one compilation each). It runs
    the first `n_evals` (traced) of its shape_steps // eval_every blocks; `n_train` (traced) of the padded training
    points count in the training metrics."""
    n_blocks = shape_steps // eval_every

    def one_point(
        hp: Hyperparameters,
        seed_index,
        batches_SxTxB,
        n_evals,
        n_train,
        x_train,
        y_train,
        x_valid,
        y_valid,
        x_test,
        y_test,
    ) -> GridResult:
        init_key = jax.random.split(jax.random.key(hp.seed))[0]
        batches_TxB = batches_SxTxB[seed_index]
        scales = layer_scales(sizes, parametrization=parametrization, weight_var=hp.weight_var, bias_var=hp.bias_var)
        optimizer = optax.adam(hp.learning_rate)
        real_P = jnp.arange(x_train.shape[0]) < n_train

        def apply(p: Params, x_BxD: jax.Array) -> jax.Array:
            return apply_mlp(p, x_BxD, scales, activation=activation)

        def metrics(p: Params, x_NxD: jax.Array, y_NxK: jax.Array) -> Metrics:
            f_NxK = apply(p, x_NxD)
            return Metrics(mean_squared_error(f_NxK, y_NxK), accuracy(f_NxK, y_NxK))

        def train_metrics(p: Params) -> Metrics:
            """`metrics` on the n_train real points of the padded training set."""
            f_PxK = apply(p, x_train)
            squared = jnp.sum(jnp.where(real_P[:, None], (f_PxK - y_train) ** 2, 0.0))
            right = jnp.sum(real_P & (jnp.argmax(f_PxK, axis=-1) == jnp.argmax(y_train, axis=-1)))
            return Metrics(squared / (n_train * y_train.shape[1]), right / n_train)

        def step(carry, t):
            p, opt_state, diverged = carry
            batch_B = batches_TxB[t]
            loss, grads = jax.value_and_grad(lambda q: mse_loss(apply(q, x_train[batch_B]), y_train[batch_B]))(p)
            updates, opt_state = optimizer.update(grads, opt_state, p)
            report_step(t, shape_steps, last=n_evals * eval_every)  # t is not batched: one callback per grid
            return (optax.apply_updates(p, updates), opt_state, diverged | ~jnp.isfinite(loss)), None

        def is_better(new: Metrics, best: Metrics) -> jax.Array:
            if select_by == "mse":
                return new.mse < best.mse
            return (new.accuracy > best.accuracy) | ((new.accuracy == best.accuracy) & (new.mse < best.mse))

        def observe(p: Params, diverged: jax.Array) -> tuple[Metrics, Metrics, jax.Array]:
            train, valid = train_metrics(p), metrics(p, x_valid, y_valid)
            finite = jnp.isfinite(train.mse) & jnp.isfinite(valid.mse)
            return train, valid, diverged | ~finite

        def run_block(carry, e):
            state, best = carry
            state = jax.lax.scan(step, state, e * eval_every + jnp.arange(eval_every))[0]
            train, valid, diverged = observe(state[0], state[2])
            better = is_better(valid, best[2])
            best = jax.tree.map(lambda new, old: jnp.where(better, new, old), (state[0], train, valid, e + 1), best)
            return ((state[0], state[1], diverged), best), (train, valid)

        def skip_block(carry, e):
            nan = Metrics(jnp.float32(jnp.nan), jnp.float32(jnp.nan))
            return carry, (nan, nan)

        def block(carry, e):  # e is not batched: a real branch, so the skipped blocks cost nothing
            return jax.lax.cond(e < n_evals, run_block, skip_block, carry, e)

        params = init_mlp(init_key, sizes, scales)
        train0, valid0, diverged0 = observe(params, jnp.array(False))
        state = (params, optimizer.init(params), diverged0)
        (state, best), (train_E, valid_E) = jax.lax.scan(
            block, (state, (params, train0, valid0, jnp.int32(0))), jnp.arange(n_blocks)
        )
        diverged = state[2]
        best_params, best_train, best_valid, best_eval = best
        f_test = apply(best_params, x_test)
        best_test = Metrics(mean_squared_error(f_test, y_test), accuracy(f_test, y_test))
        nan_if_diverged = lambda a: jnp.where(diverged, jnp.nan, a)  # noqa: E731
        return GridResult(
            steps_E=None,  # set by train_grid
            train_GxE=jax.tree.map(jnp.append, train0, train_E),
            valid_GxE=jax.tree.map(jnp.append, valid0, valid_E),
            diverged_G=diverged,
            best_step_G=jnp.where(diverged, -1, best_eval * eval_every),
            best_train_G=jax.tree.map(nan_if_diverged, best_train),
            best_valid_G=jax.tree.map(nan_if_diverged, best_valid),
            best_test_G=jax.tree.map(nan_if_diverged, best_test),
            test_predictions_GxMxK=nan_if_diverged(f_test),
            params=jax.tree.map(nan_if_diverged, best_params),
        )

    in_axes = (0, 0, *(None,) * 9)
    return jax.jit(jax.vmap(one_point, in_axes=in_axes, out_axes=GridResult(None, *([0] * 9))))
