"""The muP group: the authors' MLP in SP and muP, the learning-rate sweep, the Depth-muP residual net, and the
measures behind the claims."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pandas as pd
import pytest
import sweep_toy
from scipy import stats as scipy_stats

from replications.core import perf
from replications.core.config import ConfigError, validate_config
from replications.core.nets import init_mlp
from replications.core.stats import jackknife_estimate
from replications.mup import experiments, measures, mlp, resnet, sweep


def _setup(parametrization, width, **kw):
    return mlp.mlp_setup(12, width, 10, parametrization=parametrization, base_width=64, optimizer="sgd", **kw)


def test_mup_equals_sp_at_the_base_width():
    for kw in ({}, {"input_mult": 1 / 256, "output_mult": 32.0}, {"readout": "random"}):
        assert _setup("mup", 64, **kw) == _setup("sp", 64, **kw)


def test_mup_rules_off_the_base_width():
    sp, mup = _setup("sp", 256, readout="random"), _setup("mup", 256, readout="random")
    m = 256 / 64
    assert mup.scales[-1].weight_multiplier == pytest.approx(sp.scales[-1].weight_multiplier / m)
    assert mup.scales[-1].weight_std == pytest.approx(sp.scales[-1].weight_std * np.sqrt(m))  # 1/n0, not 1/n
    assert [f["W"] for f in mup.lr_factors] == [m, 1.0, m] and all(f["W"] == 1.0 for f in sp.lr_factors)
    assert all(s.bias_multiplier == 0.0 for s in mup.scales)  # the authors' MLP has no biases


def test_input_multiplier_leaves_the_function_at_init_unchanged():
    x = jax.random.normal(jax.random.PRNGKey(1), (5, 12))
    plain, scaled = _setup("sp", 32, readout="random"), _setup("sp", 32, readout="random", input_mult=1 / 256)
    f = [mlp.logits(init_mlp(jax.random.PRNGKey(0), s.sizes, s.scales), x, s.scales) for s in (plain, scaled)]
    np.testing.assert_allclose(f[0], f[1], rtol=1e-5, atol=1e-6)
    zero = _setup("sp", 32)
    f_zero = mlp.logits(init_mlp(jax.random.PRNGKey(0), zero.sizes, zero.scales), x, zero.scales)
    assert float(jnp.abs(f_zero).max()) == 0


def test_bad_setups():
    with pytest.raises(ValueError, match="parametrization"):
        _setup("ntk", 32)
    with pytest.raises(ValueError, match="readout"):
        _setup("sp", 32, readout="ones")
    with pytest.raises(ValueError, match="multipliers"):
        _setup("sp", 32, input_mult=0.0)
    with pytest.raises(ValueError, match="optimizer"):
        mlp.mlp_setup(12, 32, 10, parametrization="sp", base_width=64, optimizer="lion")


def test_mse_label_is_the_authors():
    f = jnp.zeros((2, 10))
    assert float(mlp.mse_label(f, jnp.array([0, 3]))) == pytest.approx((0.81 + 9 * 0.01) / 10)


def test_minibatches_are_epochs_of_permutations():
    idx = sweep.minibatch_indices(10, 3, 7, seed=0)
    assert idx.shape == (7, 3)
    for epoch in (idx[:3], idx[3:6]):
        assert len(set(epoch.ravel())) == 9  # 3 batches of an epoch: distinct rows, the 10th dropped
    with pytest.raises(ValueError, match="larger"):
        sweep.minibatch_indices(4, 5, 1, seed=0)


def test_sweep_equals_a_plain_loop():
    """Every (learning rate, seed) net of the vmapped program trains as it would alone."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 6)).astype(np.float32), rng.integers(0, 10, 40)
    setups = [
        mlp.mlp_setup(6, 16, 10, parametrization=p, base_width=8, optimizer="sgd", readout="random")
        for p in ("sp", "mup")
    ]
    setup = setups[1]
    loss = lambda p, xb, yb: mlp.cross_entropy(mlp.logits(p, xb, setup.scales), yb)  # noqa: E731
    lrs, seeds, steps = np.array([[0.01, 0.02], [0.05, 0.2]]), [3, 4], 6
    losses = sweep.train_sweep(
        lambda k, h: init_mlp(k, setup.sizes, h["scales"]),
        lambda p, xb, yb, h: mlp.cross_entropy(mlp.logits(p, xb, h["scales"]), yb),
        sweep.sgd(0.9),
        x,
        y,
        hypers=[{"scales": list(s.scales), "lr_factors": s.lr_factors} for s in setups],
        learning_rates=lrs,
        seeds=seeds,
        steps=steps,
        batch=8,
    )
    assert losses.shape == (2, 2, 2, steps)
    lr, seed = lrs[1, 1], seeds[0]
    params = init_mlp(jax.random.PRNGKey(seed), setup.sizes, setup.scales)
    factors = [{"W": f["W"], "b": f["b"]} for f in setup.lr_factors]

    @jax.jit
    def step(params, velocity, xb, yb):
        value, grads = jax.value_and_grad(loss)(params, xb, yb)
        velocity = jax.tree.map(lambda v, g: 0.9 * v + g, velocity, grads)
        return value, jax.tree.map(lambda p, v, f: p - lr * f * v, params, velocity, factors), velocity

    velocity = jax.tree.map(jnp.zeros_like, params)
    for t, idx in enumerate(sweep.minibatch_indices(40, 8, steps, seed)):
        value, params, velocity = step(params, velocity, x[idx], y[idx])
        assert float(value) == pytest.approx(float(losses[1, 1, 0, t]), rel=1e-4)


def test_train_losses_marks_divergence():
    losses = np.array([[[1.0, 0.5, 0.4]], [[1.0, np.inf, np.nan]]])
    final, diverged = experiments._train_losses(losses, 2)
    assert diverged.tolist() == [[False], [True]]
    assert final[0, 0] == pytest.approx(0.45) and np.isnan(final[1, 0])


def test_stability_of_a_variant_grid():
    """(variants, learning rates, seeds, steps): stable iff every seed stays finite and ends below its first loss."""
    losses = np.ones((2, 3, 2, 6))
    losses[..., -2:] = 0.5  # every net learns ...
    losses[0, 1, 1, -2:] = 1.5  # ... but one seed of one net ends above its first loss
    losses[1, 2, 0, 3] = np.nan  # and one diverges
    stable, final = experiments._stability({"loss_window": 2}, losses)
    assert stable.tolist() == [[True, False, True], [True, True, False]]
    assert final.shape == (2, 3, 2) and final[0, 0, 0] == pytest.approx(0.5)


def test_largest_stable_needs_every_smaller_rate_stable():
    grid = np.array([-3.0, -2.0, -1.0, 0.0])
    assert experiments._largest_stable(grid, np.array([True, True, False, True])) == -2.0
    assert np.isnan(experiments._largest_stable(grid, np.array([True] * 4)))  # the edge is above the grid
    assert np.isnan(experiments._largest_stable(grid, np.array([False, True, True, True])))
    np.testing.assert_allclose(experiments.log2_grid(-2, -1, 0.25), [-2, -1.75, -1.5, -1.25, -1])


def test_tp6_blocks_are_one_net_at_the_base_depth():
    kw = {"multiplier": 2.0, "base_depth": 4}
    for block in resnet.BLOCKS:
        assert resnet.resnet_setup(5, 8, 4, 10, block=block, **kw)[4:] == (2.0, 1.0)
    deep = resnet.resnet_setup(5, 8, 16, 10, block="depth_mup", **kw)
    assert deep.branch_multiplier == pytest.approx(1.0) and deep.lr_factor == pytest.approx(0.5)
    branch_only = resnet.resnet_setup(5, 8, 16, 10, block="branch_only", **kw)
    assert branch_only.branch_multiplier == pytest.approx(1.0) and branch_only.lr_factor == 1.0  # alpha 1/2, gamma 0
    assert resnet.resnet_setup(5, 8, 16, 10, block="standard", **kw)[4:] == (2.0, 1.0)
    with pytest.raises(ValueError, match="block"):
        resnet.resnet_setup(5, 8, 4, 10, block="post_ln", **kw)


def test_resnet_trains_only_its_blocks():
    setup = resnet.resnet_setup(5, 8, 3, 10, block="depth_mup", multiplier=1.0, base_depth=1)
    params = resnet.init_resnet(jax.random.PRNGKey(0), setup)
    x, y = jax.random.normal(jax.random.PRNGKey(1), (4, 5)), jnp.arange(4)
    assert resnet.apply_resnet(params, x, setup, setup.branch_multiplier).shape == (4, 10)
    optimizer = sweep.adam()(1e-2, resnet.hyper(setup))

    @jax.jit
    def update(params):
        grads = jax.grad(lambda p: mlp.cross_entropy(resnet.apply_resnet(p, x, setup, 0.5), y))(params)
        updates, _ = optimizer.update(grads, optimizer.init(params), params)
        return optax.apply_updates(params, updates)

    new = update(params)
    assert (new["U"] == params["U"]).all() and (new["V"] == params["V"]).all()
    assert not (new["W"] == params["W"]).all()


def _sweep_table():
    rows = []
    for width, best in ((128, -9.0), (256, -9.5), (512, -10.0)):
        for lr in (-10.0, -9.5, -9.0, -8.5):
            for seed in (0, 1):
                loss = 1.0 + (lr - best) ** 2 - width / 1000
                rows.append({"width": width, "log2_lr": lr, "seed": seed, "train_loss": loss})
    table = pd.DataFrame(rows)
    table.loc[(table.width == 512) & (table.log2_lr == -8.5) & (table.seed == 1), "train_loss"] = np.nan
    return table


def test_mean_curves_of_a_sweep():
    table = _sweep_table()
    assert np.isnan(measures.mean_curves(table, "width").loc[-8.5, 512])  # a diverged seed: no mean


def test_coordinate_measures_leave_out_unmoved_layers():
    rows = []
    for width, scale in ((256, 1.0), (4096, 1.2)):
        for step in (1, 2):
            for layer in ("h1", "logits"):
                moved = 0.0 if (layer == "h1" and step == 1) else scale * (3.0 if layer == "logits" else 1.0)
                rows.append(
                    {
                        "parametrization": "mup",
                        "optimizer": "sgd",
                        "width": width,
                        "seed": 0,
                        "step": step,
                        "layer": layer,
                        "mean_abs_delta": moved,
                    }
                )
    deltas = pd.DataFrame(rows)
    kw = {"parametrization": "mup", "optimizer": "sgd", "wide": 4096, "narrow": 256}
    assert measures.coord_ratio(deltas, steps=(1, 2), **kw) == pytest.approx(1.2)
    assert measures.logit_growth(deltas, step=2, **kw) == pytest.approx(1.2)


def test_maxlr_slope():
    table = pd.DataFrame({"parametrization": "sp", "width": [128, 256, 512], "log2_max_lr": [-11.0, -12.0, -13.0]})
    assert measures.maxlr_slope(table, "sp") == pytest.approx(-1.0)
    table.loc[2, "log2_max_lr"] = np.nan  # a width whose edge lies outside the grid: no slope, not a shorter fit
    assert np.isnan(measures.maxlr_slope(table, "sp"))


def test_coordinate_check_small():
    """The group's own coordinate check (zero readout, the authors' multipliers) at widths 256 and 1024: under muP
    every layer moves alike at both widths, under SP the logits move about 4x more at the wider."""
    rng = np.random.default_rng(0)
    x, y = jnp.asarray(rng.normal(size=(16, 12)), jnp.float32), jnp.asarray(rng.integers(0, 10, 16))
    config = {"base_width": 256, "input_mult": 1 / 256, "output_mult": 32.0}
    rows = []
    for width in (256, 1024):
        setups = experiments._mlp_setups(config, 12, width)
        deltas = experiments._coord_deltas(
            setups[0].sizes,
            sweep.stack_variants([list(s.scales) for s in setups]),
            sweep.stack_variants([s.lr_factors for s in setups]),
            "sgd",
            2.0**-9,
            x,
            y,
            jnp.stack([jax.random.PRNGKey(s) for s in range(2)]),
            3,
        )
        for p, s, t, k in np.ndindex(deltas.shape):
            rows.append(
                {
                    "parametrization": mlp.PARAMETRIZATIONS[p],
                    "optimizer": "sgd",
                    "width": width,
                    "seed": s,
                    "step": t + 1,
                    "layer": mlp.LAYER_NAMES[k],
                    "mean_abs_delta": float(deltas[p, s, t, k]),
                }
            )
    table = pd.DataFrame(rows)
    moved = table[(table.step == 2) & (table.layer == "h2")]
    assert (moved.mean_abs_delta > 0).all()  # the hidden layers move from step 2 on
    kw = {"optimizer": "sgd", "wide": 1024, "narrow": 256}
    assert measures.coord_ratio(table, parametrization="mup", steps=(1, 2, 3), **kw) < 1.5
    assert measures.logit_growth(table, parametrization="sp", step=2, **kw) > 2.5


def test_config_relations_of_a_sweep():
    import yaml

    config = yaml.safe_load(open("workflows/config/config.yaml"))
    config["mup"]["transfer"]["tuning"]["log2_lr_min"] = 0
    config["mup"]["transfer"]["log2_lr_offsets"] = [1, 3]
    config["mup"]["transfer"]["base_width"] = 100
    config["mup"]["depth"]["loss_window"] = 1000
    config["mup"]["depth"]["base_depth"] = 2
    with pytest.raises(ConfigError) as error:
        validate_config(config)
    for key in ("transfer.tuning.log2_lr_min", "transfer.log2_lr_offsets", "transfer.base_width", "depth.loss_window",
                "depth.base_depth"):  # fmt: skip
        assert f"mup.{key}" in str(error.value)


def test_sweep_in_chunks_equals_one_program(capsys):
    """A memory budget that holds a few of the 2 x 3 x 2 nets splits the grid into programs (groups of seeds, groups
    of (variant, learning rate) pairs); every net's losses are the ones the single program computes, up to float32
    rounding (XLA may order the sums of a product batched over fewer nets differently: a few 1e-7 here)."""
    learning_rates = [[0.01, 0.05, 0.2]] * 2
    one, chunked = (sweep_toy.run(("sp", "mup"), learning_rates, budget_nets) for budget_nets in (None, 3.5))
    np.testing.assert_allclose(one, chunked, rtol=2e-6)
    said = capsys.readouterr().out
    assert "in 1 program run(s)" in said and re.search(r"in ([2-9]|1[0-2]) program run\(s\)", said)
    assert len(sweep.chunks(6, 2, 3)[1]) == 6  # seeds in one group of 2, pairs one at a time


SWEEP_ON_DEVICES = """
import sys
import jax, numpy as np
import sweep_toy
budget_nets = {"none": None, "four_nets": 4.5}[sys.argv[2]]
losses = sweep_toy.run(("sp", "mup", "sp"), [[0.05], [0.2], [0.05]], budget_nets, split=sys.argv[3] == "split")
np.save(sys.argv[1], losses)
print("devices", len(jax.devices()))
"""


def test_sweep_split_over_devices_equals_one_device(tmp_path):
    """Three (variant, learning rate) pairs over two CPU devices (the last device's share filled with a repeat), in
    one program and in programs of at most 4 nets (2 pairs x 2 seeds, padding included: 2 programs): every net's
    losses are the one-device program's, up to float32 rounding, each in its own place (pairs 0 and 2 are the same
    net, on different devices). Not split (`split=False`), the sweep on two devices is the one-device program's,
    bit for bit."""
    said = {}
    for devices, budget, split in (
        (1, "none", "split"),
        (2, "none", "split"),
        (2, "four_nets", "split"),
        (2, "none", "one"),
    ):
        flags = {"XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}", "JAX_PLATFORMS": "cpu"}
        flags["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")]))
        run = subprocess.run(
            [sys.executable, "-c", SWEEP_ON_DEVICES, str(tmp_path / f"{devices}_{budget}_{split}.npy"), budget, split],
            env={**os.environ, **flags}, capture_output=True, text=True, check=True,
        )  # fmt: skip
        said[devices, budget, split] = run.stdout
    assert "devices 1" in said[1, "none", "split"] and "devices 2" in said[2, "none", "split"]
    assert "in 1 program run(s) on 2 device(s)" in said[2, "none", "split"]
    assert "in 2 program run(s) on 2 device(s)" in said[2, "four_nets", "split"]
    assert "in 1 program run(s) on 1 device(s)" in said[2, "none", "one"]
    names = ("1_none_split", "2_none_split", "2_four_nets_split", "2_none_one")
    one, two, chunked, unsplit = (np.load(tmp_path / f"{name}.npy") for name in names)
    assert one.shape == two.shape == chunked.shape == (3, 1, 2, 5) and np.isfinite(one).all()
    np.testing.assert_allclose(two, one, rtol=2e-6)
    np.testing.assert_allclose(chunked, one, rtol=2e-6)
    np.testing.assert_allclose(two[2], two[0], rtol=2e-6)
    assert not np.allclose(two[1], two[0], rtol=1e-3)
    np.testing.assert_array_equal(unsplit, one)


def test_one_cpu_device_per_core():
    """The CPU backend becomes one device per core the process may use; a count the user set (XLA_FLAGS, or JAX's
    JAX_NUM_CPU_DEVICES) is kept; in a process that has run JAX already (this one) the call changes nothing and
    raises nothing."""
    script = "from replications.core import perf; import jax; perf.one_cpu_device_per_core(); print(len(jax.devices()))"
    environment = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "JAX_NUM_CPU_DEVICES")}
    environment["JAX_PLATFORMS"] = "cpu"
    cores = len(os.sched_getaffinity(0))
    for flags, expected in (
        ({}, cores),
        ({"XLA_FLAGS": "--xla_force_host_platform_device_count=3"}, 3),
        ({"JAX_NUM_CPU_DEVICES": "3"}, 3),
    ):
        run = subprocess.run(
            [sys.executable, "-c", script], env={**environment, **flags}, capture_output=True, text=True, check=True
        )
        assert run.stdout.split() == [str(expected)]
    before = len(jax.devices("cpu"))
    perf.one_cpu_device_per_core()
    assert len(jax.devices("cpu")) == before


def test_chunks_cover_the_grid_once():
    """Every (pair, seed) once, and no program over `max_nets` nets, with its pairs padded to a multiple of the
    devices used: at most those given, each with a pair beside its seeds."""
    cases = [(6, 2, 3, 1), (5, 4, 100, 1), (7, 3, 1, 1), (4, 5, 2, 1), (7, 2, 11, 2), (5, 3, 100, 2), (6, 2, 4, 2)]
    for pairs, seeds, max_nets, devices in cases:
        used, plan = sweep.chunks(pairs, seeds, max_nets, devices)
        assert used == devices
        cells = [(p, s) for chunk, sl in plan for p in chunk for s in range(seeds)[sl]]
        assert sorted(cells) == [(p, s) for p in range(pairs) for s in range(seeds)]
        for chunk, sl in plan:
            assert (len(chunk) + -len(chunk) % used) * len(range(seeds)[sl]) <= max(max_nets, 1)
    assert [len(chunk) for chunk, _ in sweep.chunks(7, 2, 11, 2)[1]] == [4, 3]  # 5 pairs would be 6 padded: 12 nets
    assert sweep.chunks(4, 2, 3, 2) == (1, [([p], slice(0, 2)) for p in range(4)])  # 3 nets: one pair beside 2 seeds
    assert sweep.chunks(1, 1, 2, 2) == (1, [([0], slice(0, 1))])  # one pair: one device, not a device of repeats


def test_jackknife_estimate_is_the_statistic_of_the_means_inside_its_jackknife_interval():
    """Three seeds whose logits move (1.0, 1.3, 0.7) at width 4096 and (1.0, 2.0, 0.5) at width 256: the estimate is
    the ratio of the seeds' means (not the mean of the seeds' ratios), its interval the jackknife's over the ratios
    with one seed left out, floored at `lowest`; n counts the seeds."""
    wide, narrow = np.array([1.0, 1.3, 0.7]), np.array([1.0, 2.0, 0.5])
    deltas = pd.DataFrame(
        {
            "parametrization": "sp",
            "optimizer": "sgd",
            "width": width,
            "seed": seed,
            "step": 2,
            "layer": "logits",
            "mean_abs_delta": moved[seed],
        }
        for seed in range(3)
        for width, moved in ((256, narrow), (4096, wide))
    )
    kw = {"parametrization": "sp", "optimizer": "sgd", "wide": 4096, "narrow": 256, "step": 2}
    estimate = jackknife_estimate(deltas, lambda rows: measures.logit_growth(rows, **kw))
    ratio = wide.mean() / narrow.mean()
    assert estimate.value == pytest.approx(ratio) and estimate.n == 3
    left_out = np.array([np.delete(wide, i).mean() / np.delete(narrow, i).mean() for i in range(3)])
    half = scipy_stats.t.ppf(0.975, 2) * np.sqrt(2 / 3 * np.sum((left_out - left_out.mean()) ** 2))
    assert estimate.ci == pytest.approx((ratio - half, ratio + half))
    assert np.mean(wide / narrow) != pytest.approx(ratio)  # the old interval's centre, another quantity
    floored = jackknife_estimate(deltas, lambda rows: measures.logit_growth(rows, **kw), lowest=0.8)
    assert floored.ci == pytest.approx((0.8, ratio + half)) and ratio - half < 0.8
    one_seed = jackknife_estimate(deltas[deltas["seed"] == 1], lambda rows: measures.logit_growth(rows, **kw))
    assert one_seed.value == pytest.approx(1.3 / 2.0) and one_seed.ci is None and one_seed.n == 1
