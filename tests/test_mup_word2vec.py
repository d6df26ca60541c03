"""TP4's Word2Vec: the example stream, muP training, the exact infinite-width limit, and the word benchmarks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from replications.mup import word2vec as w2v
from replications.mup import wordbench

jax.config.update("jax_enable_x64", False)


def _toy_examples(vocabulary: int = 8, tokens: int = 400, batch: int = 8, rate: float = 0.5, seed: int = 0):
    """A random toy corpus over `vocabulary` words whose neighbours are correlated (word i tends to follow i - 1),
    so training has structure to learn."""
    rng = np.random.default_rng(seed)
    ids = np.cumsum(rng.integers(0, 2, tokens)) % vocabulary
    counts = np.bincount(ids, minlength=vocabulary).astype(np.int64)
    return w2v.skipgram_examples(ids.astype(np.int32), counts, window=2, negatives=2, subsample=0.0, epochs=1,
                                 batch=batch, learning_rate=rate, seed=seed)  # fmt: skip


def _coefficient_dynamics(gram_VxV: np.ndarray, examples: w2v.Examples) -> np.ndarray:
    """The module docstring's recursion, written out plainly in float64: A, B (V x V) with z = A G B^T, every
    batch's gradients at the old coefficients, A_c -= eta sum_j g_cj B_j and B_j -= eta sum_c g_cj A_c."""
    size = len(gram_VxV)
    a, b = np.eye(size), np.zeros((size, size))
    for center, words, mask, rate in zip(*examples, strict=True):
        da, db = np.zeros_like(a), np.zeros_like(b)
        for c, row, m in zip(center, words, mask, strict=True):
            for position, j in enumerate(row):
                z = a[c] @ gram_VxV @ b[j]
                g = m * (1 / (1 + np.exp(-z)) - (position == 0))
                da[c] -= rate * g * b[j]
                db[j] -= rate * g * a[c]
        a, b = a + da, b + db
    return a @ gram_VxV @ b.T


def test_examples_follow_the_window_and_pad_the_last_batch():
    ids = np.arange(6, dtype=np.int32)
    counts = np.ones(6, dtype=np.int64)
    ex = w2v.skipgram_examples(ids, counts, window=1, negatives=3, subsample=0.0, epochs=2, batch=6,
                               learning_rate=1.0, seed=1)  # fmt: skip
    real = ex.mask_SxB.ravel() > 0
    pairs = list(zip(ex.center_SxB.ravel()[real], ex.words_SxBxJ.reshape(-1, 4)[real, 0], strict=True))
    # window 1 (no shrinking possible): each word with its left then right neighbour, in corpus order, twice
    one_epoch = [(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (4, 3), (4, 5), (5, 4)]
    assert pairs == one_epoch * 2
    assert ex.center_SxB.shape == (4, 6) and ex.words_SxBxJ.shape == (4, 6, 4)
    assert real.sum() == 20 and not real[-4:].any()  # 20 examples, the last batch padded with 4
    assert ex.learning_rate_S[0] == 1.0 and np.all(np.diff(ex.learning_rate_S) < 0)
    again = w2v.skipgram_examples(ids, counts, window=1, negatives=3, subsample=0.0, epochs=2, batch=6,
                                  learning_rate=1.0, seed=1)  # fmt: skip
    assert all(np.array_equal(x, y) for x, y in zip(ex, again, strict=True))


def test_subsampling_drops_frequent_words_only():
    rng = np.random.default_rng(0)
    ids = np.where(rng.random(20000) < 0.5, 0, rng.integers(1, 200, 20000)).astype(np.int32)
    counts = np.bincount(ids, minlength=200).astype(np.int64)
    ex = w2v.skipgram_examples(ids, counts, window=1, negatives=1, subsample=1e-3, epochs=1, batch=64,
                               learning_rate=1.0, seed=0)  # fmt: skip
    centers = ex.center_SxB[ex.mask_SxB > 0]
    assert (centers == 0).mean() < 0.2  # word 0 is half the corpus; its keep probability is about 0.05
    assert len(np.unique(centers)) > 150


def test_finite_net_is_the_coefficient_recursion_with_its_gram_matrix():
    """At any width the net's logits are A G B^T with G = U0 U0^T / n: the derivation, checked exactly."""
    examples = _toy_examples(batch=4)
    u0 = w2v.random_embeddings(jax.random.PRNGKey(3), 8, 16)
    u, v, _ = w2v.train(u0, examples)
    gram = np.asarray(u0, np.float64) @ np.asarray(u0, np.float64).T / 16
    np.testing.assert_allclose(np.asarray(w2v.logits(u, v)), _coefficient_dynamics(gram, examples), atol=2e-4)


def test_limit_is_the_recursion_with_the_identity():
    examples = _toy_examples(batch=4)
    u, v, _ = w2v.train(w2v.limit_embeddings(8), examples)
    expected = _coefficient_dynamics(np.eye(8), examples)
    assert np.abs(expected).max() > 0.5  # the limit has learned something
    np.testing.assert_allclose(np.asarray(w2v.logits(u, v)), expected, atol=2e-4)


def test_wide_nets_approach_the_limit():
    examples = _toy_examples(tokens=600, rate=0.1)
    u, v, _ = w2v.train(w2v.limit_embeddings(8), examples)
    z_limit = np.asarray(w2v.logits(u, v))
    errors = []
    for width in (2**8, 2**14):
        u0 = w2v.random_embeddings(jax.random.PRNGKey(0), 8, width)
        u, v, _ = w2v.train(u0, examples)
        errors.append(np.linalg.norm(np.asarray(w2v.logits(u, v)) - z_limit) / np.linalg.norm(z_limit))
    assert errors[1] < 0.05
    assert errors[1] < errors[0] / 3  # about 1/sqrt(64) = 1/8 expected


def test_training_lowers_the_loss():
    examples = _toy_examples(tokens=2000, rate=0.2)
    _, _, losses = w2v.train(w2v.random_embeddings(jax.random.PRNGKey(1), 8, 64), examples)
    losses = np.asarray(losses)
    assert losses[-20:].mean() < losses[:5].mean() - 0.3


def test_vocabulary_orders_by_count_and_drops_rare_words():
    vocabulary = w2v.build_vocabulary("b a b c a b d".split(), min_count=2)
    assert vocabulary.words == ("b", "a") and list(vocabulary.counts) == [3, 2]
    assert list(w2v.encode("a d b".split(), vocabulary)) == [1, 0]
    with pytest.raises(ValueError):
        w2v.build_vocabulary(["a"], min_count=2)


def test_analogy_by_3cosadd_excludes_the_question_words():
    index = {w: i for i, w in enumerate(["man", "woman", "king", "queen", "apple"])}
    # king - man + woman = queen exactly; "king" itself would score higher if it were not excluded
    embeddings = np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 0.0, 3.0], [1.0, 1.0, 3.0], [0.0, -1.0, 0.0]])
    questions = wordbench.covered_analogies(
        [("s", ("man", "woman", "king", "queen")), ("s", ("man", "woman", "king", "apple")),
         ("s", ("man", "woman", "king", "prince"))],
        index,
    )  # fmt: skip
    assert questions.shape == (2, 4)  # "prince" is not in the vocabulary
    assert wordbench.analogy_accuracy(embeddings, questions) == 0.5
    assert np.isnan(wordbench.analogy_accuracy(embeddings, questions[:0]))


def test_wordsim_spearman_of_a_known_ranking():
    index = {"a": 0, "b": 1, "c": 2, "d": 3}
    angles = np.array([0.0, 0.3, 1.0, 1.5])
    embeddings = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    pairs, human = wordbench.covered_wordsim([("a", "b", 9.0), ("a", "c", 5.0), ("a", "d", 1.0),
                                              ("a", "zebra", 3.0)], index)  # fmt: skip
    assert len(pairs) == 3
    assert wordbench.wordsim_spearman(embeddings, pairs, human) == pytest.approx(1.0)
    assert wordbench.wordsim_spearman(embeddings, pairs, -human) == pytest.approx(-1.0)
    np.testing.assert_allclose(wordbench.cosines(embeddings, pairs), np.cos([0.3, 1.0, 1.5]))


def test_top_cosines_of_orthogonal_embeddings_are_zero():
    assert np.abs(wordbench.top_cosines(np.asarray(w2v.limit_embeddings(6)), 4)).max() == 0
    assert len(wordbench.top_cosines(np.eye(6), 4)) == 6


def test_limit_embeddings_have_the_limits_gram():
    u0 = np.asarray(w2v.limit_embeddings(5))
    np.testing.assert_allclose(u0 @ u0.T / 5, np.eye(5), atol=1e-6)
    assert jnp.allclose(w2v.logits(jnp.asarray(u0), jnp.zeros_like(u0)), 0)


def test_tp4_claims_from_a_made_up_table():
    import pandas as pd

    from replications.mup.claims import _tp4_claims

    common = {"tokens": 1000, "vocabulary_size": 100, "questions_covered": 50, "questions_total": 60,
              "wordsim_covered": 20, "examples": 500, "top_words": 10}  # fmt: skip
    rows = [
        {**common, "model": "mup_limit", "width": np.nan, "seed": -1, "analogy_accuracy": 0.2,
         "wordsim_spearman": 0.3, "cosine_gap": 0.0, "diverged": False, "limit_seconds": 1.0,
         "limit_cpu_seconds": 1.0, "limit_bytes": 80000, "wordsim_ci_low": 0.1, "wordsim_ci_high": 0.5},
        {**common, "model": "ntk_limit", "width": np.nan, "seed": -1, "analogy_accuracy": 0.01,
         "wordsim_spearman": 0.0, "cosine_gap": 0.4, "diverged": False},
    ]  # fmt: skip
    for seed in range(3):
        for width in (64, 256):
            rows.append({**common, "model": "mup", "width": width, "seed": seed,
                         "analogy_accuracy": 0.1 + 0.02 * seed + (width == 256) * 0.05, "wordsim_spearman": 0.2,
                         "cosine_gap": (1 + seed) * width**-0.5, "diverged": False})  # fmt: skip
    rows.append({**common, "model": "mup", "width": 256, "seed": 3, "analogy_accuracy": np.nan,
                 "wordsim_spearman": np.nan, "cosine_gap": np.nan, "diverged": True})  # fmt: skip
    check = pd.DataFrame([{"vocabulary_size": 8, "tokens": 100, "examples": 50, "width": 16384,
                           "relative_logit_error": 0.01}])  # fmt: skip
    config = {"corpus": "gensim", "min_count": 5, "window": 5, "negatives": 5, "subsample": 1e-3, "epochs": 1,
              "batch": 16, "learning_rate": 0.025, "widths": [64, 256], "toy": {"batch": 8}}  # fmt: skip
    judged = {c.id: c for c in _tp4_claims(config, pd.DataFrame(rows), check)}
    assert judged["mup.tp4.w2v_limit_vs_ntk"].measured.value == pytest.approx(0.3)
    widest = judged["mup.tp4.w2v_limit_vs_widest"]  # 0.2 - mean(0.15, 0.17, 0.19); the diverged seed left out
    assert widest.measured.value == pytest.approx(0.03) and widest.measured.n == 3
    assert "diverged, excluded" in widest.statement
    assert judged["mup.tp4.w2v_limit_vs_ntk_analogy"].measured.value == pytest.approx(0.19)
    slope = judged["mup.tp4.w2v_convergence_slope"]
    assert slope.measured.value == pytest.approx(-0.5) and slope.passed and slope.measured.n == 3
    assert judged["mup.tp4.limit_check"].passed and judged["mup.tp4.limit_check"].kind == "check"
