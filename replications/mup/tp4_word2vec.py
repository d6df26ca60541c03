"""TP4 §9's Word2Vec experiment: muP skip-gram nets of growing width beside the exact infinite-width muP limit and
the NTK limit, scored on the Google analogies and WordSim-353 (the compute task `tp4`).

One example stream (the corpus cleaned as text8, word2vec's subsampling, shrunk windows and negatives, drawn once
from `seed`) trains every model: the finite nets of every width and seed (seeds differ only in their initial
embeddings), the limit (`word2vec.limit_embeddings`) and, as a finite check on the NTK limit, nothing at all
(frozen random embeddings of width `frozen_width`). A toy run (the `toy_vocabulary` most frequent words only, the
first `toy_tokens` of their tokens) compares a width-`toy_width` net's trained logits with the limit's.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jax
import numpy as np
from scipy.stats import spearmanr

from replications.core.results import write_results
from replications.core.stats import bootstrap_interval
from replications.mup import corpus, wordbench
from replications.mup import word2vec as w2v

LOSS_WINDOW = 100  # training loss: mean over the last 100 batches


def _stream(config: Mapping[str, Any], ids: np.ndarray, counts: np.ndarray) -> Iterator[w2v.Examples]:
    settings = {k: config[k] for k in ("model", "window", "negatives", "subsample", "epochs", "batch", "learning_rate")}
    return w2v.example_chunks(ids, counts, seed=config["seed"], chunk_batches=config["chunk_batches"], **settings)


def _seeds_step(u_SxVxN, v_SxVxN, piece: w2v.Examples, weight_decay: float, parametrization: str):
    scan = functools.partial(w2v.scan_examples, weight_decay=weight_decay, parametrization=parametrization)
    return jax.vmap(scan, in_axes=(0, 0, None))(u_SxVxN, v_SxVxN, piece)


# One piece of the stream, the embeddings updated in place (donated): the limit, and the seeds of one width.
_train_limit = jax.jit(w2v.scan_examples, donate_argnums=(0, 1), static_argnames="weight_decay")
_train_seeds = jax.jit(_seeds_step, donate_argnums=(0, 1), static_argnames=("weight_decay", "parametrization"))


def limit_check(config: Mapping[str, Any], tokens: list[str]) -> dict[str, Any]:
    """Relative Frobenius error of a width-`toy_width` net's logits after training against the exact limit's, on
    the toy vocabulary (one seed)."""
    toy = config["toy"]
    vocabulary = w2v.build_vocabulary(tokens, 1)
    vocabulary = w2v.build_vocabulary([t for t in tokens if vocabulary.index[t] < toy["vocabulary"]], 1)
    ids = w2v.encode(tokens, vocabulary)[: toy["tokens"]]
    settings = {k: config[k] for k in ("model", "window", "negatives", "subsample", "learning_rate", "seed")}
    examples = w2v.examples(ids, vocabulary.counts, batch=toy["batch"], epochs=1, **settings)
    size, decay = len(vocabulary.words), config["weight_decay"]
    u_lim, v_lim, _ = w2v.train(w2v.limit_embeddings(size), examples, decay)
    u0 = w2v.random_embeddings(jax.random.PRNGKey(config["seed"]), size, toy["width"])
    u_fin, v_fin, _ = w2v.train(u0, examples, decay)
    z_lim, z_fin = np.asarray(w2v.logits(u_lim, v_lim)), np.asarray(w2v.logits(u_fin, v_fin))
    return {
        "vocabulary_size": size,
        "tokens": len(ids),
        "examples": int(examples.mask_SxB.sum()),
        "width": toy["width"],
        "relative_logit_error": float(np.linalg.norm(z_fin - z_lim) / np.linalg.norm(z_lim)),
        "limit_logit_rms": float(np.sqrt(np.mean(z_lim**2))),
    }


def run(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """outputs["tp4_scores"]: one row per model (muP width and seed; SP width and seed, a contrast, not in the
    claims; the muP limit; the NTK limit; frozen random embeddings): analogy accuracy (and its count of correct
    answers), WordSim-353 Spearman, the mean |cosine - limit's cosine| over the `top_words` most frequent words'
    pairs after training, for the muP nets also at initialization (the untrained control: the limit's untrained
    cosines are all 0) and between the displacements from initialization u - u0 (the learned part), training
    loss; outputs["tp4_limit_check"]: the toy comparison. Every model follows the same stream, piece by piece."""
    tokens = corpus.words(config["corpus"], config["text8_dir"])
    vocabulary = w2v.build_vocabulary(tokens, config["min_count"])
    size = len(vocabulary.words)
    ids = w2v.encode(tokens, vocabulary)
    questions = wordbench.covered_analogies(corpus.analogy_questions(), vocabulary.index)
    sim_pairs, human = wordbench.covered_wordsim(corpus.wordsim353(), vocabulary.index)
    top = min(config["top_words"], size)
    keys = [jax.random.PRNGKey(config["seed"] + 1 + s) for s in range(config["seeds"])]

    limit = (w2v.limit_embeddings(size), jax.numpy.zeros((size, size), jax.numpy.float32))
    nets = {}  # (parametrization, width): the seeds' (u, v)
    for width in config["widths"]:
        u0 = jax.numpy.stack([w2v.random_embeddings(k, size, width) for k in keys])
        nets["mup", width] = (u0, jax.numpy.zeros_like(u0))
        if config["sp_seeds"]:
            sp_keys = [jax.random.PRNGKey(config["seed"] + 1 + s) for s in range(config["sp_seeds"])]
            u0, v0 = zip(*(w2v.sp_embeddings(k, size, width) for k in sp_keys), strict=True)
            nets["sp", width] = (jax.numpy.stack(u0), jax.numpy.stack(v0))
    untrained_gap = {  # the limit's untrained cosines are 0
        (width, s): float(np.abs(wordbench.top_cosines(np.asarray(u0), top)).mean())
        for (parametrization, width), (u0_SxVxN, _) in nets.items()
        if parametrization == "mup"
        for s, u0 in enumerate(u0_SxVxN)
    }
    limit_losses, net_losses = [], {net: [] for net in nets}
    limit_seconds = limit_cpu = 0.0
    examples = batches = 0
    for piece in _stream(config, ids, vocabulary.counts):
        examples, batches = examples + int(piece.mask_SxB.sum()), batches + len(piece.learning_rate_S)
        started, cpu = time.perf_counter(), time.process_time()
        *limit, losses = _train_limit(*limit, piece, weight_decay=config["weight_decay"])
        limit_losses.append(np.asarray(losses))  # waits for the piece: the time below is the limit's
        limit_seconds += time.perf_counter() - started
        limit_cpu += time.process_time() - cpu
        for (parametrization, width), state in nets.items():
            *nets[parametrization, width], losses_SxT = _train_seeds(
                *state, piece, weight_decay=config["weight_decay"], parametrization=parametrization
            )
            net_losses[parametrization, width].append(np.asarray(losses_SxT))
    print(f"  tp4 limit (V = {size}) trained in {limit_seconds:.0f} s ({limit_cpu:.0f} s CPU)", flush=True)
    u_lim = np.asarray(limit[0])
    del limit
    limit_losses = np.concatenate(limit_losses)
    limit_top = wordbench.top_cosines(u_lim, top)
    # The learned part: cosines of the displacements from initialization, u - u0 (the limit's: A - I, scaled)
    limit_learned_top = wordbench.top_cosines(u_lim[:top] - np.asarray(w2v.limit_embeddings(size))[:top], top)
    common = {
        "corpus": config["corpus"],
        "tokens": len(tokens),
        "tokens_in_vocabulary": len(ids),
        "vocabulary_size": size,
        "examples": examples,
        "batches": batches,
        "questions_covered": len(questions),
        "questions_total": len(corpus.analogy_questions()),
        "wordsim_covered": len(sim_pairs),
        "top_words": top,
    }

    def scores(embeddings: np.ndarray) -> dict[str, float]:
        accuracy = wordbench.analogy_accuracy(embeddings, questions)
        return {
            "analogy_accuracy": accuracy,
            "analogy_correct": round(accuracy * len(questions)) if len(questions) else 0,
            "wordsim_spearman": wordbench.wordsim_spearman(embeddings, sim_pairs, human),
        }

    wordsim_ci = bootstrap_interval(  # over the WordSim pairs, resampled with their human scores
        lambda pairs_Px2: (
            float(spearmanr(pairs_Px2[:, 0], pairs_Px2[:, 1]).statistic) if len(pairs_Px2) > 2 else np.nan
        ),
        [np.column_stack([wordbench.cosines(u_lim, sim_pairs), human])],
    ) or (np.nan, np.nan)
    rows = [
        {
            **common,
            "model": "mup_limit",
            "width": np.nan,
            "seed": -1,
            **scores(u_lim),
            "cosine_gap": 0.0,
            "train_loss": float(limit_losses[-LOSS_WINDOW:].mean()),
            "diverged": not bool(np.isfinite(limit_losses).all()),
            "limit_bytes": 2 * size * size * 4,
            "wordsim_ci_low": wordsim_ci[0],
            "wordsim_ci_high": wordsim_ci[1],
        },
        {**common, "model": "ntk_limit", "width": np.nan, "seed": -1, "analogy_accuracy": 1.0 / size,
         "wordsim_spearman": 0.0, "cosine_gap": float(np.abs(limit_top).mean())},
    ]  # fmt: skip
    del u_lim

    def learned_gap(embeddings: np.ndarray, key: jax.Array, width: int) -> float:
        """Mean |cosine of the finite net's displacement u - u0 - the limit's| over the top words' pairs."""
        u0 = np.asarray(w2v.random_embeddings(key, size, width))[:top]
        return float(np.abs(wordbench.top_cosines(embeddings[:top] - u0, top) - limit_learned_top).mean())

    for (parametrization, width), (trained, _) in nets.items():
        losses_SxT = np.concatenate(net_losses[parametrization, width], axis=1)
        for s, embeddings in enumerate(np.asarray(trained)):
            finite = bool(np.isfinite(losses_SxT[s]).all() and np.isfinite(embeddings).all())
            rows.append(
                {
                    **common,
                    "model": parametrization,
                    "width": width,
                    "seed": s,
                    **(scores(embeddings) if finite else {}),
                    "cosine_gap": float(np.abs(wordbench.top_cosines(embeddings, top) - limit_top).mean())
                    if finite
                    else np.nan,
                    "untrained_cosine_gap": untrained_gap.get((width, s), np.nan)
                    if parametrization == "mup"
                    else np.nan,
                    "learned_cosine_gap": learned_gap(embeddings, keys[s], width)
                    if parametrization == "mup" and finite
                    else np.nan,
                    "train_loss": float(losses_SxT[s, -LOSS_WINDOW:].mean()),
                    "diverged": not finite,
                }
            )
    for s, key in enumerate(keys):
        frozen = np.asarray(w2v.random_embeddings(key, size, config["frozen_width"]))
        gap = float(np.abs(wordbench.top_cosines(frozen, top) - limit_top).mean())
        rows.append(
            {**common, "model": "frozen_random", "width": config["frozen_width"], "seed": s, **scores(frozen),
             "cosine_gap": gap}
        )  # fmt: skip
    write_results(outputs["tp4_scores"], rows, config)
    write_results(outputs["tp4_limit_check"], [limit_check(config, tokens)], config)
