"""Compute tasks of TP5 Fig 1 (a Transformer's Adam learning rate transferring across width) and of its coordinate
check (TP5 Fig 5), on byte-level text (`replications.mup.corpus`).

Training losses are the mean minibatch loss (recorded before each update) over the last `loss_window` steps, in
nats per byte; a net "diverged" when one of its minibatch losses was not finite. Learning rates are whole octaves.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from replications.core import perf, tags
from replications.core.results import write_results
from replications.mup import corpus, sweep
from replications.mup import transformer as tfm
from replications.mup.experiments import TUNING_SEED_OFFSET, _train_losses, log2_grid


def training_bytes(config: Mapping[str, Any]) -> np.ndarray:
    """The training text as a uint8 array: the gensim wheel's Wikipedia articles (joined by blank lines, UTF-8),
    less their last `validation_fraction` (held out, unused by the training-loss figures); or WikiText-2's
    training split (`paper`)."""
    if config["corpus"] == "wikitext2":
        return np.frombuffer(corpus.load_wikitext2(config["wikitext2_dir"])["train"].encode("utf-8"), np.uint8)
    text = np.frombuffer("\n\n".join(t for _, t in corpus.wikipedia_articles()).encode("utf-8"), np.uint8)
    return text[: int(len(text) * (1 - config["validation_fraction"]))]


def _shape(config: Mapping[str, Any], width: int) -> tfm.Shape:
    return tfm.Shape(width, config["layers"], config["heads"], config["seq"], config["pre_ln"])


def _hypers(config, width: int, pairs: list[tuple[str, float, float]]) -> list[dict]:
    """Hypers of (parametrization, readout multiplier, attention multiplier) triples at `width`."""
    return [
        tfm.hyper(
            _shape(config, width),
            parametrization=p,
            base_width=config["base_width"],
            readout_mult=omega,
            attn_mult=alpha,
            embedding_std=config["embedding_std"],
        )
        for p, omega, alpha in pairs
    ]


def sweep_functions(config: Mapping[str, Any], width: int) -> tuple:
    """(init_fn, loss_fn, make_optimizer) of `sweep.train_sweep` for the section's Transformer of `width`, Adam."""
    shape = _shape(config, width)
    return (
        lambda key, h: tfm.init_params(key, shape, h),
        lambda p, xb, yb, h: tfm.loss(p, xb, yb, shape, h),
        lambda lr, h: tags.optimizer("adam", lr, h["lr_factors"], config["adam_eps"]),
    )


def _sweep(config, width, hypers, log2_lrs_VxL, x, y, seeds, label, timings) -> np.ndarray:
    """losses_VxLxSxT of Adam-trained nets of one width, in one compiled program, or, where the section's
    `program_memory_mb` (null: the job's memory, `core.perf.memory_budget_bytes`) holds fewer (the `paper`
    profile's widest widths), in programs of as many nets as it holds (`sweep.train_sweep`; each net's numbers are
    its own either way). The time and FLOP rate are appended to `timings`."""
    shape = _shape(config, width)
    start, cpu = time.perf_counter(), time.process_time()
    losses = sweep.train_sweep(
        *sweep_functions(config, width),
        x,
        y,
        hypers=hypers,
        learning_rates=2.0**log2_lrs_VxL,
        seeds=seeds,
        steps=config["steps"],
        batch=config["batch"],
        label=label,
        memory_budget_bytes=perf.memory_budget_bytes(config["program_memory_mb"]),
    )
    seconds = time.perf_counter() - start
    nets = log2_lrs_VxL.size * len(seeds)
    flops = tfm.train_flops(shape, config["batch"]) * config["steps"] * nets
    timings.append(
        {"sweep": label, "width": width, "nets": nets, "steps": config["steps"], "flops": flops,
         "wall_s": seconds, "cpu_s": time.process_time() - cpu, "gflop_per_s": flops / seconds / 1e9}
    )  # fmt: skip
    return losses


def _rows(losses_LxSxT, log2_lrs, window, **labels) -> list[dict]:
    final, diverged = _train_losses(losses_LxSxT, window)
    return [
        {**labels, "log2_lr": float(log2_lrs[i]), "seed": s, "train_loss": float(final[i, s]),
         "diverged": bool(diverged[i, s])}
        for i, s in np.ndindex(final.shape)
    ]  # fmt: skip


def _offsets(config: Mapping[str, Any], parametrization: str) -> np.ndarray:
    """The whole octaves `log2_lr_offsets_<parametrization>` = [below, above], below < 0 < above."""
    low, high = config[f"log2_lr_offsets_{parametrization}"]
    if not low < 0 < high:
        raise ValueError(f"log2_lr_offsets_{parametrization} must be [negative, positive], got {[low, high]}")
    return np.arange(low, high + 1, dtype=float)


def tune(config: Mapping[str, Any], x: np.ndarray, y: np.ndarray, timings: list) -> tuple[list[dict], dict]:
    """muTransfer's first step at the base width only (SP and muP are one net there): every (readout multiplier,
    attention multiplier) of `tuning`'s grid at every whole-octave learning rate of its range, on seeds of their
    own; the choice is the pair and rate of least training loss (mean over the tuning seeds)."""
    tuning = config["tuning"]
    pairs = [("mup", o, a) for o in tuning["readout_mults"] for a in tuning["attn_mults"]]
    log2_lrs = log2_grid(tuning["log2_lr_min"], tuning["log2_lr_max"], 1.0)
    seeds = [config["seed"] + TUNING_SEED_OFFSET + s for s in range(tuning["seeds"])]
    base = config["base_width"]
    hypers = _hypers(config, base, pairs)
    losses = _sweep(config, base, hypers, np.tile(log2_lrs, (len(pairs), 1)), x, y, seeds, "tuning", timings)
    rows = []
    for v, (_, omega, alpha) in enumerate(pairs):
        rows += _rows(losses[v], log2_lrs, config["loss_window"], readout_mult=omega, attn_mult=alpha)
    curves = pd.DataFrame(rows).groupby(["readout_mult", "attn_mult", "log2_lr"])["train_loss"]
    best = curves.agg(lambda v: v.mean(skipna=False)).idxmin()
    return rows, {"readout_mult": best[0], "attn_mult": best[1], "log2_lr": best[2]}


def transfer(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """TP5 Fig 1: training loss against log2 Adam learning rate for every width, SP and muP relative to
    `base_width`, after tuning the multipliers at the base width (`tune`, outputs["transformer_tuning"]). Each
    parametrization's grid is the whole octaves `log2_lr_offsets_<parametrization>` around the base width's tuned
    rate; one compiled program per width trains every (parametrization, learning rate, seed), the seeds common
    to all (same init draws and minibatches)."""
    if len({len(_offsets(config, p)) for p in tfm.PARAMETRIZATIONS}) > 1:  # one program: a grid of one size
        raise ValueError("log2_lr_offsets_sp and log2_lr_offsets_mup must span the same number of octaves")
    x, y = tfm.windows(training_bytes(config), config["seq"])
    x = x.astype(np.float32)
    timings: list[dict] = []
    tuning_rows, chosen = tune(config, x, y, timings)
    print(f"  transformer: tuned at width {config['base_width']}: {chosen}", flush=True)
    tuning_table = [{**row, "chosen": False} for row in tuning_rows] + [{**chosen, "chosen": True}]
    write_results(outputs["transformer_tuning"], tuning_table, config)
    grids = np.array([chosen["log2_lr"] + _offsets(config, p) for p in tfm.PARAMETRIZATIONS])
    seeds = [config["seed"] + s for s in range(config["seeds"])]
    rows = []
    for width in config["widths"]:
        hypers = _hypers(
            config, width, [(p, chosen["readout_mult"], chosen["attn_mult"]) for p in tfm.PARAMETRIZATIONS]
        )
        losses = _sweep(config, width, hypers, grids, x, y, seeds, f"transformer width {width}", timings)
        for v, parametrization in enumerate(tfm.PARAMETRIZATIONS):
            rows += _rows(losses[v], grids[v], config["loss_window"], parametrization=parametrization, width=width)
        print(f"  transformer width {width} done: {timings[-1]['gflop_per_s']:.1f} GFLOP/s", flush=True)
    write_results(outputs["transformer_losses"], rows, config)
    write_results(outputs["transformer_timing"], timings, config)


# --------------------------------------------------------------------------------------------------------------
# Coordinate check (TP5 Fig 5) under Adam
# --------------------------------------------------------------------------------------------------------------


def _coord_run(shape, hypers_P, keys_S, x, y, lr: float, steps: int, eps: float):
    """(mean |a_t - a_0| per tracked activation: P x S x T x A, gradient RMS per tensor: P x S x T x K) over
    t = 1..steps Adam updates on the fixed batch (x, y). One compiled program, run seed by seed (so that only the
    P parametrizations' nets are resident at once: the `paper` profile's width 8192)."""
    names = tfm.activation_names(shape)

    def one_net(hyper, key):
        optimizer = tags.optimizer("adam", lr, hyper["lr_factors"], eps)
        params = tfm.init_params(key, shape, hyper)

        def step(carry, _):
            # the activations before the update, by the same code at every step (a_0 included), so that an
            # activation whose inputs have not moved shows a change of exactly 0, not XLA's rounding differences
            p, state = carry
            a = tfm.activations(p, x, shape, hyper)
            grads = jax.grad(lambda q: tfm.loss(q, x, y, shape, hyper))(p)
            updates, state = optimizer.update(grads, state, p)
            rms = jnp.stack([jnp.sqrt(jnp.mean(g**2)) for g in jax.tree.leaves(grads)])
            return (jax.tree.map(lambda w, u: w + u, p, updates), state), ([a[k] for k in names], rms)

        _, (acts, rms) = jax.lax.scan(step, (params, optimizer.init(params)), None, length=steps + 1)
        deltas = jnp.stack([jnp.abs(a[1:] - a[:1]).mean(axis=tuple(range(1, a.ndim))) for a in acts], axis=-1)
        return deltas, rms[:steps]

    run = jax.jit(jax.vmap(one_net, in_axes=(0, None)))
    stacked = sweep.stack_variants(hypers_P)
    per_seed = [[np.asarray(a) for a in run(stacked, key)] for key in keys_S]
    return tuple(np.stack([seed[k] for seed in per_seed], axis=1) for k in range(2))


def coordcheck(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """mean |Delta a| of the token embedding output, each block's attention logits (before the causal mask) and
    output, and the logits, after t = 1..`steps` Adam updates on one fixed batch (the first `batch` windows of the
    training text), against width, SP and muP (relative to `base_width`) at `learning_rate` with the section's
    multipliers. Also the RMS of every tensor's gradient at every step (Adam's eps must be far below it)."""
    x_NxS, y_NxS = tfm.windows(training_bytes(config), config["seq"])
    x, y = jnp.asarray(x_NxS[: config["batch"]], jnp.int32), jnp.asarray(y_NxS[: config["batch"]], jnp.int32)
    keys_S = jnp.stack([jax.random.PRNGKey(config["seed"] + s) for s in range(config["seeds"])])
    deltas_rows, rms_rows = [], []
    for width in config["widths"]:
        shape = _shape(config, width)
        hypers = _hypers(
            config, width, [(p, config["readout_mult"], config["attn_mult"]) for p in tfm.PARAMETRIZATIONS]
        )
        deltas, rms = _coord_run(shape, hypers, keys_S, x, y, config["learning_rate"], config["steps"],
                                 config["adam_eps"])  # fmt: skip
        names = tfm.activation_names(shape)
        tensors = [
            "/".join(k.key for k in path) for path, _ in jax.tree_util.tree_flatten_with_path(hypers[0]["init_stds"])[0]
        ]
        for p, s, t, k in np.ndindex(deltas.shape):
            deltas_rows.append(
                {"optimizer": "adam", "parametrization": tfm.PARAMETRIZATIONS[p], "width": width, "seed": s,
                 "step": t + 1, "layer": names[k], "mean_abs_delta": float(deltas[p, s, t, k])}
            )  # fmt: skip
        for p, s, t, k in np.ndindex(rms.shape):
            rms_rows.append(
                {"parametrization": tfm.PARAMETRIZATIONS[p], "width": width, "seed": s, "step": t + 1,
                 "tensor": tensors[k], "grad_rms": float(rms[p, s, t, k])}
            )  # fmt: skip
        print(f"  transformer coordcheck width {width} done", flush=True)
    write_results(outputs["transformer_coord_deltas"], deltas_rows, config)
    write_results(outputs["transformer_grad_rms"], rms_rows, config)
