"""Neal's claims, judged from the results tables. Ids and bounds are those registered in issues 2 and 15 (the
dominance slopes); never loosen.

A claim whose measurement conditions (draw counts, widths) are not met by the profile is written with a null
measurement, so it fails and says why, rather than being judged on too little data.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replications.core.claims import Claim, Estimate, publish
from replications.core.provenance import read_arrays, read_table
from replications.neal import measures
from replications.neal.limits import cauchy_vs_matched_gaussian_ks
from replications.neal.paper import EXPECTED

SOURCE = "Neal 1994"
README = Path(__file__).with_name("README.md")
SAMPLER_CHECK = (
    "; a check of the sampler, not evidence: given sum_j |h_j| the sampler draws f(x0) as an exact Cauchy, so the "
    "distance holds by construction"
)


def _unless(condition: bool, value: Estimate) -> Estimate:
    return value if condition else Estimate(None)


def _requirement(met: bool, text: str) -> str:
    return "" if met else f" [NOT MEASURED: the profile does not meet '{text}']"


def evaluate(config: Mapping[str, Any], inputs: Mapping[str, Path]) -> list[Claim]:
    """Every Neal claim with its measurement from the tables in `inputs`."""
    kurtosis = read_table(inputs["kurtosis"])
    arrays, _ = read_arrays(inputs["convergence"])
    conv, cov, rough = config["convergence"], config["covariance"], config["roughness"]
    ks = measures.ks_estimates(arrays, conv)
    slopes = measures.roughness_slope_estimates(read_table(inputs["roughness"]), rough["draws"])
    covariance = read_table(inputs["covariance"])
    by_width = kurtosis.set_index("hidden_units")
    dominance = read_table(inputs["dominance"])
    dominance = dominance[dominance["hidden_units"].between(10, 10_000)]
    dom = config["dominance"]
    dominance_ok = (
        dominance["hidden_units"].min() == 10
        and dominance["hidden_units"].max() == 10_000
        and dominance["hidden_units"].nunique() >= 4
        and dom["draws"] >= 1000
    )

    sweep_ok = sorted(conv["hidden_units"]) == [1, 3, 10, 30, 100] and bool(
        (by_width["standard_error"] < by_width["predicted"] / 5).all()
    )
    h10_ok = 10 in by_width.index and by_width.loc[10, "draws"] >= 4_000_000
    wide_ok = conv["wide_hidden_units"] >= 10_000 and conv["wide_draws"] >= 4000
    cov_ok = cov["hidden_units"] >= 10_000 and cov["draws"] >= 4000 and cov["inputs"] >= 20
    rough_ok = rough["delta_max"] / rough["delta_min"] >= 100 - 1e-9 and rough["delta_max"] <= 1
    return [
        Claim(
            "neal.gauss.kurtosis_slope",
            SOURCE,
            "log-log slope of the excess kurtosis of f(x0) against H, H in {1, 3, 10, 30, 100}, Gaussian v, tanh"
            + _requirement(sweep_ok, "H = 1..100 and SE < predicted / 5 at every H"),
            EXPECTED["kurtosis_slope"].value,
            _unless(sweep_ok, measures.kurtosis_slope_estimate(kurtosis)),
            -1.15,
            -0.85,
            "fig_convergence",
            kind="evidence",
        ),
        Claim(
            "neal.gauss.kurtosis_h10",
            SOURCE,
            "relative error of the measured excess kurtosis at H = 10 against the exact finite-H formula"
            + _requirement(h10_ok, ">= 4e6 draws at H = 10"),
            EXPECTED["kurtosis_h10"].value,
            measures.kurtosis_error(kurtosis, 10) if h10_ok else Estimate(None),
            None,
            0.15,
            "fig_convergence",
            kind="evidence",
        ),
        Claim(
            "neal.gauss.ks_h10000",
            SOURCE,
            "KS distance of f(x0), H = 10 000, Gaussian v, tanh, to its limit Gaussian"
            + _requirement(wide_ok, "H >= 10 000, >= 4000 draws"),
            EXPECTED["ks_gauss"].value,
            _unless(wide_ok, ks["gaussian_limit"]),
            None,
            0.03,
            "fig_convergence",
            kind="evidence",
        ),
        Claim(
            "neal.cauchy.ks_limit_h10000",
            SOURCE,
            "KS distance of f(x0), H = 10 000, Cauchy v, to Cauchy(omega_v E|h|) convolved with N(0, sigma_b^2)"
            + SAMPLER_CHECK
            + _requirement(wide_ok, "H >= 10 000, >= 4000 draws"),
            EXPECTED["ks_cauchy_limit"].value,
            _unless(wide_ok, ks["cauchy_limit"]),
            None,
            0.03,
            "fig_convergence",
            kind="check",
        ),
        Claim(
            "neal.cauchy.ks_gauss_h10000",
            SOURCE,
            "KS distance of f(x0), H = 10 000, Cauchy v, sigma_b = 0, to the Gaussian of equal median and IQR "
            f"(not Gaussian: {cauchy_vs_matched_gaussian_ks():.3f} in theory)"
            + SAMPLER_CHECK
            + _requirement(wide_ok, "H >= 10 000, >= 4000 draws"),
            EXPECTED["ks_cauchy_gauss"].value,
            _unless(wide_ok, ks["cauchy_vs_gaussian"]),
            0.04,
            None,
            "fig_convergence",
            kind="check",
        ),
        Claim(
            "neal.cov.rel_err",
            SOURCE,
            "relative Frobenius error of the empirical covariance of f (H = 10 000, erf) against the arcsine kernel; "
            f"{cov['draws']} draws, not kept, so no interval; sampling alone gives "
            f"{measures.covariance_sampling_floor(covariance, cov['draws']):.4f} (a Gaussian's expected error)"
            + _requirement(cov_ok, "H >= 10 000, >= 4000 draws, >= 20 inputs"),
            EXPECTED["cov_rel_err"].value,
            _unless(cov_ok, Estimate(measures.covariance_error(covariance), None, cov["draws"])),
            None,
            0.05,
            "fig_covariance",
            kind="evidence",
        ),
        Claim(
            "neal.rough.step_slope",
            SOURCE,
            "slope of log E[(f(x+d) - f(x))^2] against log d, step units, d over two decades below 1/sigma_u"
            + _requirement(rough_ok, "two decades of d below the length scale"),
            EXPECTED["step_slope"].value,
            _unless(rough_ok and "step" in slopes, slopes.get("step")),
            0.85,
            1.15,
            "fig_roughness",
            kind="evidence",
        ),
        Claim(
            "neal.rough.tanh_slope",
            SOURCE,
            "slope of log E[(f(x+d) - f(x))^2] against log d, tanh units, d over two decades below 1/sigma_u"
            + _requirement(rough_ok, "two decades of d below the length scale"),
            EXPECTED["tanh_slope"].value,
            _unless(rough_ok and "tanh" in slopes, slopes.get("tanh")),
            1.8,
            2.2,
            "fig_roughness",
            kind="evidence",
        ),
        *(
            Claim(
                f"neal.dominance.{name}_slope",
                SOURCE,
                "log-log slope against H (10 ... 10 000) of the median share of the largest unit, "
                f"max_j |v_j h_j| / sum_j |v_j h_j| at x0, {label} output weights; BCa bootstrap over the draws"
                + _requirement(dominance_ok, ">= 4 widths from H = 10 to 10 000, >= 1000 draws per width"),
                EXPECTED[f"dominance_{name}"].value,
                measures.dominance_slope_estimate(dominance, index)
                if dominance_ok and index in dom["stable_indices"]
                else Estimate(None),
                lo,
                hi,
                "fig_dominance",
                kind="evidence",
            )
            for name, label, index, lo, hi in (
                ("gauss", "Gaussian", 2.0, -1.0, -0.75),
                ("cauchy", "Cauchy (share ~ 1 / log H)", 1.0, -0.35, -0.05),
                ("alpha15", "symmetric alpha-stable, alpha = 1.5 (share ~ H^(-1/3))", 1.5, -0.5, -0.25),
            )
        ),
    ]


def write(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Write figures/neal/claims.json (and, for the default profile, the README's claims block)."""
    publish(outputs["claims"], "neal", config["profile"], evaluate(config, inputs), README)
