"""What the Tensor Programs papers state, each with its source; the claims compare our numbers with these."""

from __future__ import annotations

from replications.core.paper import Expected

TP4 = (
    "G. Yang, E. J. Hu, Tensor Programs IV: Feature Learning in Infinite-Width Neural Networks, ICML 2021, "
    "arXiv:2011.14522"
)
TP5 = (
    "G. Yang, E. J. Hu, I. Babuschkin, S. Sidor, X. Liu, D. Farhi, N. Ryder, J. Pachocki, W. Chen, J. Gao, "
    "Tensor Programs V: Tuning Large Neural Networks via Zero-Shot Hyperparameter Transfer, NeurIPS 2021, "
    "arXiv:2203.03466"
)
TP6 = (
    "G. Yang, D. Yu, C. Zhu, S. Hayou, Tensor Programs VI: Feature Learning in Infinite-Depth Neural Networks, "
    "ICLR 2024, arXiv:2310.02244"
)
SHORT = {  # the claims' `source`; the full references above go in the README
    "tp4_table": "Yang & Hu 2021 (TP4), Table 1",
    "tp4_maxlr": "Yang & Hu 2021 (TP4), Fig 2",
    "tp5_coord": "Yang et al. 2021 (TP5), Fig 5",
    "tp5_transfer": "Yang et al. 2021 (TP5), Fig 3",
    "tp5_fig1": "Yang et al. 2021 (TP5), Fig 1",
    "tp6_depth": "Yang et al. 2024 (TP6), Fig 10",
    "tp4_word2vec": "Yang & Hu 2021 (TP4), §9 (Word2Vec)",
}


EXPECTED = {
    "table_cells": Expected(20.0, "TP4 Table 1: r, stability, non-triviality, feature learning, kernel regime"),
    "mup_ratio": Expected(1.0, "TP5 §D.1: under muP every layer's update is Theta(1) in width"),
    "sp_logit_growth": Expected(16.0, "SP with a fixed learning rate: logit updates grow like the width"),
    "sp_slope": Expected(-1.0, "TP4 Fig 2: the largest stable learning rate of SP scales like 1/width"),
    "mup_slope": Expected(0.0, "TP4 Fig 2: under muP it is constant in width"),
    "mup_shift": Expected(0.0, "TP5 Fig 3: the optimal learning rate is stable in width under muP"),
    "sp_shift": Expected(None, "TP5 Fig 3: under SP the optimum shifts with width"),
    "wider_better": Expected(1.0, "TP5: under muP, wider is better at every learning rate"),
    "depthmup_shift": Expected(0.0, "TP6 Fig 10: the optimum is stable in depth under Depth-muP"),
    "standard_shift": Expected(None, "TP6 Fig 10: it shifts with depth for the standard block"),
    "transfer_mup_slope": Expected(0.0, "TP5 Fig 3: the optimal learning rate is stable in width under muP"),
    "transfer_sp_slope": Expected(-1.0, "TP4 §3: SP's largest stable SGD learning rate scales like 1/width"),
    "mup_regret": Expected(0.0, "TP5: the base width's optimum is the wide net's (muTransfer)"),
    "sp_regret": Expected(None, "TP5 Fig 3: under SP the base optimum is too large for wide nets"),
    "depthmup_slope": Expected(0.0, "TP6 Fig 10: the optimum is stable in depth under Depth-muP"),
    "blocks_only_shift": Expected(None, "TP6 Fig 10, middle row: 1/sqrt(L) branches without eta/sqrt(L) shift"),
    "tfm_sp_slope": Expected(
        -1.0, "TP5 Fig 1: SP's optimal Adam rate drifts from ~2^-10 at width 128 to ~2^-16 at 8192 (-1 per octave)"
    ),
    "tfm_mup_slope": Expected(0.0, "TP5 Fig 1: under muP the optimal Adam rate stays at ~2^-10 at every width"),
    "tfm_wider_better": Expected(1.0, "TP5 Fig 1: under muP, wider is always better"),
    "tfm_mup_beats_sp": Expected(
        -0.4, "TP5 Fig 1 (the repository's figure): width 8192 under muP ~3.65 against SP's best ~4.05"
    ),
    "tfm_coord_ratio": Expected(1.0, "TP5 Fig 5: under muP every activation's update is Theta(1) in width"),
    "tfm_sp_logit_growth": Expected(16.0, "TP5 Fig 5: SP's logit updates grow like the width (x16 over 4 octaves)"),
    "mup_ratio_adam": Expected(1.0, "TP5 §D.1: under muP with Adam every layer's update is Theta(1) in width"),
}

# TP4 §9, Word2Vec (CBOW) on text8: word-analogy accuracy of muP nets by width and of the muP limit at epoch 15,
# read off the authors' figure word2vec.png (github.com/edwardjhu/TP4, commit b640ba7, left panel; to the precision
# of reading a plot, about 0.3 points).
TP4_TEXT8_ANALOGY = {"64": 0.334, "256": 0.416, "1024": 0.426, "limit": 0.433}
TP4_TEXT8_SOURCE = "TP4 (CBOW) on text8, epoch 15,\nread off the authors' word2vec.png\n(github.com/edwardjhu/TP4)"
EXPECTED.update(
    {
        "w2v_limit_vs_ntk": Expected(None, "TP4 §9: the muP limit learns features, the NTK limit does not"),
        "w2v_limit_vs_widest": Expected(
            TP4_TEXT8_ANALOGY["limit"] - TP4_TEXT8_ANALOGY["1024"], "TP4 §9, text8: limit 43.3 % vs width 2^10 42.6 %"
        ),
        "w2v_limit_vs_ntk_analogy": Expected(TP4_TEXT8_ANALOGY["limit"], "TP4 §9, text8: limit 43.3 %, NTK at chance"),
        "w2v_convergence_slope": Expected(-0.5, "finite-width fluctuations around the limit scale like n^(-1/2)"),
        "limit_check": Expected(0.0, "the width-n net tends to the limit as n grows (error O(n^(-1/2)))"),
    }
)
