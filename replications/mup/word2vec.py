"""Word2Vec (skip-gram with negative sampling) in muP, and its exact infinite-width limit (Yang & Hu 2021, TP4 §9).

The model
---------
A vocabulary of V words, width n. Word i has an input embedding u_i in R^n and an output (context) vector v_j;
the logit of a (center c, word j) pair is

    z_cj = <u_c, v_j> / n,

and one (center c, context o, negatives k_1..k_K) example costs -log s(z_co) - sum_k log s(-z_ck) (s the logistic
sigmoid). muP (TP4 Table 1, one hidden layer with one-hot input): the input layer has a = -1/2, b = 1/2, so the
coordinates of u_i are Theta(1), drawn N(0, 1); the readout has a = 1/2 and is initialized at zero (TP4: "output
layer initialized to 0", which keeps the limit computable); SGD with a width-independent rate eta. In these
effective parameters an SGD step on a set of examples, with g_cj = s(z_cj) - label_cj, is

    u_c <- u_c - eta * sum_j g_cj v_j,        v_j <- v_j - eta * sum_c g_cj u_c,

(both gradients are computed at the old parameters; sums run over the step's examples). Every embedding moves by
Theta(1) per coordinate: features are learned.

The infinite-width limit (TP4 §9 and its appendix)
-------------------------------------------------
Let U0 (V x n) hold the initial input embeddings. By induction on the steps, every u_i and v_j stays a linear
combination of the rows of U0: u_i = sum_k A_ik U0_k and v_j = sum_k B_jk U0_k with A_0 = I and B_0 = 0, because
each update adds multiples of the other side's current vectors. Writing G = U0 U0^T / n, the logits are
z = A G B^T, and the update above is, exactly, at any width,

    A_c <- A_c - eta * sum_j g_cj B_j,        B_j <- B_j - eta * sum_c g_cj A_c.

Only G depends on the width: by the law of large numbers G -> I_V almost surely as n -> infinity (entries of G - I
are O(1/sqrt(n))), and the dynamics are continuous in G over a fixed number of steps, so the limit is the same
recursion with G = I: z = A B^T. That limit is itself a net of width V whose initial embeddings are exactly
orthogonal: u_0 = sqrt(V) I_V gives Gram / V = I, and with u = sqrt(V) A, v = sqrt(V) B the net's update rule is
the recursion above. So one training function serves both: the finite net starts from U0 ~ N(0, 1), the limit from
sqrt(V) I_V; they follow the same examples, batches and learning rates. Input embeddings of the limit are the rows
of A, their cosines A_i A_j^T / (|A_i| |A_j|).

Cost: the limit holds two V x V float32 matrices (8 V^2 bytes: 0.66 GB at V = 9068) and each example costs
O((K + 2) V) operations (gather, dot products, scatter-add of K + 2 rows), the cost of a width-V net.

The NTK/NNGP limits of the same model (TP4 §9): the embeddings do not move from their random initialization in the
kernel regime, and distinct words' initial embeddings are orthogonal in the limit: every cosine is 0, so the
WordSim-353 correlation is defined as 0 and analogy accuracy is chance, 1 / V.

Training: minibatch SGD (a batch of consecutive examples summed, each with the per-example learning rate, the
learning rate decaying linearly as in word2vec's C code), jitted as one `lax.scan` over the batches with
scatter-add row updates, vmapped over initial embeddings (seeds).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np


class Vocabulary(NamedTuple):
    """Words kept (count >= min_count), most frequent first, with their counts; `index` maps word -> id."""

    words: tuple[str, ...]
    counts: np.ndarray
    index: dict[str, int]


class Examples(NamedTuple):
    """Skip-gram examples cut into batches: center_SxB, words_SxBxJ (context first, then the K negatives),
    mask_SxB (1 for a real example, 0 for the last batch's padding), learning_rate_S (per step)."""

    center_SxB: np.ndarray
    words_SxBxJ: np.ndarray
    mask_SxB: np.ndarray
    learning_rate_S: np.ndarray


def build_vocabulary(tokens: Sequence[str], min_count: int) -> Vocabulary:
    """Words with at least `min_count` occurrences, by decreasing count (ties alphabetical)."""
    counted = sorted(((w, c) for w, c in Counter(tokens).items() if c >= min_count), key=lambda wc: (-wc[1], wc[0]))
    if not counted:
        raise ValueError(f"no word occurs {min_count} times")
    words = tuple(w for w, _ in counted)
    return Vocabulary(words, np.array([c for _, c in counted], dtype=np.int64), {w: i for i, w in enumerate(words)})


def encode(tokens: Sequence[str], vocabulary: Vocabulary) -> np.ndarray:
    """Ids of the tokens in the vocabulary (out-of-vocabulary tokens dropped, as word2vec does)."""
    index = vocabulary.index
    return np.array([index[t] for t in tokens if t in index], dtype=np.int32)


def skipgram_examples(
    ids: np.ndarray,
    counts: np.ndarray,
    *,
    window: int,
    negatives: int,
    subsample: float,
    epochs: int,
    batch: int,
    learning_rate: float,
    seed: int,
) -> Examples:
    """word2vec's skip-gram examples, epoch after epoch, in corpus order: each epoch drops frequent words with
    word2vec's probability (keep with (sqrt(f / (subsample T)) + 1) subsample T / f, f a word's count, T the total),
    shrinks the window around each center to b ~ U{1..window}, and pairs each (center, context) with `negatives`
    words drawn from the unigram distribution to the power 3/4. The learning rate decays linearly from
    `learning_rate` to 1e-4 of it over all examples (word2vec's schedule), one value per batch."""
    rng = np.random.default_rng(seed)
    total = counts.sum()
    threshold = subsample * total
    keep_probability = np.minimum(1.0, (np.sqrt(counts / threshold) + 1) * threshold / counts) if subsample else None
    noise = counts**0.75 / (counts**0.75).sum()
    pairs = []
    for _ in range(epochs):
        kept = ids if keep_probability is None else ids[rng.random(len(ids)) < keep_probability[ids]]
        reach = rng.integers(1, window + 1, size=len(kept))
        position = np.arange(len(kept))
        epoch = []
        for shift in [s for offset in range(1, window + 1) for s in (-offset, offset)]:
            valid = (reach >= abs(shift)) & (position + shift >= 0) & (position + shift < len(kept))
            epoch.append(np.stack([position[valid], kept[valid], kept[position[valid] + shift]]))
        epoch = np.concatenate(epoch, axis=1)
        pairs.append(epoch[1:, np.argsort(epoch[0], kind="stable")])  # corpus order: by the center's position
    center, context = np.concatenate(pairs, axis=1)
    count = len(center)
    negative = rng.choice(len(counts), size=(count, negatives), p=noise).astype(np.int32)
    steps = -(-count // batch)
    pad = steps * batch - count
    mask = np.concatenate([np.ones(count, np.float32), np.zeros(pad, np.float32)])
    center = np.concatenate([center, np.zeros(pad, np.int32)]).astype(np.int32)
    words = np.concatenate([context[:, None], negative], axis=1).astype(np.int32)
    words = np.concatenate([words, np.zeros((pad, negatives + 1), np.int32)])
    progress = np.arange(steps) * batch / count
    rates = learning_rate * np.maximum(1.0 - progress, 1e-4).astype(np.float32)
    return Examples(
        center.reshape(steps, batch), words.reshape(steps, batch, negatives + 1), mask.reshape(steps, batch), rates
    )


def _sgd_step(u_VxN, v_VxN, center_B, words_BxJ, mask_B, learning_rate):
    """One muP SGD step on a batch (the module docstring's update), returning the new (u, v) and the batch's mean
    loss before the step."""
    width = u_VxN.shape[1]
    u_BxN = u_VxN[center_B]
    v_BxJxN = v_VxN[words_BxJ]
    z_BxJ = jnp.einsum("bn,bjn->bj", u_BxN, v_BxJxN) / width
    label_J = jnp.zeros(words_BxJ.shape[1]).at[0].set(1.0)
    g_BxJ = (jax.nn.sigmoid(z_BxJ) - label_J) * mask_B[:, None]
    loss_BxJ = -jax.nn.log_sigmoid(jnp.where(label_J > 0, z_BxJ, -z_BxJ))
    loss = (loss_BxJ.sum(axis=1) * mask_B).sum() / jnp.maximum(mask_B.sum(), 1.0)
    du_BxN = -learning_rate * jnp.einsum("bj,bjn->bn", g_BxJ, v_BxJxN)
    dv_BxJxN = -learning_rate * g_BxJ[:, :, None] * u_BxN[:, None, :]
    u_VxN = u_VxN.at[center_B].add(du_BxN)
    v_VxN = v_VxN.at[words_BxJ.reshape(-1)].add(dv_BxJxN.reshape(-1, width))
    return u_VxN, v_VxN, loss


@jax.jit
def train(u0_VxN: jax.Array, examples: Examples) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(u, v, loss per batch) after muP SGD through `examples` from input embeddings u0 and a zero readout."""

    def step(carry, batch):
        u, v = carry
        center, words, mask, rate = batch
        u, v, loss = _sgd_step(u, v, center, words, mask, rate)
        return (u, v), loss

    (u, v), losses = jax.lax.scan(step, (u0_VxN, jnp.zeros_like(u0_VxN)), tuple(examples))
    return u, v, losses


def random_embeddings(key: jax.Array, vocabulary_size: int, width: int) -> jax.Array:
    """muP's initial input embeddings: N(0, 1) coordinates."""
    return jax.random.normal(key, (vocabulary_size, width), jnp.float32)


def limit_embeddings(vocabulary_size: int) -> jax.Array:
    """The infinite-width limit's initial embeddings as a width-V net: sqrt(V) I (Gram / V = I exactly)."""
    return jnp.sqrt(jnp.float32(vocabulary_size)) * jnp.eye(vocabulary_size, dtype=jnp.float32)


def logits(u_VxN: jax.Array, v_VxN: jax.Array) -> jax.Array:
    """z = u v^T / n for every (center, word) pair."""
    return u_VxN @ v_VxN.T / u_VxN.shape[1]


def unit_rows(x_VxN: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero)."""
    norms = np.linalg.norm(x_VxN, axis=1, keepdims=True)
    return x_VxN / np.where(norms > 0, norms, 1.0)
