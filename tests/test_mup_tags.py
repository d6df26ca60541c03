"""The tag-based muP (replications.core.tags) and the Transformer built on it (replications.mup.transformer)."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from replications.core import tags
from replications.mup import transformer as tfm

SHAPE = tfm.Shape(width=16, layers=2, heads=4, seq=8)
BASE = 8
MULTS = {"readout_mult": 4.0, "attn_mult": 2.0, "embedding_std": 1.0}


def _batch(seed=0, batch=3):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, size=batch * SHAPE.seq + 1).astype(np.uint8)
    x, y = tfm.windows(data, SHAPE.seq)
    return jnp.asarray(x), jnp.asarray(y)


@functools.partial(jax.jit, static_argnums=(0, 1))
def _train(shape, steps, hyper):
    """Parameters and losses after `steps` Adam steps on a fixed batch (hyper traced: one compile per shape)."""
    x, y = _batch()
    params = tfm.init_params(jax.random.PRNGKey(0), shape, hyper)
    optimizer = tags.optimizer("adam", 2.0**-6, hyper["lr_factors"])

    def step(carry, _):
        p, state = carry
        value, grads = jax.value_and_grad(lambda q: tfm.loss(q, x, y, shape, hyper))(p)
        updates, state = optimizer.update(grads, state, p)
        return (jax.tree.map(lambda w, u: w + u, p, updates), state), value

    (params, _), losses = jax.lax.scan(step, (params, optimizer.init(params)), None, length=steps)
    return params, losses


def test_tags_of_the_transformer():
    found = tfm.tag_tree(SHAPE, BASE)
    assert found["embed"]["tokens"].kind == "input" and found["embed"]["positions"].kind == "input"
    assert found["block0"]["attn"]["query"] == tags.Tag("hidden", 2.0, 2.0)
    assert found["block1"]["ffn"]["out"] == tags.Tag("hidden", 2.0, 2.0)
    assert found["block0"]["ln1"]["scale"] == tags.Tag("input", 1.0, 2.0)
    assert found["block0"]["ffn"]["in_bias"].kind == "input"
    assert found["readout"]["kernel"] == tags.Tag("output", 2.0, 1.0)
    assert found["readout"]["bias"].kind == "scalar"


def test_mup_is_sp_bit_for_bit_at_the_base_width():
    shape = SHAPE._replace(layers=1)
    base = shape._replace(width=BASE)
    sp, mup = (tfm.hyper(base, parametrization=p, base_width=BASE, **MULTS) for p in ("sp", "mup"))
    assert jax.tree.all(jax.tree.map(lambda a, b: a == b, sp, mup))  # every number identical
    (p_sp, l_sp), (p_mup, l_mup) = _train(base, 3, sp), _train(base, 3, mup)
    assert np.array_equal(l_sp, l_mup)
    assert all(np.array_equal(a, b) for a, b in zip(jax.tree.leaves(p_sp), jax.tree.leaves(p_mup), strict=True))
    # and a wider muP net differs from SP (the test could fail)
    sp_wide, mup_wide = (tfm.hyper(shape, parametrization=p, base_width=BASE, **MULTS) for p in ("sp", "mup"))
    assert not np.array_equal(_train(shape, 3, sp_wide)[1], _train(shape, 3, mup_wide)[1])


EXPECTED_FACTORS = {  # TP5 Table 8 at width multiplier 4 (fan_in and fan_out both x4 for hidden weights)
    "hidden": {"sgd": 1.0, "adam": 0.25},
    "input": {"sgd": 4.0, "adam": 1.0},
    "output": {"sgd": 4.0, "adam": 1.0},
    "scalar": {"sgd": 1.0, "adam": 1.0},
}


@pytest.mark.parametrize("name", tags.OPTIMIZERS)
def test_per_tensor_learning_rates_read_back_from_the_optimizer(name):
    base = {"hidden": (8, 8), "input": (3, 8), "output": (8, 5), "scalar": (5,)}
    wide = {"hidden": (32, 32), "input": (3, 32), "output": (32, 5), "scalar": (5,)}
    found = {k: tags.tag(wide[k], base[k]) for k in base}
    assert {k: t.kind for k, t in found.items()} == {k: k for k in base}
    lr = 0.125
    params = {k: jnp.zeros(s) for k, s in wide.items()}
    grads = {k: jnp.full(s, 0.5) for k, s in wide.items()}
    for parametrization in ("sp", "mup"):
        optimizer = tags.optimizer(name, lr, tags.lr_factors(found, name, parametrization), adam_eps=1e-12)
        updates, _ = optimizer.update(grads, optimizer.init(params), params)
        for kind, update in updates.items():
            factor = EXPECTED_FACTORS[kind][name] if parametrization == "mup" else 1.0
            step = lr * factor * (0.5 if name == "sgd" else 1.0)  # Adam's first step: eta sign(g)
            # float32 rounding of Adam's bias corrections: a few 1e-6
            np.testing.assert_allclose(np.asarray(update), -step, rtol=2e-5, err_msg=f"{parametrization} {kind}")


def test_output_init_and_multiplier():
    t = tags.tag((32, 5), (8, 5))
    assert tags.multipliers({"w": t})["w"] == 0.25 and tags.multipliers({"w": t}, "sp")["w"] == 1.0
    assert tags.init_stds({"w": t}, {"w": 1 / math.sqrt(32)})["w"] == pytest.approx(1 / math.sqrt(8))
    hyper = tfm.hyper(SHAPE, parametrization="mup", base_width=BASE, **MULTS)
    assert hyper["readout_mult"] == 4.0 * BASE / SHAPE.width


@pytest.mark.parametrize("width", [8, 32])
def test_attention_scaling(width):
    """SP: alpha / sqrt(d_head); muP: alpha sqrt(d_head0) / d_head; the model's attention logits are those."""
    shape = SHAPE._replace(width=width)
    d_head, d_head0 = width // shape.heads, BASE // shape.heads
    x, _ = _batch()
    for parametrization, expected in (
        ("sp", 2.0 / math.sqrt(d_head)),
        ("mup", 2.0 * math.sqrt(d_head0) / d_head),
    ):
        hyper = tfm.hyper(shape, parametrization=parametrization, base_width=BASE, **MULTS)
        assert hyper["attn_scale"] == pytest.approx(expected, rel=1e-12)
        params = tfm.init_params(jax.random.PRNGKey(1), shape, hyper)
        params["block0"]["attn"]["query"] = params["block0"]["attn"]["key"]  # non-zero queries
        acts = tfm.activations(params, x, shape, hyper)
        h = acts["embedding"]
        q = (h @ params["block0"]["attn"]["query"]).reshape(*h.shape[:2], shape.heads, d_head)
        k = (h @ params["block0"]["attn"]["key"]).reshape(*h.shape[:2], shape.heads, d_head)
        manual = expected * np.einsum("bqhd,bkhd->bhqk", q, k)
        np.testing.assert_allclose(np.asarray(acts["attn_logits0"]), manual, rtol=2e-5, atol=1e-5)
    if width == BASE:
        sp, mup = (tfm.hyper(shape, parametrization=p, base_width=BASE, **MULTS)["attn_scale"] for p in ("sp", "mup"))
        assert sp == mup


def test_zero_queries_and_readout_and_initial_loss():
    hyper = tfm.hyper(SHAPE, parametrization="mup", base_width=BASE, **MULTS)
    params = tfm.init_params(jax.random.PRNGKey(2), SHAPE, hyper)
    assert not np.any(params["readout"]["kernel"]) and not np.any(params["block1"]["attn"]["query"])
    assert np.all(params["block0"]["ln1"]["scale"] == 1.0)
    x, y = _batch()
    assert float(tfm.loss(params, x, y, SHAPE, hyper)) == pytest.approx(math.log(256), rel=1e-6)


def test_tag_rejects_mismatched_ranks():
    with pytest.raises(ValueError, match="rank"):
        tags.tag((4, 4), (4,))
    with pytest.raises(ValueError, match="unknown parametrization"):
        tags.lr_factors({}, "adam", "ntk")


def test_sweep_split_into_programs_gives_the_same_losses():
    """The `paper` profile's programs of as many nets as fit its memory budget train the same nets."""
    from replications.mup import transformer_experiments as te
    from replications.mup.transformer_memory import net_bytes

    config = {"layers": 1, "heads": 2, "seq": 4, "pre_ln": False, "base_width": 4, "embedding_std": 1.0,
              "adam_eps": 1e-8, "steps": 3, "batch": 2}  # fmt: skip
    rng = np.random.default_rng(0)
    x, y = tfm.windows(rng.integers(0, 256, 200).astype(np.uint8), config["seq"])
    hypers = te._hypers(config, 8, [("sp", 1.0, 1.0), ("mup", 1.0, 1.0)])
    grid = np.array([[-6.0, -5.0], [-6.0, -4.0]])
    whole = te._sweep({**config, "program_memory_mb": None}, 8, hypers, grid, x.astype(np.float32), y, [0, 1], "a", [])
    four_nets = 4.5 * net_bytes(8, 1, 2, 4, 2) / 2**20  # two programs of 2 seeds x 2 (variant, rate) pairs
    split = te._sweep(
        {**config, "program_memory_mb": four_nets}, 8, hypers, grid, x.astype(np.float32), y, [0, 1], "b", []
    )
    np.testing.assert_allclose(split, whole, rtol=1e-5)
    assert not np.allclose(whole[0, 0], whole[0, 1])  # the learning rates differ: the comparison could fail
