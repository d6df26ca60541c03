"""TP4's Word2Vec: the example stream, muP training, the exact infinite-width limit, and the word benchmarks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from replications.mup import word2vec as w2v
from replications.mup import wordbench


def _toy_examples(vocabulary: int = 8, tokens: int = 400, batch: int = 8, rate: float = 0.5, seed: int = 0,
                  model: str = "skipgram"):  # fmt: skip
    """A random toy corpus over `vocabulary` words whose neighbours are correlated (word i tends to follow i - 1),
    so training has structure to learn."""
    rng = np.random.default_rng(seed)
    ids = np.cumsum(rng.integers(0, 2, tokens)) % vocabulary
    counts = np.bincount(ids, minlength=vocabulary).astype(np.int64)
    return w2v.examples(ids.astype(np.int32), counts, model=model, window=2, negatives=2, subsample=0.0, epochs=1,
                        batch=batch, learning_rate=rate, seed=seed)  # fmt: skip


def _coefficient_dynamics(gram_VxV: np.ndarray, examples: w2v.Examples, weight_decay: float = 0.0) -> np.ndarray:
    """The module docstring's recursion, written out plainly in float64: A, B (V x V) with z = A G B^T; an
    example's input h = sum_c w_c A_c over its input words; every batch's gradients at the old coefficients,
    A_c -= eta w_c sum_j g_j B_j and B_j -= eta g_j h; weight decay shrinks a row by (1 - eta wd) per update."""
    size = len(gram_VxV)
    a, b = np.eye(size), np.zeros((size, size))
    for inputs, input_weight, words, mask, rate in zip(*examples, strict=True):
        da, db = np.zeros_like(a), np.zeros_like(b)
        shrink_a, shrink_b = np.ones(size), np.ones(size)
        for row_in, weight, row, m in zip(inputs, input_weight, words, mask, strict=True):
            h = sum(w * a[c] for c, w in zip(row_in, weight, strict=True))
            dh = np.zeros(size)
            for position, j in enumerate(row):
                g = m * (1 / (1 + np.exp(-(h @ gram_VxV @ b[j]))) - (position == 0))
                dh -= rate * g * b[j]
                db[j] -= rate * g * h
                shrink_b[j] *= (1 - rate * weight_decay) if m else 1
            for c, w in zip(row_in, weight, strict=True):
                da[c] += w * dh
                shrink_a[c] *= (1 - rate * weight_decay) if m and w else 1
        a, b = shrink_a[:, None] * a + da, shrink_b[:, None] * b + db
    return a @ gram_VxV @ b.T


def test_examples_follow_the_window_and_pad_the_last_batch():
    ids = np.arange(6, dtype=np.int32)
    counts = np.ones(6, dtype=np.int64)
    ex = w2v.examples(ids, counts, window=1, negatives=3, subsample=0.0, epochs=2, batch=6, learning_rate=1.0, seed=1)
    real = ex.mask_SxB.ravel() > 0
    pairs = list(zip(ex.inputs_SxBxC.ravel()[real], ex.words_SxBxJ.reshape(-1, 4)[real, 0], strict=True))
    # window 1 (no shrinking possible): each word with its left then right neighbour, in corpus order, twice
    one_epoch = [(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (4, 3), (4, 5), (5, 4)]
    assert pairs == one_epoch * 2
    assert ex.inputs_SxBxC.shape == (4, 6, 1) and ex.words_SxBxJ.shape == (4, 6, 4)
    padded = ~real.reshape(4, 6)  # 10 examples an epoch: each epoch's last batch padded with 2
    assert real.sum() == 20 and padded[[1, 3], 4:].all() and not padded[[0, 2]].any()
    assert ex.learning_rate_S[0] == 1.0 and np.all(np.diff(ex.learning_rate_S) < 0)
    again = w2v.examples(ids, counts, window=1, negatives=3, subsample=0.0, epochs=2, batch=6, learning_rate=1.0,
                         seed=1)  # fmt: skip
    assert all(np.array_equal(x, y) for x, y in zip(ex, again, strict=True))


def test_cbow_examples_average_the_window():
    ids = np.arange(5, dtype=np.int32)
    ex = w2v.examples(ids, np.ones(5, np.int64), model="cbow", window=1, negatives=2, subsample=0.0, epochs=1,
                      batch=5, learning_rate=1.0, seed=0)  # fmt: skip
    assert ex.inputs_SxBxC.shape == (1, 5, 2) and list(ex.words_SxBxJ[0, :, 0]) == [0, 1, 2, 3, 4]
    weight_5x2 = ex.input_weight_SxBxC[0]  # the first and last word have one neighbour, the others two
    np.testing.assert_array_equal(weight_5x2, [[0, 1], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [1, 0]])
    assert list(ex.inputs_SxBxC[0, 1]) == [0, 2] and ex.inputs_SxBxC[0, 0, 1] == 1


def test_a_stream_in_pieces_is_the_whole_stream_and_trains_the_same():
    ids = (np.cumsum(np.random.default_rng(2).integers(0, 2, 300)) % 8).astype(np.int32)
    counts = np.bincount(ids, minlength=8).astype(np.int64)
    settings = dict(window=2, negatives=2, subsample=0.0, epochs=2, batch=8, learning_rate=0.5, seed=0)
    pieces = list(w2v.example_chunks(ids, counts, chunk_batches=3, **settings))
    whole = w2v.examples(ids, counts, **settings)
    assert len(pieces) > 4 and max(len(p.learning_rate_S) for p in pieces) == 3
    assert all(np.array_equal(np.concatenate(x), y) for x, y in zip(zip(*pieces, strict=True), whole, strict=True))
    u, v = w2v.random_embeddings(jax.random.PRNGKey(0), 8, 32), jnp.zeros((8, 32))
    for piece in pieces:
        u, v, _ = w2v.train_from(u, v, piece)
    u_whole, v_whole, _ = w2v.train(w2v.random_embeddings(jax.random.PRNGKey(0), 8, 32), whole)
    np.testing.assert_allclose(np.asarray(w2v.logits(u, v)), np.asarray(w2v.logits(u_whole, v_whole)), atol=1e-5)


def test_subsampling_drops_frequent_words_only():
    rng = np.random.default_rng(0)
    ids = np.where(rng.random(20000) < 0.5, 0, rng.integers(1, 200, 20000)).astype(np.int32)
    counts = np.bincount(ids, minlength=200).astype(np.int64)
    ex = w2v.examples(ids, counts, window=1, negatives=1, subsample=1e-3, epochs=1, batch=64, learning_rate=1.0,
                      seed=0)  # fmt: skip
    centers = ex.inputs_SxBxC[ex.mask_SxB > 0, 0]
    assert (centers == 0).mean() < 0.2  # word 0 is half the corpus; its keep probability is about 0.05
    assert len(np.unique(centers)) > 150


MODELS = [("skipgram", 0.0), ("cbow", 0.0), ("cbow", 0.1)]  # (model, weight decay): issue 18's, TP4's


@pytest.mark.parametrize(("model", "weight_decay"), MODELS)
def test_finite_net_is_the_coefficient_recursion_with_its_gram_matrix(model, weight_decay):
    """At any width the net's logits are A G B^T with G = U0 U0^T / n: the derivation, checked exactly."""
    examples = _toy_examples(batch=4, model=model)
    u0 = w2v.random_embeddings(jax.random.PRNGKey(3), 8, 16)
    u, v, _ = w2v.train(u0, examples, weight_decay)
    gram = np.asarray(u0, np.float64) @ np.asarray(u0, np.float64).T / 16
    expected = _coefficient_dynamics(gram, examples, weight_decay)
    np.testing.assert_allclose(np.asarray(w2v.logits(u, v)), expected, atol=2e-4)


@pytest.mark.parametrize(("model", "weight_decay"), MODELS)
def test_limit_is_the_recursion_with_the_identity(model, weight_decay):
    examples = _toy_examples(batch=4, model=model)
    u, v, _ = w2v.train(w2v.limit_embeddings(8), examples, weight_decay)
    expected = _coefficient_dynamics(np.eye(8), examples, weight_decay)
    assert np.abs(expected).max() > 0.5  # the limit has learned something
    np.testing.assert_allclose(np.asarray(w2v.logits(u, v)), expected, atol=2e-4)


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_wide_nets_approach_the_limit(model):
    examples = _toy_examples(tokens=600, rate=0.1, model=model)
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
         "wordsim_spearman": 0.3, "cosine_gap": 0.0, "diverged": False,
         "limit_bytes": 80000, "wordsim_ci_low": 0.1, "wordsim_ci_high": 0.5},
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
                           "relative_logit_error": 0.01, "limit_logit_rms": 0.5}])  # fmt: skip
    config = {"corpus": "gensim", "min_count": 5, "model": "skipgram", "weight_decay": 0.0, "window": 5,
              "negatives": 5, "subsample": 1e-3, "epochs": 1, "batch": 16, "learning_rate": 0.025,
              "widths": [64, 256], "toy": {"batch": 8}}  # fmt: skip
    judged = {c.id: c for c in _tp4_claims(config, pd.DataFrame(rows), check)}
    assert judged["mup.tp4.w2v_limit_vs_ntk"].measured.value == pytest.approx(0.3)
    widest = judged["mup.tp4.w2v_limit_vs_widest"]  # 0.2 - mean(0.15, 0.17, 0.19); the diverged seed left out
    assert widest.measured.value == pytest.approx(0.03) and widest.measured.n == 3
    assert "diverged, excluded" in widest.statement
    assert "10 correct answers for the limit" in widest.statement and "of 50 covered questions" in widest.statement
    assert judged["mup.tp4.w2v_limit_vs_ntk_analogy"].measured.value == pytest.approx(0.19)
    slope = judged["mup.tp4.w2v_convergence_slope"]
    assert slope.measured.value == pytest.approx(-0.5) and slope.passed and slope.measured.n == 3
    assert judged["mup.tp4.limit_check"].passed and judged["mup.tp4.limit_check"].kind == "check"
    assert "root mean square 0.5" in judged["mup.tp4.limit_check"].statement
    rows[0] = {**rows[0], "wordsim_ci_low": np.nan, "wordsim_ci_high": np.nan}  # too few pairs to bootstrap
    assert _tp4_claims(config, pd.DataFrame(rows), check)[0].measured.ci is None


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_sp_step_is_plain_sgd_on_the_summed_loss(model):
    """SP: logits <h, v>, both tables random (fan-in variances), and one step is SGD on the batch's summed loss."""
    examples = _toy_examples(batch=16, model=model)
    batch = w2v.Examples(*(x[:1] for x in examples))
    u_big, v_big = w2v.sp_embeddings(jax.random.PRNGKey(5), 256, 256)
    assert abs(float(jnp.var(u_big)) - 1) < 0.05 and abs(256 * float(jnp.var(v_big)) - 1) < 0.05
    u0, v0 = w2v.sp_embeddings(jax.random.PRNGKey(5), 8, 256)

    def summed_loss(u, v):
        h_BxN = jnp.einsum("bc,bcn->bn", batch.input_weight_SxBxC[0], u[batch.inputs_SxBxC[0]])
        z_BxJ = jnp.einsum("bn,bjn->bj", h_BxN, v[batch.words_SxBxJ[0]])
        sign_J = jnp.where(jnp.arange(z_BxJ.shape[1]) == 0, 1.0, -1.0)
        return -(jax.nn.log_sigmoid(sign_J * z_BxJ).sum(axis=1) * batch.mask_SxB[0]).sum()

    grad_u, grad_v = jax.grad(summed_loss, argnums=(0, 1))(u0, v0)
    rate = batch.learning_rate_S[0]
    u, v, _ = w2v.train_from(u0, v0, batch, parametrization="sp")
    np.testing.assert_allclose(np.asarray(u), np.asarray(u0 - rate * grad_u), atol=1e-5)
    np.testing.assert_allclose(np.asarray(v), np.asarray(v0 - rate * grad_v), atol=1e-5)


def test_figure_draws_when_no_analogy_question_is_covered(tmp_path, monkeypatch):
    """A small vocabulary (the smoke profile's) may cover none of the analogy questions: panel (a) then has no
    accuracy and no interval, and says so, instead of the figure failing."""
    import pandas as pd

    from replications.mup import fig_tp4_word2vec

    common = {"diverged": False, "wordsim_spearman": 0.1, "cosine_gap": np.nan, "analogy_accuracy": np.nan}
    limit = {"model": "mup_limit", "vocabulary_size": 170, "questions_covered": 0, "questions_total": 19544,
             "wordsim_ci_low": 0.0, "wordsim_ci_high": 0.2, "wordsim_covered": 12, "top_words": 100,
             "examples": 5000}  # fmt: skip
    nets = [{"model": "mup", "width": w, "seed": s, "cosine_gap": 1 / w**0.5 + s / 100, "untrained_cosine_gap": 0.5,
             "learned_cosine_gap": 0.1} for w in (16, 64) for s in (0, 1)]  # fmt: skip
    scores = pd.DataFrame([{**common, **row} for row in [limit, {"model": "ntk_limit"}, *nets]])
    check = pd.DataFrame([{"width": 1024, "vocabulary_size": 8, "relative_logit_error": 0.01}])
    tables = {"scores": scores, "check": check}
    monkeypatch.setattr(fig_tp4_word2vec, "read_table", lambda path: tables[path])
    config = {"epochs": 1, "model": "cbow", "weight_decay": 0.001, "corpus": "gensim_wikipedia", "min_count": 250,
              "batch": 256}  # fmt: skip
    fig_tp4_word2vec.draw(config, {"tp4_scores": "scores", "tp4_limit_check": "check"}, {"png": tmp_path / "f.png"})
    assert (tmp_path / "f.png").stat().st_size > 0
