"""Two-layer networks in the mean-field (1/N) and NTK (1/sqrt N) scalings, their gradient-descent training, and
statistics of their hidden units seen as particles.

    f(x) = N^(-gamma) sum_{i <= N} a_i sigma(<w_i, x> + b_i),      gamma = 1 (mean field) or 1/2 (NTK),

with unit i the particle theta_i = (a_i, w_i, b_i). Loss L = (1/2) E (f(x) - y)^2 over the data (a batch mean).
Since df/dtheta_i = O(N^-gamma), gradient descent on theta with step eta_theta = eta N^(2 gamma - 1) makes every
limit non-trivial (`learning_rate`): with gamma = 1 the step is eta N and each particle moves O(1) in time
t = eta x steps (the Wasserstein gradient flow of Mei et al., Chizat-Bach, Rotskoff-Vanden-Eijnden); with
gamma = 1/2 the step is eta, the tangent kernel sum_i df/dtheta_i df/dtheta_i is O(1), and each particle moves
O(N^-1/2) (Jacot et al.'s lazy regime).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from replications.core.nets import activation_function


class TwoLayer(NamedTuple):
    """The particles: output weights a_N, input weights W_NxD, biases b_N."""

    a_N: jax.Array
    W_NxD: jax.Array
    b_N: jax.Array


def apply_two_layer(
    params: TwoLayer, x_BxD: ArrayLike, *, gamma: ArrayLike, activation: str | Callable[[jax.Array], jax.Array]
) -> jax.Array:
    """f_B = N^(-gamma) sum_i a_i sigma(<w_i, x> + b_i) for a batch of inputs."""
    phi = activation_function(activation) if isinstance(activation, str) else activation
    n = params.a_N.shape[0]
    return (phi(jnp.asarray(x_BxD) @ params.W_NxD.T + params.b_N) @ params.a_N) / n**gamma


def learning_rate(eta: float, n: int, gamma: float) -> float:
    """The step eta N^(2 gamma - 1) under which N -> infinity has a non-trivial limit in time t = eta x steps."""
    return eta * n ** (2 * gamma - 1)


class Run(NamedTuple):
    """A full-batch run, recorded at steps 0, k, 2k, ..., steps."""

    params: TwoLayer  # at the end
    steps_R: np.ndarray
    loss_R: jax.Array
    params_R: TwoLayer | None  # the particles at the recorded steps (None unless asked for)
    diverged: jax.Array
    steps_taken: jax.Array  # steps before the loss first fell to stop_loss (all of them if it never did)


@functools.partial(jax.jit, static_argnames=("gamma", "activation", "steps", "record_every", "train_a", "keep_params"))
def train_two_layer(
    params: TwoLayer,
    x_NxD: jax.Array,
    y_N: jax.Array,
    *,
    gamma: ArrayLike,
    activation: str,
    step_size: ArrayLike,
    steps: int,
    record_every: int,
    train_a: bool = True,
    keep_params: bool = False,
    stop_loss: ArrayLike = -jnp.inf,
) -> Run:
    """`steps` steps of full-batch gradient descent theta <- theta - step_size grad L, L = (1/2) mean (f - y)^2
    (use `learning_rate` for step_size); output weights fixed when train_a is False. Once L <= stop_loss the
    parameters stay where they are: `params` is then the net at the first step that reached that loss."""
    if steps % record_every:
        raise ValueError(f"steps ({steps}) must be a multiple of record_every ({record_every})")

    def loss_fn(p: TwoLayer) -> jax.Array:
        return 0.5 * jnp.mean((apply_two_layer(p, x_NxD, gamma=gamma, activation=activation) - y_N) ** 2)

    def step(carry, _):
        p, diverged, taken = carry
        loss, grads = jax.value_and_grad(loss_fn)(p)
        if not train_a:
            grads = grads._replace(a_N=jnp.zeros_like(grads.a_N))
        active = loss > stop_loss
        p = jax.tree.map(lambda v, g: jnp.where(active, v - step_size * g, v), p, grads)
        return (p, diverged | ~jnp.isfinite(loss), taken + active), None

    def block(carry, _):
        observed = (loss_fn(carry[0]), carry[0] if keep_params else None)
        return jax.lax.scan(step, carry, length=record_every)[0], observed

    (params, diverged, taken), (loss_R, params_R) = jax.lax.scan(
        block, (params, jnp.array(False), jnp.array(0)), length=steps // record_every
    )
    last_loss = loss_fn(params)
    loss_R = jnp.append(loss_R, last_loss)
    if keep_params:
        params_R = jax.tree.map(lambda r, v: jnp.concatenate([r, v[None]]), params_R, params)
    steps_R = np.arange(0, steps + 1, record_every)
    return Run(params, steps_R, loss_R, params_R, diverged | ~jnp.isfinite(last_loss), taken)


def unit_movement(params_T: TwoLayer, params_0: TwoLayer) -> jax.Array:
    """||theta_i,T - theta_i,0|| for every unit i (over a_i, w_i, b_i)."""
    return jnp.sqrt(
        (params_T.a_N - params_0.a_N) ** 2
        + jnp.sum((params_T.W_NxD - params_0.W_NxD) ** 2, axis=1)
        + (params_T.b_N - params_0.b_N) ** 2
    )


def two_layer_ntk(params: TwoLayer, x_BxD: ArrayLike, *, gamma: float, activation: str) -> jax.Array:
    """Empirical NTK Theta_BxB = sum over all parameters of df(x)/dtheta df(x')/dtheta, in closed form:
    N^(-2 gamma) sum_i [sigma(u_i) sigma(u_i') + a_i^2 sigma'(u_i) sigma'(u_i') (<x, x'> + 1)], u_i = <w_i, x> + b_i."""
    phi = activation_function(activation)
    x = jnp.asarray(x_BxD)
    u_BxN = x @ params.W_NxD.T + params.b_N
    s_BxN, ds_BxN = jax.jvp(phi, (u_BxN,), (jnp.ones_like(u_BxN),))
    n = params.a_N.shape[0]
    scaled_BxN = ds_BxN * params.a_N
    return (s_BxN @ s_BxN.T + (scaled_BxN @ scaled_BxN.T) * (x @ x.T + 1.0)) / n ** (2 * gamma)
