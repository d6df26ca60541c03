"""Compute tasks of the muP group: the data, the coordinate check, the largest stable learning rate, and the
learning-rate transfer across width (muP, TP5) and across depth (Depth-muP, TP6).

Every task takes its section of the `mup` config (with `seed` and `profile`) and named paths, and writes tidy
tables. Learning rates live on a grid of log2 values; a net "diverged" when one of its minibatch losses was not
finite. Training losses are the mean minibatch loss (recorded before each update, as the authors' training loop
does) over the last `loss_window` steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pandas as pd

from replications.core import perf
from replications.core.data import load_mnist1d
from replications.core.nets import init_mlp
from replications.core.parametrization import scale_updates
from replications.core.results import write_results
from replications.mup import datasets, mlp, resnet, sweep

CLASSES = 10
TUNING_SEED_OFFSET = 1000  # the base-width tuning draws seeds of its own, so the transfer's are fresh


def log2_grid(lo: float, hi: float, step: float) -> np.ndarray:
    """lo, lo + step, ..., hi (inclusive)."""
    count = round((hi - lo) / step) + 1
    return lo + step * np.arange(count)


def data(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Generate MNIST-1D (`mnist1d_samples` samples) into its cache file, outputs["data"]."""
    n = config["mnist1d_samples"]
    expected = outputs["data"].name
    if expected != f"mnist1d_n{n}_seed{config['seed']}.npz":
        raise ValueError(f"the data file must be named mnist1d_n{n}_seed{config['seed']}.npz, got {expected}")
    load_mnist1d(n, seed=config["seed"], cache_dir=outputs["data"].parent)


def _train_losses(losses_xT: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """(training loss: mean over the last `window` steps, diverged: a non-finite loss at any step), for losses
    with steps on the last axis (the other axes kept)."""
    diverged = ~np.isfinite(losses_xT).all(axis=-1)
    with np.errstate(invalid="ignore", over="ignore"):
        final = losses_xT[..., -window:].mean(axis=-1)
    return np.where(diverged, np.nan, final), diverged


# --------------------------------------------------------------------------------------------------------------
# Coordinate check (TP5 Fig 5, `mup`'s get_coord_data): how much every layer's output moves in the first steps
# --------------------------------------------------------------------------------------------------------------


def _coord_deltas(sizes, scales_P, factors_P, optimizer_name: str, lr: float, x, y, keys_S, steps: int):
    """mean |h_t - h_0| of every layer (LAYER_NAMES) after t = 1..steps updates on the fixed batch (x, y): an
    array (parametrizations, seeds, steps, layers). The parametrizations' scales and learning-rate factors are
    stacked along a leading axis and traced, so one program serves them all."""

    def one_net(scales, factors, key):
        base = optax.sgd(lr) if optimizer_name == "sgd" else optax.adam(lr)
        optimizer = optax.chain(base, scale_updates(factors))
        params = init_mlp(key, sizes, scales)
        h0 = mlp.layer_outputs(params, x, scales)

        def step(carry, _):
            p, state = carry
            grads = jax.grad(lambda q: mlp.cross_entropy(mlp.logits(q, x, scales), y))(p)
            updates, state = optimizer.update(grads, state, p)
            p = optax.apply_updates(p, updates)
            h = mlp.layer_outputs(p, x, scales)
            return (p, state), jnp.stack([jnp.abs(h[k] - h0[k]).mean() for k in mlp.LAYER_NAMES])

        _, deltas = jax.lax.scan(step, (params, optimizer.init(params)), None, length=steps)
        return deltas

    over_seeds = jax.vmap(one_net, in_axes=(None, None, 0))
    return np.asarray(jax.jit(jax.vmap(over_seeds, in_axes=(0, 0, None)))(scales_P, factors_P, keys_S))


def coordcheck(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """mean |Delta h| of every layer against width at steps 1..`steps`, SP and muP, SGD and Adam (no momentum), on
    the first `batch` training examples of the section's dataset (`datasets`): the transfer figure's net (`mlp`,
    its input and output multipliers, readout zero-initialized as in `mup`'s coordinate check), learning rates
    `sgd_learning_rate` and `adam_learning_rate`."""
    x_NxD, y_N = datasets.load(config, inputs["data"])
    x, y = jnp.asarray(x_NxD[: config["batch"]]), jnp.asarray(y_N[: config["batch"]])
    keys_S = jnp.stack([jax.random.PRNGKey(config["seed"] + s) for s in range(config["seeds"])])
    rows = []
    for optimizer_name in ("sgd", "adam"):
        for width in config["widths"]:
            setups = _mlp_setups(config, x.shape[1], width, optimizer_name)
            deltas = _coord_deltas(
                setups[0].sizes,
                sweep.stack_variants([list(s.scales) for s in setups]),
                sweep.stack_variants([s.lr_factors for s in setups]),
                optimizer_name,
                config[f"{optimizer_name}_learning_rate"],
                x,
                y,
                keys_S,
                config["steps"],
            )
            for p, s, t, k in np.ndindex(deltas.shape):
                rows.append(
                    {
                        "optimizer": optimizer_name,
                        "parametrization": mlp.PARAMETRIZATIONS[p],
                        "width": width,
                        "seed": s,
                        "step": t + 1,
                        "layer": mlp.LAYER_NAMES[k],
                        "mean_abs_delta": float(deltas[p, s, t, k]),
                    }
                )
        print(f"  coordcheck {optimizer_name} done", flush=True)
    write_results(outputs["coordcheck_deltas"], rows, config)


# --------------------------------------------------------------------------------------------------------------
# The largest stable learning rate against width (TP4 Fig 2)
# --------------------------------------------------------------------------------------------------------------


def _mlp_setups(config: Mapping[str, Any], input_dim: int, width: int, optimizer: str = "sgd") -> list[mlp.MLPSetup]:
    """SP and muP (PARAMETRIZATIONS order) of one width for `optimizer`, with the section's multipliers."""
    return [
        mlp.mlp_setup(
            input_dim,
            width,
            CLASSES,
            parametrization=parametrization,
            base_width=config["base_width"],
            optimizer=optimizer,
            input_mult=config["input_mult"],
            output_mult=config["output_mult"],
        )
        for parametrization in mlp.PARAMETRIZATIONS
    ]


def mlp_sweep_functions(setups: list[mlp.MLPSetup], loss: str, momentum: float) -> tuple:
    """(init_fn, loss_fn, make_optimizer, hypers) of `sweep.train_sweep` for the MLPs `setups` (one shape) trained
    by SGD with `momentum` on `loss` ("xent" or "mse")."""
    sizes, loss_fn = setups[0].sizes, mlp.LOSSES[loss]
    return (
        lambda key, h: init_mlp(key, sizes, h["scales"]),
        lambda p, xb, yb, h: loss_fn(mlp.logits(p, xb, h["scales"]), yb),
        sweep.sgd(momentum),
        [{"scales": list(s.scales), "lr_factors": s.lr_factors} for s in setups],
    )


def _mlp_sweep(config, setups, log2_lrs_VxL, x, y, loss, momentum, label, seeds=None) -> np.ndarray:
    """losses_VxLxSxT of the MLPs `setups` (one shape) trained by SGD on (x, y) with `loss` ("xent" or "mse"),
    seeds `seed`, `seed` + 1, ... (the section's `seeds` of them) unless `seeds` are given."""
    init_fn, loss_fn, make_optimizer, hypers = mlp_sweep_functions(setups, loss, momentum)
    return sweep.train_sweep(
        init_fn,
        loss_fn,
        make_optimizer,
        x,
        y,
        hypers=hypers,
        learning_rates=2.0**log2_lrs_VxL,
        seeds=seeds if seeds is not None else [config["seed"] + s for s in range(config["seeds"])],
        steps=config["steps"],
        batch=config["batch"],
        label=label,
        memory_budget_bytes=perf.memory_budget_bytes(config.get("program_memory_mb")),
    )


def _stability(config, losses_VxLxSxT) -> tuple[np.ndarray, np.ndarray]:
    """(stable_VxL: every seed finite and ending below its first loss, final loss_VxLxS)."""
    final, diverged = _train_losses(losses_VxLxSxT, config["loss_window"])
    stable = ~diverged & (final < losses_VxLxSxT[..., 0])
    return stable.all(axis=-1), final


def _largest_stable(log2_lrs: np.ndarray, stable: np.ndarray) -> float:
    """The largest grid value below which every grid value is stable; NaN where it is not measured: the smallest
    value is unstable, or every value is stable (the edge lies above the grid)."""
    unstable = np.flatnonzero(~stable)
    if unstable.size == 0 or unstable[0] == 0:
        return float("nan")
    return float(log2_lrs[unstable[0] - 1])


def maxlr(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """The largest stable SGD learning rate (no momentum) of the 2-hidden-layer ReLU MLP with the authors' squared
    loss (MSE_label), SP and muP, against width, on the section's dataset (`datasets`), for every set of input and
    output multipliers in `multiplier_sets` (the first: the authors' for relu + MSE, which the claims use; then a
    sensitivity row, e.g. unit multipliers). A learning rate is stable when every seed's losses stay finite and the
    mean of its last `loss_window` minibatch losses is below its first (the zero readout makes the first loss 0.09
    exactly). Coarse grid (`log2_lr_step`), then `refinements` points between the last stable and the first
    unstable value of each parametrization."""
    x, y = datasets.load(config)
    runs, edges = [], []
    for multipliers in config["multiplier_sets"]:
        section = {**config, "input_mult": multipliers["input_mult"], "output_mult": multipliers["output_mult"]}
        for width in config["widths"]:
            width_runs, width_edges = _maxlr_width(section, x, y, width)
            runs += [{"multipliers": multipliers["name"], **row} for row in width_runs]
            edges += [{"multipliers": multipliers["name"], **row} for row in width_edges]
    write_results(outputs["maxlr_runs"], runs, config)
    write_results(outputs["maxlr"], edges, config)


def _maxlr_width(config: Mapping[str, Any], x: np.ndarray, y: np.ndarray, width: int) -> tuple[list, list]:
    """(runs, edges) rows of one width and one set of multipliers (see `maxlr`)."""
    coarse = log2_grid(config["log2_lr_min"], config["log2_lr_max"], config["log2_lr_step"])
    fractions = np.arange(1, config["refinements"] + 1) / (config["refinements"] + 1)
    runs, edges = [], []
    label = f"maxlr width {width}, multipliers {config['input_mult']:g}, {config['output_mult']:g}"
    setups = _mlp_setups(config, x.shape[1], width)
    grids = np.tile(coarse, (len(setups), 1))
    stable, final = _stability(config, _mlp_sweep(config, setups, grids, x, y, "mse", 0.0, label))
    coarse_edges = [_largest_stable(coarse, flags) for flags in stable]
    refine = [bool(np.isfinite(e)) for e in coarse_edges]
    if fractions.size and any(refine):
        fine = np.array(
            [
                e + config["log2_lr_step"] * fractions if r else np.full(fractions.size, coarse[0])
                for e, r in zip(coarse_edges, refine, strict=True)
            ]
        )
        refined = _mlp_sweep(config, setups, fine, x, y, "mse", 0.0, f"{label}, refined")
        fine_stable, fine_final = _stability(config, refined)
        keep = np.array(refine)[:, None] & np.ones_like(fine, bool)
        grids = np.concatenate([grids, np.where(keep, fine, np.nan)], axis=1)
        stable = np.concatenate([stable, fine_stable], axis=1)
        final = np.concatenate([final, fine_final], axis=1)
    for v, parametrization in enumerate(mlp.PARAMETRIZATIONS):
        measured = np.isfinite(grids[v])
        order = np.flatnonzero(measured)[np.argsort(grids[v][measured])]
        edges.append(
            {
                "parametrization": parametrization,
                "width": width,
                "log2_max_lr": _largest_stable(grids[v][order], stable[v][order]),
            }
        )
        runs += [
            {
                "parametrization": parametrization,
                "width": width,
                "log2_lr": float(grids[v, i]),
                "seed": s,
                "final_loss": float(final[v, i, s]),
                "stable": bool(stable[v, i]),
            }
            for i in order
            for s in range(final.shape[2])
        ]
        print(f"  {label} {parametrization}: log2 max lr {edges[-1]['log2_max_lr']}", flush=True)
    return runs, edges


# --------------------------------------------------------------------------------------------------------------
# Learning-rate transfer across width (TP5 Fig 3) and across depth (TP6 Fig 10)
# --------------------------------------------------------------------------------------------------------------


def _sweep_rows(losses_LxSxT: np.ndarray, log2_lrs: np.ndarray, window: int, **labels) -> list[dict]:
    final, diverged = _train_losses(losses_LxSxT, window)
    return [
        {
            **labels,
            "log2_lr": float(log2_lrs[i]),
            "seed": s,
            "train_loss": float(final[i, s]),
            "diverged": bool(diverged[i, s]),
        }
        for i, s in np.ndindex(final.shape)
    ]


def tune_multipliers(config: Mapping[str, Any], x: np.ndarray, y: np.ndarray) -> tuple[list[dict], dict]:
    """muTransfer's first step, at the base width only (where SP and muP are one net): train every (input
    multiplier, output multiplier) of `tuning`'s grid at every learning rate of its whole-octave grid, with seeds
    of their own (not the transfer's), and keep the pair of least training loss (mean over the tuning seeds, least
    over the learning rates). Returns (rows of the tuning table, the choice: input_mult, output_mult and the
    base width's best log2 learning rate on that grid)."""
    tuning = config["tuning"]
    pairs = [(i, o) for i in tuning["input_mults"] for o in tuning["output_mults"]]
    log2_lrs = log2_grid(tuning["log2_lr_min"], tuning["log2_lr_max"], 1.0)
    mup_index = mlp.PARAMETRIZATIONS.index("mup")
    setups = [
        _mlp_setups({**config, "input_mult": i, "output_mult": o}, x.shape[1], config["base_width"])[mup_index]
        for i, o in pairs
    ]
    seeds = [config["seed"] + TUNING_SEED_OFFSET + s for s in range(tuning["seeds"])]
    losses = _mlp_sweep(
        config,
        setups,
        np.tile(log2_lrs, (len(setups), 1)),
        x,
        y,
        "xent",
        config["momentum"],
        "transfer: tuning the multipliers at the base width",
        seeds=seeds,
    )
    rows = []
    for v, (input_mult, output_mult) in enumerate(pairs):
        rows += _sweep_rows(losses[v], log2_lrs, config["loss_window"], input_mult=input_mult, output_mult=output_mult)
    table = pd.DataFrame(rows)
    curves = table.groupby(["input_mult", "output_mult", "log2_lr"])["train_loss"].agg(lambda v: v.mean(skipna=False))
    best = curves.idxmin()
    return rows, {"input_mult": best[0], "output_mult": best[1], "log2_lr": best[2]}


def transfer(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Training loss against log2 learning rate for every width, SP and muP (base width `base_width`): the
    authors' MLP script (no biases, zero readout, input and output multipliers, SGD with momentum, batch 64,
    cross-entropy) on the section's dataset (`datasets`). The multipliers are first tuned at the base width
    (`tune_multipliers`, written to outputs["transfer_tuning"]); the learning-rate grid is the whole octaves
    `log2_lr_offsets` around the base width's best rate found there. One compiled program per width trains every
    (parametrization, learning rate, seed)."""
    x, y = datasets.load(config, inputs["data"])
    tuning_rows, chosen = tune_multipliers(config, x, y)
    print(f"  transfer: tuned at width {config['base_width']}: {chosen}", flush=True)
    tuning_table = [{**row, "chosen": False} for row in tuning_rows] + [{**chosen, "chosen": True}]
    write_results(outputs["transfer_tuning"], tuning_table, config)
    low, high = config["log2_lr_offsets"]
    log2_lrs = chosen["log2_lr"] + np.arange(low, high + 1, dtype=float)
    tuned = {**config, "input_mult": chosen["input_mult"], "output_mult": chosen["output_mult"]}
    rows = []
    for width in config["widths"]:
        setups = _mlp_setups(tuned, x.shape[1], width)
        grids = np.tile(log2_lrs, (len(setups), 1))
        losses = _mlp_sweep(tuned, setups, grids, x, y, "xent", config["momentum"], f"transfer width {width}")
        for v, parametrization in enumerate(mlp.PARAMETRIZATIONS):
            rows += _sweep_rows(
                losses[v], log2_lrs, config["loss_window"], parametrization=parametrization, width=width
            )
        print(f"  transfer width {width} done", flush=True)
    write_results(outputs["transfer_losses"], rows, config)


def resnet_sweep_functions(setups: list[resnet.ResNetSetup]) -> tuple:
    """(init_fn, loss_fn, make_optimizer, hypers) of `sweep.train_sweep` for the residual nets `setups` (one
    depth), Adam on cross-entropy."""
    shape = setups[0]
    return (
        lambda key, h: resnet.init_resnet(key, shape),
        lambda p, xb, yb, h: mlp.cross_entropy(resnet.apply_resnet(p, xb, shape, h["branch_multiplier"]), yb),
        sweep.adam(),
        [resnet.hyper(s) for s in setups],
    )


def _resnet_sweep(config, setups, log2_lrs, x, y) -> np.ndarray:
    """losses_VxLxSxT of the residual nets `setups` (one depth, both block parametrizations), Adam."""
    init_fn, loss_fn, make_optimizer, hypers = resnet_sweep_functions(setups)
    return sweep.train_sweep(
        init_fn,
        loss_fn,
        make_optimizer,
        x,
        y,
        hypers=hypers,
        learning_rates=2.0 ** np.tile(log2_lrs, (len(setups), 1)),
        seeds=[config["seed"] + s for s in range(config["seeds"])],
        steps=config["steps"],
        batch=config["batch"],
        label=f"depth L = {setups[0].depth}",
        memory_budget_bytes=perf.memory_budget_bytes(config.get("program_memory_mb")),
        split=config["split_over_devices"],
    )


def depth(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Training loss against log2 Adam learning rate for every depth, Depth-muP blocks against standard blocks
    (`resnet`), on MNIST-1D with cross-entropy and batch `batch`. One compiled program per depth."""
    x, y = datasets.mnist1d_train(inputs["data"])
    log2_lrs = log2_grid(config["log2_lr_min"], config["log2_lr_max"], config["log2_lr_step"])
    rows = []
    for blocks in config["depths"]:
        setups = [
            resnet.resnet_setup(
                x.shape[1],
                config["width"],
                blocks,
                CLASSES,
                block=block,
                multiplier=config["multiplier"],
                base_depth=config["base_depth"],
            )
            for block in resnet.BLOCKS
        ]
        losses = _resnet_sweep(config, setups, log2_lrs, x, y)
        for v, block in enumerate(resnet.BLOCKS):
            rows += _sweep_rows(losses[v], log2_lrs, config["loss_window"], block=block, depth=blocks)
        print(f"  depth L = {blocks} done", flush=True)
    write_results(outputs["depth_losses"], rows, config)
