"""Word2Vec with negative sampling (skip-gram or CBOW) in muP, and its exact infinite-width limit (TP4 §9).

TP4's model is CBOW. The authors' code (github.com/edwardjhu/TP4, Word2Vec/: README.md, scripts/train-text8{,-inf}.sh,
src/word2vec.c, which sets cbow = 1 unconditionally) trains CBOW with negative sampling on text8: window 8, 25
negatives, subsampling 1e-4, learning rate 0.05, weight decay 0.001, 15 epochs, min count 5 (word2vec's default);
its limit (`-oh 1`) is a one-hot input layer (of width 2V) with a zero readout. Issue 18 asked for skip-gram,
calling it TP4's model, which it is not: the default profile keeps skip-gram (the issue's claims are about it), and
the `paper` profile runs TP4's CBOW with TP4's weight decay and settings. Both are one model here: an example's
hidden vector h is a weighted sum of input embeddings (skip-gram: the center word's; CBOW: the mean of the context
words', as word2vec.c's neu1 /= cw, its update divided by cw likewise), and the target is scored against h.

The model
---------
A vocabulary of V words, width n. Word i has an input embedding u_i in R^n and an output vector v_j. An example
has input words c with weights w_c (skip-gram: the center word, weight 1; CBOW: the cw context words, 1/cw each),
hidden vector h = sum_c w_c u_c, a target o and K negatives k_1..k_K; its logits are

    z_j = <h, v_j> / n,

and it costs -log s(z_o) - sum_k log s(-z_k) (s the logistic sigmoid). muP (TP4 Table 1, one hidden layer with
one-hot input): the input layer has a = -1/2, b = 1/2, so the coordinates of u_i are Theta(1), drawn N(0, 1); the
readout has a = 1/2 and is initialized at zero (TP4: "output layer initialized to 0", which keeps the limit
computable); SGD with a width-independent rate eta. In these effective parameters an SGD step on a set of
examples, with g_j = s(z_j) - label_j, is

    u_c <- u_c - eta * w_c * sum_j g_j v_j,        v_j <- v_j - eta * g_j h,

summed over the step's examples (both gradients at the old parameters). Every embedding moves by Theta(1) per
coordinate: features are learned. Weight decay wd (TP4's, as in its word2vec.c) first shrinks a row by
(1 - eta wd) each time it is updated.

The infinite-width limit (TP4 §9 and its appendix)
-------------------------------------------------
Let U0 (V x n) hold the initial input embeddings. By induction on the steps, every u_i and v_j stays a linear
combination of the rows of U0: u_i = sum_k A_ik U0_k and v_j = sum_k B_jk U0_k with A_0 = I and B_0 = 0, because
each update adds multiples of the other side's current vectors (h is a combination of input embeddings, and
weight decay only rescales rows). Writing G = U0 U0^T / n and h = H U0 with H = sum_c w_c A_c, the logits are
z_j = H G B_j^T, and the update above is, exactly, at any width,

    A_c <- A_c - eta * w_c * sum_j g_j B_j,        B_j <- B_j - eta * g_j H.

Only G depends on the width: by the law of large numbers G -> I_V almost surely as n -> infinity (entries of G - I
are O(1/sqrt(n))), and the dynamics are continuous in G over a fixed number of steps, so the limit is the same
recursion with G = I: z = A B^T. That limit is itself a net of width V whose initial embeddings are exactly
orthogonal: u_0 = sqrt(V) I_V gives Gram / V = I, and with u = sqrt(V) A, v = sqrt(V) B the net's update rule is
the recursion above. So one training function serves both: the finite net starts from U0 ~ N(0, 1), the limit from
sqrt(V) I_V; they follow the same examples, batches and learning rates. Input embeddings of the limit are the rows
of A, their cosines A_i A_j^T / (|A_i| |A_j|).

Cost: the limit holds two V x V float32 matrices (8 V^2 bytes: 0.66 GB at V = 9068, about 41 GB at text8's V of
about 71 000 words of min count 5) and each example costs O((K + 1 + C) V) operations (gather, dot products,
scatter-add of K + 1 + C rows, C input words), the cost of a width-V net. (TP4's `-oh 1` limit uses width 2V; V
suffices here.)

The NTK/NNGP limits of the same model (TP4 §9): the embeddings do not move from their random initialization in the
kernel regime, and distinct words' initial embeddings are orthogonal in the limit: every cosine is 0, so the
WordSim-353 correlation is defined as 0 and analogy accuracy is chance, 1 / V.

Training: minibatch SGD (a batch of consecutive examples summed, each with the per-example learning rate, the
learning rate decaying linearly as in word2vec's C code), jitted as one `lax.scan` over the batches with
scatter-add row updates, vmapped over initial embeddings (seeds). The example stream is built one epoch at a time
and handed to the scan in pieces (`example_chunks`, `train_from`), so that its memory is one epoch's examples and
one piece's negatives, whatever the number of epochs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from replications.mup import corpus


class Vocabulary(NamedTuple):
    """Words kept (count >= min_count), most frequent first, with their counts; `index` maps word -> id."""

    words: tuple[str, ...]
    counts: np.ndarray
    index: dict[str, int]


class Examples(NamedTuple):
    """Examples cut into batches. inputs_SxBxC: the words whose input embeddings, weighted by input_weight_SxBxC,
    make an example's hidden vector h (skip-gram: the center word, C = 1, weight 1; CBOW: the cw context words,
    weight 1/cw each, padded with weight 0 to C = 2 window); words_SxBxJ: the target (skip-gram: the context word;
    CBOW: the center) then the K negatives; mask_SxB: 1 for a real example, 0 for an epoch's last batch's padding;
    learning_rate_S: one per step."""

    inputs_SxBxC: np.ndarray
    input_weight_SxBxC: np.ndarray
    words_SxBxJ: np.ndarray
    mask_SxB: np.ndarray
    learning_rate_S: np.ndarray


def build_vocabulary(tokens: Sequence[str], min_count: int) -> Vocabulary:
    """Words with at least `min_count` occurrences, by decreasing count (ties alphabetical)."""
    counted = sorted(corpus.frequent_word_counts(tokens, min_count).items(), key=lambda wc: (-wc[1], wc[0]))
    if not counted:
        raise ValueError(f"no word occurs {min_count} times")
    words = tuple(w for w, _ in counted)
    return Vocabulary(words, np.array([c for _, c in counted], dtype=np.int64), {w: i for i, w in enumerate(words)})


def encode(tokens: Sequence[str], vocabulary: Vocabulary) -> np.ndarray:
    """Ids of the tokens in the vocabulary (out-of-vocabulary tokens dropped, as word2vec does)."""
    index = vocabulary.index
    return np.array([index[t] for t in tokens if t in index], dtype=np.int32)


def _keep_probability(counts: np.ndarray, subsample: float) -> np.ndarray | None:
    """word2vec's subsampling: keep a word of count f with probability (sqrt(f / (subsample T)) + 1) subsample T / f
    (T the total count); None without subsampling."""
    if not subsample:
        return None
    threshold = subsample * counts.sum()
    return np.minimum(1.0, (np.sqrt(counts / threshold) + 1) * threshold / counts)


def epoch_examples(
    ids: np.ndarray, keep_probability: np.ndarray | None, window: int, model: str, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One epoch's examples before negatives, in corpus order: (inputs P x C int32, input weights P x C float32,
    targets P int32). Frequent words are dropped by subsampling and the window around each center is shrunk to
    b ~ U{1..window}, its context words taken from left to right (word2vec's order). Skip-gram: one example per
    (center, context word) pair, input the center, target the context word. CBOW: one example per center with at
    least one context word, input the mean of the context words, target the center."""
    kept = ids if keep_probability is None else ids[rng.random(len(ids)) < keep_probability[ids]]
    kept = kept.astype(np.int32)
    reach = rng.integers(1, window + 1, size=len(kept), dtype=np.int32)
    position = np.arange(len(kept), dtype=np.int32)
    shifts = [s for s in range(-window, window + 1) if s != 0]
    context_PxW = np.full((len(kept), len(shifts)), -1, dtype=np.int32)
    for column, shift in enumerate(shifts):
        valid = (reach >= abs(shift)) & (position + shift >= 0) & (position + shift < len(kept))
        context_PxW[valid, column] = kept[position[valid] + shift]
    valid_PxW = context_PxW >= 0
    if model == "skipgram":
        center = np.broadcast_to(kept[:, None], context_PxW.shape)[valid_PxW]
        return center[:, None], np.ones((len(center), 1), np.float32), context_PxW[valid_PxW]
    if model != "cbow":
        raise ValueError(f"model {model!r}: skipgram or cbow")
    size_P = valid_PxW.sum(axis=1)
    has_context = size_P > 0
    weight_PxW = (valid_PxW / np.maximum(size_P, 1)[:, None]).astype(np.float32)[has_context]
    return np.maximum(context_PxW[has_context], 0), weight_PxW, kept[has_context]


def example_chunks(
    ids: np.ndarray,
    counts: np.ndarray,
    *,
    model: str = "skipgram",
    window: int,
    negatives: int,
    subsample: float,
    epochs: int,
    batch: int,
    learning_rate: float,
    seed: int,
    chunk_batches: int | None = None,
) -> Iterator[Examples]:
    """word2vec's examples (`model`: skipgram or cbow), epoch after epoch, in pieces of at most `chunk_batches`
    batches (None: one piece per epoch), so that only one epoch's examples and one piece's negatives are ever held
    (int32 ids). Each example of `epoch_examples` gets `negatives` words drawn from the unigram distribution to the
    power 3/4; an epoch's last batch is padded (mask 0). The learning rate decays linearly from `learning_rate` to
    1e-4 of it over all epochs (word2vec's schedule), one value per batch."""
    rng = np.random.default_rng(seed)
    keep_probability = _keep_probability(counts, subsample)
    noise = counts**0.75 / (counts**0.75).sum()
    for epoch in range(epochs):
        inputs, input_weight, target = epoch_examples(ids, keep_probability, window, model, rng)
        count = len(target)
        steps = -(-count // batch)
        piece = steps if chunk_batches is None else min(chunk_batches, steps)
        for first in range(0, steps, piece):
            last = min(first + piece, steps)
            real = slice(first * batch, min(last * batch, count))
            size = (last - first) * batch
            pad = size - (real.stop - real.start)
            negative = rng.choice(len(counts), size=(real.stop - real.start, negatives), p=noise).astype(np.int32)
            words = np.concatenate([target[real, None], negative], axis=1)
            words = np.concatenate([words, np.zeros((pad, negatives + 1), np.int32)])
            width = inputs.shape[1]
            inputs_piece = np.concatenate([inputs[real], np.zeros((pad, width), np.int32)])
            weight_piece = np.concatenate([input_weight[real], np.zeros((pad, width), np.float32)])
            mask = np.concatenate([np.ones(size - pad, np.float32), np.zeros(pad, np.float32)])
            progress = (epoch + np.arange(first, last) * batch / count) / epochs
            rates = (learning_rate * np.maximum(1.0 - progress, 1e-4)).astype(np.float32)
            yield Examples(
                inputs_piece.reshape(-1, batch, width),
                weight_piece.reshape(-1, batch, width),
                words.reshape(-1, batch, negatives + 1),
                mask.reshape(-1, batch),
                rates,
            )


def examples(ids: np.ndarray, counts: np.ndarray, **settings: Any) -> Examples:
    """All of `example_chunks`'s examples at once (small corpora: tests and the toy check)."""
    return Examples(*(np.concatenate(parts) for parts in zip(*example_chunks(ids, counts, **settings), strict=True)))


def _sgd_step(u_VxN, v_VxN, batch: Examples, weight_decay: float, parametrization: str):
    """One muP SGD step on a batch (the module docstring's update, with h the weighted sum of the input words'
    embeddings), returning the new (u, v) and the batch's mean loss before the step. Weight decay, as in TP4's
    word2vec.c, shrinks a row by (1 - rate * weight_decay) each time it is updated."""
    inputs_BxC, input_weight_BxC, words_BxJ, mask_B, learning_rate = batch
    width = u_VxN.shape[1]
    h_BxN = jnp.einsum("bc,bcn->bn", input_weight_BxC, u_VxN[inputs_BxC])
    v_BxJxN = v_VxN[words_BxJ]
    z_BxJ = jnp.einsum("bn,bjn->bj", h_BxN, v_BxJxN) / (width if parametrization == "mup" else 1)
    label_J = jnp.zeros(words_BxJ.shape[1]).at[0].set(1.0)
    g_BxJ = (jax.nn.sigmoid(z_BxJ) - label_J) * mask_B[:, None]
    loss_BxJ = -jax.nn.log_sigmoid(jnp.where(label_J > 0, z_BxJ, -z_BxJ))
    loss = (loss_BxJ.sum(axis=1) * mask_B).sum() / jnp.maximum(mask_B.sum(), 1.0)
    dh_BxN = -learning_rate * jnp.einsum("bj,bjn->bn", g_BxJ, v_BxJxN)
    du_BxCxN = input_weight_BxC[:, :, None] * dh_BxN[:, None, :]
    dv_BxJxN = -learning_rate * g_BxJ[:, :, None] * h_BxN[:, None, :]
    if weight_decay:
        shrink = 1.0 - learning_rate * weight_decay  # per update of a row (padding excluded)
        shrink_BxC = jnp.where(input_weight_BxC * mask_B[:, None] > 0, shrink, 1.0)
        shrink_BxJ = jnp.broadcast_to(jnp.where(mask_B > 0, shrink, 1.0)[:, None], words_BxJ.shape)
        u_VxN = u_VxN.at[inputs_BxC.reshape(-1)].multiply(shrink_BxC.reshape(-1, 1))
        v_VxN = v_VxN.at[words_BxJ.reshape(-1)].multiply(shrink_BxJ.reshape(-1, 1))
    u_VxN = u_VxN.at[inputs_BxC.reshape(-1)].add(du_BxCxN.reshape(-1, width))
    v_VxN = v_VxN.at[words_BxJ.reshape(-1)].add(dv_BxJxN.reshape(-1, width))
    return u_VxN, v_VxN, loss


def scan_examples(
    u_VxN: jax.Array, v_VxN: jax.Array, examples: Examples, weight_decay: float = 0.0, parametrization: str = "mup"
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(u, v, loss per batch) after SGD through `examples` from the embeddings (u, v), in muP (logits <h, v>/n) or
    SP (`parametrization="sp"`: logits <h, v>, the same SGD update; see `sp_embeddings`); jit it with
    `weight_decay` and `parametrization` static (`train_from`, or with the embeddings donated where they are not
    needed afterwards)."""

    def step(carry, batch):
        u, v, loss = _sgd_step(*carry, Examples(*batch), weight_decay, parametrization)
        return (u, v), loss

    (u, v), losses = jax.lax.scan(step, (u_VxN, v_VxN), tuple(examples))
    return u, v, losses


train_from = jax.jit(scan_examples, static_argnames=("weight_decay", "parametrization"))


def train(u0_VxN: jax.Array, examples: Examples, weight_decay: float = 0.0) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(u, v, loss per batch) after muP SGD through `examples` from input embeddings u0 and a zero readout."""
    return train_from(u0_VxN, jnp.zeros_like(u0_VxN), examples, weight_decay=weight_decay)


def random_embeddings(key: jax.Array, vocabulary_size: int, width: int) -> jax.Array:
    """muP's initial input embeddings: N(0, 1) coordinates."""
    return jax.random.normal(key, (vocabulary_size, width), jnp.float32)


def sp_embeddings(key: jax.Array, vocabulary_size: int, width: int) -> tuple[jax.Array, jax.Array]:
    """The standard parametrization's initial (u, v): both tables random with fan-in variance, u ~ N(0, 1) (one-hot
    input, fan-in 1) and v ~ N(0, 1/n) (fan-in n); trained with logits <h, v> and a width-independent learning rate
    (the usual SGD), whose updates grow the logits like n: SP's instability at large width (TP4 §3)."""
    key_u, key_v = jax.random.split(key)
    v = jax.random.normal(key_v, (vocabulary_size, width), jnp.float32) / jnp.sqrt(jnp.float32(width))
    return random_embeddings(key_u, vocabulary_size, width), v


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
