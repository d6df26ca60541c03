"""TP4 §9's Word2Vec experiment: muP skip-gram nets of growing width beside the exact infinite-width muP limit and
the NTK limit, scored on the Google analogies and WordSim-353 (the compute task `tp4`).

One example stream (the corpus cleaned as text8, word2vec's subsampling, shrunk windows and negatives, drawn once
from `seed`) trains every model: the finite nets of every width and seed (seeds differ only in their initial
embeddings), the limit (`word2vec.limit_embeddings`) and, as a finite check on the NTK limit, nothing at all
(frozen random embeddings of width `frozen_width`). A toy run (the `toy_vocabulary` most frequent words only, the
first `toy_tokens` of their tokens) compares a width-`toy_width` net's trained logits with the limit's.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
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


def corpus_tokens(config: Mapping[str, Any]) -> list[str]:
    """The training text as words: gensim's Wikipedia articles cleaned by text8's rules, or text8 itself."""
    if config["corpus"] == "text8":
        return corpus.load_text8(config["text8_dir"]).split()
    return corpus.text8_clean(" ".join(body for _, body in corpus.wikipedia_articles())).split()


def _examples(config: Mapping[str, Any], ids: np.ndarray, counts: np.ndarray, **overrides: Any) -> w2v.Examples:
    settings = {k: config[k] for k in ("window", "negatives", "subsample", "epochs", "batch", "learning_rate")}
    return w2v.skipgram_examples(ids, counts, seed=config["seed"], **{**settings, **overrides})


def _train_seeds(u0_SxVxN: jax.Array, examples: w2v.Examples) -> tuple[np.ndarray, np.ndarray]:
    """(trained input embeddings, losses) of nets vmapped over their initial embeddings."""
    u, _, losses = jax.vmap(w2v.train, in_axes=(0, None))(u0_SxVxN, examples)
    return np.asarray(u), np.asarray(losses)


def limit_check(config: Mapping[str, Any], tokens: list[str]) -> dict[str, Any]:
    """Relative Frobenius error of a width-`toy_width` net's logits after training against the exact limit's, on
    the toy vocabulary (one seed)."""
    toy = config["toy"]
    vocabulary = w2v.build_vocabulary(tokens, 1)
    vocabulary = w2v.build_vocabulary([t for t in tokens if vocabulary.index[t] < toy["vocabulary"]], 1)
    ids = w2v.encode(tokens, vocabulary)[: toy["tokens"]]
    examples = _examples(config, ids, vocabulary.counts, batch=toy["batch"], epochs=1)
    size = len(vocabulary.words)
    u_lim, v_lim, _ = w2v.train(w2v.limit_embeddings(size), examples)
    u0 = w2v.random_embeddings(jax.random.PRNGKey(config["seed"]), size, toy["width"])
    u_fin, v_fin, _ = w2v.train(u0, examples)
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
    """outputs["tp4_scores"]: one row per model (muP width and seed, the muP limit, the NTK limit, frozen random
    embeddings): analogy accuracy, WordSim-353 Spearman, the mean |cosine - limit's cosine| over the
    `top_words` most frequent words' pairs, training loss; outputs["tp4_limit_check"]: the toy comparison."""
    tokens = corpus_tokens(config)
    vocabulary = w2v.build_vocabulary(tokens, config["min_count"])
    size = len(vocabulary.words)
    ids = w2v.encode(tokens, vocabulary)
    examples = _examples(config, ids, vocabulary.counts)
    questions = wordbench.covered_analogies(corpus.analogy_questions(), vocabulary.index)
    sim_pairs, human = wordbench.covered_wordsim(corpus.wordsim353(), vocabulary.index)
    top = min(config["top_words"], size)
    common = {
        "corpus": config["corpus"],
        "tokens": len(tokens),
        "tokens_in_vocabulary": len(ids),
        "vocabulary_size": size,
        "examples": int(examples.mask_SxB.sum()),
        "batches": len(examples.learning_rate_S),
        "questions_covered": len(questions),
        "questions_total": len(corpus.analogy_questions()),
        "wordsim_covered": len(sim_pairs),
        "top_words": top,
    }

    def scores(embeddings: np.ndarray) -> dict[str, float]:
        return {
            "analogy_accuracy": wordbench.analogy_accuracy(embeddings, questions),
            "wordsim_spearman": wordbench.wordsim_spearman(embeddings, sim_pairs, human),
        }

    started, cpu = time.perf_counter(), time.process_time()
    u_lim, _, losses = w2v.train(w2v.limit_embeddings(size), examples)
    u_lim = np.asarray(u_lim)
    limit_seconds, limit_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"  tp4 limit (V = {size}) trained in {limit_seconds:.0f} s", flush=True)
    limit_top = wordbench.top_cosines(u_lim, top)
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
            "train_loss": float(np.asarray(losses)[-LOSS_WINDOW:].mean()),
            "diverged": not bool(np.isfinite(losses).all()),
            "limit_seconds": limit_seconds,
            "limit_cpu_seconds": limit_cpu,
            "limit_bytes": 2 * size * size * 4,
            "wordsim_ci_low": wordsim_ci[0],
            "wordsim_ci_high": wordsim_ci[1],
        },
        {**common, "model": "ntk_limit", "width": np.nan, "seed": -1, "analogy_accuracy": 1.0 / size,
         "wordsim_spearman": 0.0, "cosine_gap": float(np.abs(limit_top).mean())},
    ]  # fmt: skip
    keys = [jax.random.PRNGKey(config["seed"] + 1 + s) for s in range(config["seeds"])]
    for width in config["widths"]:
        u0 = jax.numpy.stack([w2v.random_embeddings(k, size, width) for k in keys])
        trained, losses_SxT = _train_seeds(u0, examples)
        for s, embeddings in enumerate(trained):
            rows.append(
                {
                    **common,
                    "model": "mup",
                    "width": width,
                    "seed": s,
                    **scores(embeddings),
                    "cosine_gap": float(np.abs(wordbench.top_cosines(embeddings, top) - limit_top).mean()),
                    "train_loss": float(losses_SxT[s, -LOSS_WINDOW:].mean()),
                    "diverged": not bool(np.isfinite(losses_SxT[s]).all()),
                }
            )
        print(f"  tp4 width {width} done", flush=True)
    for s, key in enumerate(keys):
        frozen = np.asarray(w2v.random_embeddings(key, size, config["frozen_width"]))
        gap = float(np.abs(wordbench.top_cosines(frozen, top) - limit_top).mean())
        rows.append(
            {**common, "model": "frozen_random", "width": config["frozen_width"], "seed": s, **scores(frozen),
             "cosine_gap": gap}
        )  # fmt: skip
    write_results(outputs["tp4_scores"], rows, config)
    write_results(outputs["tp4_limit_check"], [limit_check(config, tokens)], config)
