"""abc-parametrizations: TP4 Table 1 from the conditions, the symmetry, muP at base width equal to SP bit for bit,
per-tensor learning rates read back from the optimizer, and a small coordinate check."""

from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from replications.core import nets
from replications.core.flax_mlp import MLP, from_params
from replications.core.parametrization import (
    abc_scales,
    depth_mup,
    feature_speed,
    is_feature_learning,
    is_kernel_regime,
    is_nontrivial,
    is_stable,
    mup_lr_factors,
    mup_scales,
    named_parametrization,
    scale_updates,
)

# TP4 Table 1: r, stable, nontrivial, feature learning, kernel regime
TABLE1 = {
    "sp_lr_1/n": (Fraction(1, 2), True, True, False, True),
    "ntp": (Fraction(1, 2), True, True, False, True),
    "mfp": (Fraction(0), True, True, True, False),
    "mup": (Fraction(0), True, True, True, False),
}


@pytest.mark.parametrize("name", list(TABLE1))
def test_tp4_table1(name):
    p = named_parametrization(name, 1 if name == "mfp" else 2)
    row = (feature_speed(p), is_stable(p), is_nontrivial(p), is_feature_learning(p), is_kernel_regime(p))
    assert row == TABLE1[name]
    assert 2 * p.a[-1] + p.c == 1 and p.a[-1] + p.b[-1] + feature_speed(p) == 1  # the table's last two rows
    for theta in (Fraction(1, 4), Fraction(-1, 3)):  # the symmetry leaves every condition unchanged
        q = p.shifted(theta)
        assert (feature_speed(q), is_stable(q), is_nontrivial(q), is_feature_learning(q), is_kernel_regime(q)) == row


def test_standard_parametrization_is_unstable():
    p = named_parametrization("sp", 3)
    assert feature_speed(p) == -1 and not is_stable(p) and not is_nontrivial(p)


def test_bad_names():
    with pytest.raises(ValueError, match="one hidden layer"):
        named_parametrization("mfp", 2)
    with pytest.raises(ValueError, match="unknown parametrization"):
        named_parametrization("ntk", 2)


def test_symmetry_leaves_function_and_updates_unchanged():
    """(a, b, c) -> (a + theta, b - theta, c - 2 theta): same f at init and after one SGD step at lr eta n^-c."""
    width, sizes = 64, (3, 64, 64, 1)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    y = np.ones((5, 1), np.float32)
    outputs = []
    for theta in (Fraction(0), Fraction(1, 4)):
        p = named_parametrization("mup", 2).shifted(theta)
        scales = abc_scales(p, sizes, width)
        params = nets.init_mlp(jax.random.key(1), sizes, scales)
        apply = lambda q, s=scales: nets.apply_mlp(q, x, s, activation="relu")  # noqa: E731
        grads = jax.grad(lambda q, a=apply: jnp.sum((a(q) - y) ** 2))(params)
        lr = 0.1 * width ** -float(p.c)
        stepped = jax.tree.map(lambda w, g, lr=lr: w - lr * g, params, grads)
        outputs.append((apply(params), apply(stepped)))
    for before, after in zip(*outputs, strict=True):
        np.testing.assert_allclose(before, after, rtol=2e-4, atol=1e-6)


def test_mup_at_base_width_is_sp_bit_for_bit():
    sizes = (10, 128, 128, 10)
    sp = nets.layer_scales(sizes, parametrization="standard", weight_var=2.0, bias_var=0.1)
    mup = mup_scales(sizes, 128, weight_var=2.0, bias_var=0.1)
    for a, b in zip(sp, mup, strict=True):
        assert all(float(u) == float(v) for u, v in zip(a, b, strict=True))
    for optimizer in ("sgd", "adam"):
        assert all(f == 1.0 for layer in mup_lr_factors(sizes, 128, optimizer) for f in layer.values())


@pytest.mark.parametrize("width", [128, 256, 384, 1024, 8192])
def test_mlp_rules_read_off_the_tags_are_table8_bit_for_bit(width):
    """The MLP's muP through the per-tensor tags (`core.tags`) gives exactly the numbers of TP5 Table 8 written out
    per layer (the MLP's rules before they were re-expressed through the tags): the MLP's results are unchanged."""
    sizes, base = (40, width, width, 10), 128
    m = width / base
    table8 = {
        "sgd": [{"W": m, "b": m}, {"W": 1.0, "b": m}, {"W": m, "b": 1.0}],
        "adam": [{"W": 1.0, "b": 1.0}, {"W": 1.0 / m, "b": 1.0}, {"W": 1.0, "b": 1.0}],
    }
    for optimizer, expected in table8.items():
        assert mup_lr_factors(sizes, base, optimizer) == expected
    sp = nets.layer_scales(sizes, parametrization="standard", weight_var=1.0, bias_var=0.0)
    mup = mup_scales(sizes, base, weight_var=1.0, bias_var=0.0)
    readout = sp[-1]._replace(weight_std=sp[-1].weight_std * np.sqrt(m), weight_multiplier=1.0 / m)
    for a, b in zip((*sp[:-1], readout), mup, strict=True):
        assert all(float(u) == float(v) for u, v in zip(a, b, strict=True))


def test_learning_rates_read_back_from_the_optimizer():
    sizes, base = (10, 512, 512, 10), 128  # width multiplier 4
    params = nets.init_mlp(jax.random.key(0), sizes, mup_scales(sizes, base, weight_var=2.0, bias_var=0.1))
    ones = jax.tree.map(jnp.ones_like, params)
    expected = {"sgd": [(4, 4), (1, 4), (4, 1)], "adam": [(1, 1), (0.25, 1), (1, 1)]}
    for name, optimizer in (("sgd", optax.sgd(0.1)), ("adam", optax.adam(0.1))):
        tx = optax.chain(optimizer, scale_updates(mup_lr_factors(sizes, base, name)))
        updates, _ = tx.update(ones, tx.init(params), params)
        got = [(float(u["W"].ravel()[0]) / -0.1, float(u["b"].ravel()[0]) / -0.1) for u in updates]
        np.testing.assert_allclose(got, expected[name], rtol=1e-5)  # Adam's first step is -lr sign(g)


def test_readout_scale_follows_the_base_width():
    sizes = (10, 512, 512, 10)
    readout = mup_scales(sizes, 128, weight_var=1.0, bias_var=0.0)[-1]
    # effective readout weights: multiplier x std = (1/4) sqrt(1/128) = sqrt(1/512) / 2, i.e. Theta(1/n), not 1/sqrt(n)
    assert float(readout.weight_multiplier) * float(readout.weight_std) == pytest.approx(np.sqrt(1 / 128) / 4)


def _logit_change(width: int, parametrization: str) -> float:
    """Mean |change of the logits| after one SGD step (lr 0.1) of a 2-hidden-layer ReLU net on a fixed batch."""
    sizes = (20, width, width, 10)
    if parametrization == "mup":
        scales = mup_scales(sizes, 256, weight_var=2.0, bias_var=0.0)
        factors = mup_lr_factors(sizes, 256, "sgd")
    else:
        scales = nets.layer_scales(sizes, parametrization="standard", weight_var=2.0, bias_var=0.0)
        factors = mup_lr_factors(sizes, width, "sgd")  # all 1: SP
    x = np.random.default_rng(0).normal(size=(32, 20)).astype(np.float32)
    y = jax.nn.one_hot(np.arange(32) % 10, 10)
    changes = []
    for seed in range(3):
        params = nets.init_mlp(jax.random.key(seed), sizes, scales)
        apply = lambda q: nets.apply_mlp(q, x, scales, activation="relu")  # noqa: E731
        loss = lambda q, apply=apply: optax.softmax_cross_entropy(apply(q), y).mean()  # noqa: E731
        tx = optax.chain(optax.sgd(0.1), scale_updates(factors))
        updates, _ = tx.update(jax.grad(loss)(params), tx.init(params), params)
        changes.append(float(jnp.mean(jnp.abs(apply(optax.apply_updates(params, updates)) - apply(params)))))
    return float(np.mean(changes))


def test_coordinate_check_small():
    """muP: the logits' first update is the same at widths 256 and 1024; SP: it grows with width (x4 expected)."""
    mup_ratio = _logit_change(1024, "mup") / _logit_change(256, "mup")
    sp_ratio = _logit_change(1024, "sp") / _logit_change(256, "sp")
    assert 1 / 1.5 < mup_ratio < 1.5
    assert sp_ratio > 2.5


def test_depth_mup():
    scales = depth_mup(16, multiplier=2.0, learning_rate=1e-3, base_depth=4)
    assert scales.branch_multiplier == pytest.approx(1.0) and scales.adam_learning_rate == pytest.approx(5e-4)
    with pytest.raises(ValueError):
        depth_mup(0, multiplier=1.0, learning_rate=1.0)


def test_learning_rate_factors_on_a_flax_parameter_tree():
    model = MLP(hidden=(512, 512), output_dim=10, parametrization="standard", weight_var=2.0)
    variables = model.init(jax.random.key(0), np.zeros((1, 10), np.float32))
    factors = from_params(mup_lr_factors((10, 512, 512, 10), 128, "adam"))["params"]
    tx = optax.chain(optax.adam(0.1), scale_updates(factors))
    grads = jax.tree.map(jnp.ones_like, variables["params"])
    updates, _ = tx.update(grads, tx.init(variables["params"]), variables["params"])
    assert float(updates["dense1"]["W"][0, 0]) == pytest.approx(-0.1 / 4, rel=1e-5)
    assert float(updates["dense0"]["W"][0, 0]) == pytest.approx(-0.1, rel=1e-5)
