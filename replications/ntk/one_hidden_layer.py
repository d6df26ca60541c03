"""Lee et al. 2019's experiments on a one-hidden-layer net trained by full-batch gradient descent on N inputs,
carried in the span of those inputs; and the linear model it is compared with.

Net (`nets`' layer rule, one hidden layer of n units, scalar output):

    h(x) = m_0 W^T x + beta_0 b,   f(x) = m_1 v . phi(h(x)) + beta_1 c,

with (m_0, beta_0, m_1, beta_1) the multipliers of a `nets.layer_scales` pair (NTK parametrization:
m_l = sqrt(weight_var / fan_in), unit initial variances; standard: multipliers 1, variances weight_var / fan_in).
The initial draw is `nets.init_mlp`'s for the same key. Loss L = (1/2N) sum_i (f(x_i) - y_i)^2.

The span trick. dL/dW = m_0 X^T Delta with Delta = dL/dh (N x n) on the training inputs, so after any number of
steps W = W_0 - X^T C with an N x n matrix C, and h = H_0 - m_0 G C on the training inputs (G = X X^T), and
h = H_0' - m_0 X' X^T C on other inputs X'. Training never touches the d x n matrix W: a step costs O(N^2 n)
instead of O(N d n); the change of W is ||X^T C||_F = sqrt(tr(C^T G C)).

Kernels (a = phi(h), D = phi'(h) * v, each N x n; on two input sets the products are cross products):

    K_hat = m_1^2 a a^T + beta_1^2                              (the empirical NNGP kernel of the output),
    Theta_hat = K_hat + m_1^2 (D D^T) * (m_0^2 X X^T + beta_0^2)   (the empirical NTK: v, c, then W, b).

The linear model f_lin(theta) = f(theta_0) + J(theta_0)(theta - theta_0) trained by the same gradient descent moves
its training residual r = f - y by r <- (I - eta Theta_hat_0 / N) r exactly, so its outputs after s steps are a
closed form in Theta_hat_0 (`linear_model_outputs`), and with the analytic NTK in place of Theta_hat_0 the same
formula is the infinite-width net's.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from replications.core import activations, nets


class State(NamedTuple):
    """What training changes: C (N x n, W = W_0 - X^T C), b (n), v (n), c (scalar)."""

    C_NxH: jax.Array
    b_H: jax.Array
    v_H: jax.Array
    c: jax.Array


class Net(NamedTuple):
    """One initialized net, seen on the training inputs X (N x d) and test inputs X' (M x d)."""

    H0_NxH: jax.Array  # m_0 X W_0
    H0_test_MxH: jax.Array  # m_0 X' W_0
    G_NxN: jax.Array  # X X^T
    G_test_MxN: jax.Array  # X' X^T
    m0: jax.Array
    beta0: jax.Array
    m1: jax.Array
    beta1: jax.Array
    W0_norm: jax.Array  # ||W_0||_F
    params0_norm: jax.Array  # ||theta_0|| over W, b, v, c


class Run(NamedTuple):
    """One net trained to convergence: its losses, steps and relative changes (Frobenius norms on the training
    inputs), its outputs at the start (training inputs) and at the start and the end (test inputs), and its
    Theta_hat_0 (train x train and test x train)."""

    loss_start: jax.Array
    loss_end: jax.Array
    steps: jax.Array
    diverged: jax.Array
    weight_change: jax.Array
    first_layer_change: jax.Array
    ntk_change: jax.Array
    nngp_change: jax.Array
    f_start_N: jax.Array
    f_test_start_M: jax.Array
    f_test_end_M: jax.Array
    ntk0_NxN: jax.Array
    ntk0_test_MxN: jax.Array


def layer_scales(
    input_dim: int, width: int, *, parametrization: str, weight_var: float, bias_var: float
) -> tuple[nets.LayerScale, nets.LayerScale]:
    """The two `nets.LayerScale`s of a (d, width, 1) net, as float32 arrays: passed traced, so one compiled program
    serves both parametrizations."""
    sizes = (input_dim, width, 1)
    scales = nets.layer_scales(sizes, parametrization=parametrization, weight_var=weight_var, bias_var=bias_var)
    return jax.tree.map(jnp.float32, scales)


def init(
    key: jax.Array, x_NxD: jax.Array, x_test_MxD: jax.Array, *, width: int, scales: tuple[nets.LayerScale, ...]
) -> tuple[Net, State]:
    """The net `nets.init_mlp` draws from `key` for sizes (d, width, 1) and `scales`, and its initial State."""
    params = nets.init_mlp(key, (x_NxD.shape[1], width, 1), scales)
    first, readout = scales
    m0, beta0, m1, beta1 = (jnp.asarray(s, jnp.float32) for s in (first[1], first[3], readout[1], readout[3]))
    W0 = params[0]["W"]
    net = Net(
        m0 * (x_NxD @ W0),
        m0 * (x_test_MxD @ W0),
        x_NxD @ x_NxD.T,
        x_test_MxD @ x_NxD.T,
        m0,
        beta0,
        m1,
        beta1,
        jnp.linalg.norm(W0),
        jnp.sqrt(sum(jnp.sum(leaf**2) for leaf in jax.tree.leaves(params))),
    )
    state = State(jnp.zeros((x_NxD.shape[0], width)), params[0]["b"], params[1]["W"][:, 0], params[1]["b"][0])
    return net, state


def hidden(net: Net, state: State, test: bool = False) -> jax.Array:
    """Pre-activations h on the training inputs (N x n), or on the test inputs (M x n) if `test`."""
    H0, G = (net.H0_test_MxH, net.G_test_MxN) if test else (net.H0_NxH, net.G_NxN)
    return H0 - net.m0 * (G @ state.C_NxH) + net.beta0 * state.b_H


def output(net: Net, state: State, h: jax.Array, phi) -> jax.Array:
    return net.m1 * (phi(h) @ state.v_H) + net.beta1 * state.c


def kernels(net: Net, state: State, activation: str, test: bool = False) -> tuple[jax.Array, jax.Array]:
    """(Theta_hat, K_hat) on the training inputs, or test x train if `test` (module docstring)."""
    phi, dphi = activations.activation(activation, differentiable=True)
    h = hidden(net, state)
    a, d = phi(h), dphi(h) * state.v_H
    a_left, d_left, G = a, d, net.G_NxN
    if test:
        h_test = hidden(net, state, test=True)
        a_left, d_left, G = phi(h_test), dphi(h_test) * state.v_H, net.G_test_MxN
    nngp = net.m1**2 * (a_left @ a.T) + net.beta1**2
    return nngp + net.m1**2 * (d_left @ d.T) * (net.m0**2 * G + net.beta0**2), nngp


def step(
    net: Net, state: State, y_N: jax.Array, learning_rate: jax.Array, activation: str, h_NxH: jax.Array | None = None
) -> State:
    """One step of gradient descent on L (h_NxH: the state's pre-activations, if already computed)."""
    phi, dphi = activations.activation(activation, differentiable=True)
    h = hidden(net, state) if h_NxH is None else h_NxH
    f = output(net, state, h, phi)
    r = (f - y_N) / len(y_N)  # dL/df
    delta = net.m1 * r[:, None] * state.v_H * dphi(h)  # dL/dh
    return State(
        state.C_NxH + learning_rate * net.m0 * delta,
        state.b_H - learning_rate * net.beta0 * delta.sum(0),
        state.v_H - learning_rate * net.m1 * (phi(h).T @ r),
        state.c - learning_rate * net.beta1 * r.sum(),
    )


def loss(net: Net, state: State, y_N: jax.Array, activation: str) -> jax.Array:
    phi = activations.activation(activation, differentiable=True).phi
    return 0.5 * jnp.mean((output(net, state, hidden(net, state), phi) - y_N) ** 2)


def test_outputs(net: Net, state: State, activation: str) -> jax.Array:
    phi = activations.activation(activation, differentiable=True).phi
    return output(net, state, hidden(net, state, test=True), phi)


@functools.partial(jax.jit, static_argnames=("width", "activation"))
def initial_ntk(
    key: jax.Array, x_NxD: ArrayLike, *, width: int, activation: str, scales: tuple[nets.LayerScale, ...]
) -> jax.Array:
    """Theta_hat_0 on the training inputs of the net `train_to_convergence` draws from `key`."""
    x = jnp.asarray(x_NxD, jnp.float32)
    return kernels(*init(key, x, x[:1], width=width, scales=scales), activation)[0]


@functools.partial(jax.jit, static_argnames=("width", "activation", "max_steps"))
def train_to_convergence(
    key: jax.Array,
    x_NxD: ArrayLike,
    y_N: ArrayLike,
    x_test_MxD: ArrayLike,
    *,
    width: int,
    activation: str,
    scales: tuple[nets.LayerScale, ...],
    learning_rate: ArrayLike,
    tolerance: ArrayLike,
    max_steps: int,
) -> Run:
    """Initialize a net from `key` and run gradient descent at `learning_rate` until L <= tolerance x L(0) or
    `max_steps` steps, whichever comes first (vmapped over keys, each net stops at its own step)."""
    x, y, x_test = (jnp.asarray(a, jnp.float32) for a in (x_NxD, y_N, x_test_MxD))
    net, state0 = init(key, x, x_test, width=width, scales=scales)
    phi = activations.activation(activation, differentiable=True).phi

    def with_loss(state: State) -> tuple[State, jax.Array, jax.Array]:
        h = hidden(net, state)  # the one O(N^2 n) product of a step
        return state, h, 0.5 * jnp.mean((output(net, state, h, phi) - y) ** 2)

    loss0 = with_loss(state0)[2]

    def running(carry):
        _, _, current, count = carry
        return (current > tolerance * loss0) & (count < max_steps) & jnp.isfinite(current)

    def advance(carry):
        state, h, _, count = carry
        return (*with_loss(step(net, state, y, learning_rate, activation, h)), count + 1)

    state, _, loss_end, count = jax.lax.while_loop(running, advance, (*with_loss(state0), jnp.int32(0)))
    first_sq = jnp.sum(state.C_NxH * (net.G_NxN @ state.C_NxH))
    rest_sq = sum(jnp.sum((a - b) ** 2) for a, b in zip(state[1:], state0[1:], strict=True))
    ntk0, nngp0 = kernels(net, state0, activation)
    ntkT, nngpT = kernels(net, state, activation)
    relative = lambda a, b: jnp.linalg.norm(a - b) / jnp.linalg.norm(b)  # noqa: E731
    return Run(
        loss0,
        loss_end,
        count,
        ~jnp.isfinite(loss_end),
        jnp.sqrt(first_sq + rest_sq) / net.params0_norm,
        jnp.sqrt(first_sq) / net.W0_norm,
        relative(ntkT, ntk0),
        relative(nngpT, nngp0),
        output(net, state0, hidden(net, state0), phi),
        test_outputs(net, state0, activation),
        test_outputs(net, state, activation),
        ntk0,
        kernels(net, state0, activation, test=True)[0],
    )


@functools.partial(jax.jit, static_argnames=("width", "activation", "steps", "record_every"))
def trajectory(
    key: jax.Array,
    x_NxD: ArrayLike,
    y_N: ArrayLike,
    x_test_MxD: ArrayLike,
    *,
    width: int,
    activation: str,
    scales: tuple[nets.LayerScale, ...],
    learning_rate: ArrayLike,
    steps: int,
    record_every: int,
) -> tuple[jax.Array, jax.Array]:
    """The net of `train_to_convergence` (same key) run for a fixed `steps`: its training loss (R) and test outputs
    (R x M) at steps 0, record_every, 2 record_every, ..., steps (`steps` a multiple of `record_every`)."""
    if steps % record_every:
        raise ValueError(f"steps ({steps}) must be a multiple of record_every ({record_every})")
    x, y, x_test = (jnp.asarray(a, jnp.float32) for a in (x_NxD, y_N, x_test_MxD))
    net, state = init(key, x, x_test, width=width, scales=scales)

    def record(state):
        return loss(net, state, y, activation), test_outputs(net, state, activation)

    def block(state, _):
        state = jax.lax.fori_loop(0, record_every, lambda _, s: step(net, s, y, learning_rate, activation), state)
        return state, record(state)

    _, (loss_R, f_RxM) = jax.lax.scan(block, state, length=steps // record_every)
    loss0, f0 = record(state)
    return jnp.concatenate([loss0[None], loss_R]), jnp.concatenate([f0[None], f_RxM])


def linear_model_outputs(
    theta_NxN: np.ndarray,
    theta_test_MxN: np.ndarray,
    f0_N: np.ndarray,
    f0_test_M: np.ndarray,
    y_N: np.ndarray,
    learning_rate: float,
    steps_R: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Training and test outputs (R x N, R x M) of the linear model with tangent kernel theta after each number of
    gradient-descent steps in `steps_R` on L = (1/2N) ||f - y||^2, from outputs f0 (float64):

        r_s = U (1 - eta Lambda / N)^s U^T r_0,
        f'_s = f'_0 - theta' U Lambda^-1 (1 - (1 - eta Lambda / N)^s) U^T r_0,

    with theta = U Lambda U^T and r = f - y (the geometric sum of the steps; Lambda^-1 (1 - q^s) -> s eta / N as
    Lambda -> 0)."""
    n = len(y_N)
    lam, U = np.linalg.eigh(np.asarray(theta_NxN, np.float64))
    coeff = U.T @ (np.asarray(f0_N, np.float64) - y_N)
    q = 1.0 - learning_rate * lam / n
    s_R = np.asarray(steps_R, np.float64)[:, None]
    decay = q[None, :] ** s_R
    tiny = np.abs(lam) < 1e-12
    summed = np.where(tiny, s_R * learning_rate / n, (1.0 - decay) / np.where(tiny, 1.0, lam))
    train = y_N + (decay * coeff) @ U.T
    test = f0_test_M - (summed * coeff) @ (np.asarray(theta_test_MxN, np.float64) @ U).T
    return train, test
