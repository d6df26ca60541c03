"""What the mean-field papers state, each with its source; the claims compare our numbers with these. The papers
show trends and pictures rather than tables, so the expected values are the theories' exact predictions."""

from __future__ import annotations

from replications.core.paper import Expected

MMN = "S. Mei, A. Montanari, P.-M. Nguyen, A mean field view of the landscape of two-layer neural networks, PNAS 2018"
CB = "L. Chizat, F. Bach, On the Global Convergence of Gradient Descent for Over-parameterized Models, NeurIPS 2018"
COB = "L. Chizat, E. Oyallon, F. Bach, On Lazy Training in Differentiable Programming, NeurIPS 2019"
SS = (
    "J. Sirignano, K. Spiliopoulos, Mean field analysis of neural networks: a central limit theorem, "
    "Stochastic Processes and their Applications 130(3), 2020"
)
RV = "G. M. Rotskoff, E. Vanden-Eijnden, Parameters as interacting particles, NeurIPS 2018"
SHORT = {  # the claims' `source`; the full references above go in the README
    "mmn": "Mei et al. 2018",
    "cb": "Chizat & Bach 2018",
    "cob": "Chizat et al. 2019, Fig 1",
    "ss": "Sirignano & Spiliopoulos 2020 (CLT)",
    "rv": "Rotskoff & Vanden-Eijnden 2018",
    "contrast": "this archive (NTK vs mean field)",
}


EXPECTED = {
    "mmn_w1": Expected(0.0, "Mei et al. Thm 3: SGD's empirical law follows the distributional dynamics"),
    "mmn_risk": Expected(0.0, "Mei et al. Thm 3: R_N(theta^k) = R(rho_{k eps}) + error"),
    "cb_global_min": Expected(1.0, "Chizat & Bach Thm 3.5: many-particle flows of 2-homogeneous units reach it"),
    "lazy_ratio": Expected(None, "Chizat et al. Fig 1(c): test loss grows with the initialization scale tau"),
    "ss_slope": Expected(-0.5, "Sirignano & Spiliopoulos CLT: sqrt(N) (mu^N_t - mu_t) -> a Gaussian process"),
    "ss_ratio": Expected(1.0, "Sirignano & Spiliopoulos CLT: sqrt(N) x std tends to the limit process's std"),
    "rv_slope": Expected(-1.0, "Rotskoff & Vanden-Eijnden: long-time error O(n^-1)"),
    "ntk_slope": Expected(-0.5, "NTK scaling: each unit moves O(N^-1/2)"),
    "mf_slope": Expected(0.0, "mean-field scaling: each unit moves O(1)"),
    "kernel_slope_mf": Expected(0.0, "mean-field scaling: the tangent kernel changes O(1) (features are learned)"),
    "kernel_bound_ntk": Expected(-1.0, "Dyer & Gur-Ari 2020: O(1/N); Lee et al. 2019 Thm 2.1 bound O(N^-1/2)"),
    "kernel_slope_ntk": Expected(-1.0, "Dyer & Gur-Ari 2020: ||Theta_t - Theta_0|| = O(1/N) (smooth activations)"),
}
