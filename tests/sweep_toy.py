"""The toy sweep of mup's sweep tests, run in the test's process and in subprocesses with their own CPU devices:
MLPs of width 16 (SGD with momentum 0.9, cross-entropy) on 40 random points of 6 inputs and 10 classes, seeds 3 and
4, 5 steps of batch 8."""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from replications.core.nets import init_mlp
from replications.mup import mlp, sweep

SEEDS, STEPS, BATCH = [3, 4], 5, 8


def run(
    parametrizations: Sequence[str], learning_rates, budget_nets: float | None = None, split: bool = True
) -> np.ndarray:
    """losses_VxLxSxT (`sweep.train_sweep`): one variant per parametrization, `learning_rates` (V, L), under a
    memory budget of the data and `budget_nets` nets (None: no budget)."""
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(40, 6)).astype(np.float32), rng.integers(0, 10, 40)
    setups = [mlp.mlp_setup(6, 16, 10, parametrization=p, base_width=8, optimizer="sgd") for p in parametrizations]
    hypers = [{"scales": list(s.scales), "lr_factors": s.lr_factors} for s in setups]

    def init(key, hyper):
        return init_mlp(key, setups[0].sizes, hyper["scales"])

    def loss(params, x_batch, y_batch, hyper):
        return mlp.cross_entropy(mlp.logits(params, x_batch, hyper["scales"]), y_batch)

    budget = None
    if budget_nets is not None:
        params = jax.eval_shape(init, jax.random.PRNGKey(0), jax.tree.map(jnp.asarray, hypers[0]))
        per_net = sweep.net_bytes(loss, params, params, jnp.asarray(x[:BATCH]), jnp.asarray(y[:BATCH]), hypers[0])
        indices = len(SEEDS) * STEPS * BATCH * np.dtype(np.int32).itemsize  # the minibatch indices
        budget = x.nbytes + y.nbytes + indices + budget_nets * per_net
    return sweep.train_sweep(
        init, loss, sweep.sgd(0.9), x, y, hypers=hypers, learning_rates=np.asarray(learning_rates),
        seeds=SEEDS, steps=STEPS, batch=BATCH, memory_budget_bytes=budget, split=split,
    )  # fmt: skip
