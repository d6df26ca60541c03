"""What Neal (1994) states, each with its source; the claims compare our numbers with these.

Neal's report gives settings and qualitative statements, not tables of numbers, so the expected values of the
claims are the exact values of the theory the report rests on; each says where it comes from.
"""

from __future__ import annotations

from replications.core.paper import Expected

CITATION = (
    "R. M. Neal, Priors for Infinite Networks, Technical Report CRG-TR-94-1, Dept. of Computer Science, "
    "University of Toronto, 1994; Chapter 2 of Bayesian Learning for Neural Networks, Springer, 1996."
)


EXPECTED = {
    "kurtosis_slope": Expected(-1.0, "Neal 1994 §2.1 (CLT, sigma_v = omega_v H^-1/2); exact finite-H cumulants"),
    "kurtosis_h10": Expected(0.0, "exact excess kurtosis 3 omega^4 (m4 - m2^2) / (H (sigma_b^2 + omega^2 m2)^2)"),
    "ks_gauss": Expected(0.0, "Neal 1994 §2.1: Gaussian v gives a Gaussian limit N(0, sigma_b^2 + omega_v^2 E h^2)"),
    "ks_cauchy_limit": Expected(0.0, "Neal 1994 §2.2: Cauchy v (sigma_v = omega_v / H) gives a Cauchy limit"),
    "ks_cauchy_gauss": Expected(0.0811, "KS(Cauchy, Gaussian of equal median and IQR), computed exactly"),
    "cov_rel_err": Expected(0.0, "Williams 1997 arcsine kernel; exact at every H for Gaussian v"),
    "step_slope": Expected(1.0, "Neal 1994 §2.1: step units give Brownian (locally) priors"),
    "tanh_slope": Expected(2.0, "Neal 1994 §2.1: tanh units give smooth priors"),
    "dominance_gauss": Expected(-1.0, "Gaussian v: share ~ sqrt(2 log H) / H, the rate 1/H up to the log"),
    "dominance_cauchy": Expected(
        -0.195,
        "Neal 1994 §2.2, Cauchy v: share ~ 1 / log H, whose log-log slope over H = 10, 30, ..., 10 000 is -0.195",
    ),
    "dominance_alpha15": Expected(-1 / 3, "alpha-stable v, alpha = 1.5: share ~ H^(1/alpha - 1) = H^(-1/3)"),
}
