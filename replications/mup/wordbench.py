"""Word-embedding benchmarks: Google analogies by 3CosAdd and WordSim-353 by Spearman correlation, restricted to
the questions and pairs whose words are all in the vocabulary (their counts are reported with the scores)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import spearmanr

from replications.mup.word2vec import unit_rows


def covered_analogies(
    questions: Sequence[tuple[str, tuple[str, str, str, str]]], index: Mapping[str, int]
) -> np.ndarray:
    """Ids (Q x 4) of the questions "a : b :: c : d" whose four words are all in the vocabulary."""
    rows = [[index[w] for w in words] for _, words in questions if all(w in index for w in words)]
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


def analogy_accuracy(embeddings_VxN: np.ndarray, questions_Qx4: np.ndarray, chunk: int = 512) -> float:
    """3CosAdd (Mikolov et al. 2013): the answer to a : b :: c : ? is the word x, other than a, b and c, that
    maximizes cos(x, b^ - a^ + c^) (^: unit length); the fraction answered with d. NaN without questions."""
    if len(questions_Qx4) == 0:
        return float("nan")
    unit_VxN = unit_rows(np.asarray(embeddings_VxN, dtype=np.float32))
    correct = 0
    for start in range(0, len(questions_Qx4), chunk):
        q_Cx4 = questions_Qx4[start : start + chunk]
        target_CxN = unit_VxN[q_Cx4[:, 1]] - unit_VxN[q_Cx4[:, 0]] + unit_VxN[q_Cx4[:, 2]]
        score_CxV = target_CxN @ unit_VxN.T
        rows = np.arange(len(q_Cx4))[:, None]
        score_CxV[rows, q_Cx4[:, :3]] = -np.inf
        correct += int((score_CxV.argmax(axis=1) == q_Cx4[:, 3]).sum())
    return correct / len(questions_Qx4)


def covered_wordsim(pairs: Sequence[tuple[str, str, float]], index: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(ids P x 2, human scores P) of the WordSim pairs whose two words are in the vocabulary."""
    kept = [(index[a], index[b], s) for a, b, s in pairs if a in index and b in index]
    ids = np.array([(a, b) for a, b, _ in kept], dtype=np.int64).reshape(-1, 2)
    return ids, np.array([s for *_, s in kept], dtype=np.float64)


def cosines(embeddings_VxN: np.ndarray, pairs_Px2: np.ndarray) -> np.ndarray:
    """Cosine similarity of each pair's embeddings."""
    first, second = (unit_rows(np.asarray(embeddings_VxN[pairs_Px2[:, k]], dtype=np.float64)) for k in (0, 1))
    return (first * second).sum(axis=1)


def wordsim_spearman(embeddings_VxN: np.ndarray, pairs_Px2: np.ndarray, human_P: np.ndarray) -> float:
    """Spearman correlation between the embeddings' cosines and the human scores (NaN with fewer than 3 pairs)."""
    if len(pairs_Px2) < 3:
        return float("nan")
    return float(spearmanr(cosines(embeddings_VxN, pairs_Px2), human_P).statistic)


def top_cosines(embeddings_VxN: np.ndarray, top: int) -> np.ndarray:
    """Cosines of every pair of distinct words among the `top` most frequent (ids 0..top-1), upper triangle."""
    unit_TxN = unit_rows(np.asarray(embeddings_VxN[:top], dtype=np.float64))
    return (unit_TxN @ unit_TxN.T)[np.triu_indices(len(unit_TxN), k=1)]
