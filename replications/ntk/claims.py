"""The NTK claims, judged from the results tables. Ids and bounds are those registered in issue 4; never loosen.

Every claim normalizes by the theory for the widths the profile used, so the same bounds hold at any scale. Each
measurement carries its 95 % interval (`replications.ntk.measures`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replications.core.claims import Claim, Estimate, publish
from replications.core.provenance import read_table
from replications.core.stats import mean_loglog_slope_estimate
from replications.ntk import measures
from replications.ntk.paper import EXPECTED, JACOT_SHORT, LEE_SHORT, WITHDRAWN_KERNEL_SLOPE

README = Path(__file__).with_name("README.md")


def evaluate(config: Mapping[str, Any], inputs: Mapping[str, Path]) -> list[Claim]:
    """Every NTK claim with its measurement from the tables in `inputs`."""
    kernels, kernel_limit = read_table(inputs["kernels"]), read_table(inputs["kernel_limit"])
    functions, function_limit = read_table(inputs["functions"]), read_table(inputs["function_limit"])
    circle, fn = config["kernel_circle"], config["function_circle"]
    narrow, wide = min(circle["widths"]), max(circle["widths"])
    fn_errors = measures.function_errors(functions, function_limit)
    changes, lee = read_table(inputs["relchange"]), config["relchange"]
    slopes = {act: measures.lee_slopes(changes, act) for act in ("erf", "relu") if act in lee["activations"]}
    seeds = f"{lee['seeds']} seeds (the jackknife's interval over seeds)"
    lee_setting = (
        f"one hidden layer, NTK parametrization, {lee['train_points']} {lee['dataset']['name']} digits of classes "
        f"{lee['classes'][0]}/{lee['classes'][1]} (targets +-1), full-batch GD at lr {lee['learning_rate']:g} until "
        f"the loss is {lee['tolerance']:g} of its start (at most {lee['max_steps']} steps), widths "
        f"{min(lee['widths'])}..{max(lee['widths'])}; {seeds}"
    )
    eigenvalues, training = read_table(inputs["pca_eigenvalues"]), read_table(inputs["pca_training"])
    pca_width = max(config["pca"]["train_widths"])
    pca_linear = measures.decay_ratio(training, eigenvalues, pca_width, "g_linearized")
    motion = read_table(inputs["pca_kernel_motion"])
    motion = motion[motion["width"] == pca_width]
    lambda_2 = float(
        eigenvalues[(eigenvalues["kernel"] == "analytic") & (eigenvalues["rank"] == 2)]["eigenvalue"].iloc[0]
    )
    linear, gaps = config["linear"], read_table(inputs["linear_gaps"])
    stable_gaps = gaps[~gaps["linearization_diverged"] & ~gaps["diverged"]]
    dropped = gaps[gaps["linearization_diverged"] | gaps["diverged"]]
    excluded = (
        "no run excluded"
        if dropped.empty
        else f"{len(dropped)} runs excluded, whose net or linearization diverged at lr {linear['learning_rate']:g} "
        f"(widths {', '.join(str(w) for w in sorted(dropped['width'].unique()))})"
    )
    erf_weight = slopes["erf"]["weight_change"] if "erf" in slopes else None
    setting = f"depth {circle['depth']} ReLU, beta {circle['beta']:g}, widths {narrow} and {wide}"
    draws = f"{circle['kernel_draws']} initializations per width"
    return [
        Claim(
            id="ntk.fig1.std_ratio",
            source=JACOT_SHORT,
            statement=f"std over initializations of Theta_0(x0, x) along the circle (mean over gamma), width {wide} "
            f"over width {narrow}, divided by sqrt({narrow}/{wide}); {setting}; {draws}",
            expected=EXPECTED["fig1_std_ratio"].value,
            measured=measures.std_ratio(kernels),
            lo=0.7,
            hi=1.4,
            figure="fig1_kernel",
            kind="evidence",
        ),
        Claim(
            id="ntk.fig1.move_ratio",
            source=JACOT_SHORT,
            statement=f"mean relative change ||Theta_T - Theta_0|| / ||Theta_0|| along the circle after "
            f"{circle['steps']} GD steps at lr {circle['learning_rate']:g}, width {wide} over width {narrow}, divided "
            f"by sqrt({narrow}/{wide}); {circle['initializations']} trained nets per width; expected: the O(1/n) "
            "rate (Dyer & Gur-Ari 2020), sqrt(narrow/wide); the bound is Lee et al.'s O(n^-1/2), 1",
            expected=(narrow / wide) ** 0.5,
            measured=measures.move_ratio(kernels),
            lo=None,
            hi=1.6,
            figure="fig1_kernel",
            kind="evidence",
        ),
        Claim(
            id="ntk.fig1.limit_err",
            source=JACOT_SHORT,
            statement=f"relative L2 error along the circle of the mean Theta_0 at width {wide} against the analytic "
            f"limit; {draws}",
            expected=EXPECTED["fig1_limit_err"].value,
            measured=measures.limit_error(kernels, kernel_limit),
            lo=None,
            hi=0.05,
            figure="fig1_kernel",
            kind="evidence",
        ),
        Claim(
            id="ntk.fig2.mean_err",
            source=JACOT_SHORT,
            statement=f"width {max(fn['widths'])}: mean over gamma of |mean over initializations of f_T - predicted "
            f"mean| / mean over gamma of the predicted std; {fn['initializations']} initializations, {fn['steps']} "
            f"steps at lr {fn['learning_rate']:g}",
            expected=EXPECTED["fig2_mean_err"].value,
            measured=fn_errors["mean_err"],
            lo=None,
            hi=0.3,
            figure="fig2_function",
            kind="evidence",
        ),
        Claim(
            id="ntk.fig2.std_ratio",
            source=JACOT_SHORT,
            statement=f"width {max(fn['widths'])}: mean over gamma of the std over initializations of f_T / mean "
            f"over gamma of the predicted std; {fn['initializations']} initializations",
            expected=EXPECTED["fig2_std_ratio"].value,
            measured=fn_errors["std_ratio"],
            lo=0.8,
            hi=1.25,
            figure="fig2_function",
            kind="evidence",
        ),
        Claim(
            id="ntk.fig3.lambda_ratio",
            source=JACOT_SHORT,
            statement=f"lambda_1 / lambda_2 of the analytic NTK (depth {config['pca']['depth']}, beta "
            f"{config['pca']['beta']:g}) of {config['pca']['digits']} MNIST digits; paper 0.0457 / 0.00108 (an "
            "exact computation on one draw of digits: no interval)",
            expected=EXPECTED["fig3_lambda_ratio"].value,
            measured=Estimate(measures.lambda_ratio(eigenvalues)),
            lo=21.0,
            hi=85.0,
            figure="fig3_pca",
            kind="check",
        ),
        Claim(
            id="ntk.fig3.decay_ratio",
            source=JACOT_SHORT,
            statement="decay rate of |g_t|, the component of f_t - f* along f^(2), fitted by least squares of "
            f"log |g_t| on 0 <= t <= 1/lambda_2, over lambda_2 of the analytic NTK; width {pca_width} net (depth "
            f"{config['pca']['depth']}, {config['pca']['digits']} digits, lr {config['pca']['learning_rate']:g}), "
            f"{config['pca']['trials']} trials (Student-t interval); beside it, the same fit to the net's "
            f"linearization: {pca_linear.value:.3f} {_interval(pca_linear)}; the net's Theta_hat moved by "
            f"{motion['kernel_change'].mean():.2f} (relative, Frobenius) and <f2, Theta_hat f2> / N^2 went from "
            f"{motion['rayleigh_start'].mean():.2e} to {motion['rayleigh_end'].mean():.2e} (lambda_2 = "
            f"{lambda_2:.2e})",
            expected=1.0,
            measured=measures.decay_ratio(training, eigenvalues, pca_width),
            lo=0.75,
            hi=1.33,
            figure="fig3_pca",
            kind="evidence",
        ),
        Claim(
            id="ntk.relchange.weight_slope",
            source=LEE_SHORT,
            statement="log-log slope of ||theta_T - theta_0|| / ||theta_0|| against width, ReLU nets; "
            + lee_setting
            + ("" if erf_weight is None else f"; erf beside it: {erf_weight.value:.3f} {_interval(erf_weight)}"),
            expected=EXPECTED["weight_slope"].value,
            measured=slopes["relu"]["weight_change"],
            lo=-0.6,
            hi=-0.4,
            figure="fig_relchange",
            kind="evidence",
        ),
        Claim(
            id="ntk.relchange.kernel_slope",
            source=LEE_SHORT,
            statement="log-log slope of ||Theta_T - Theta_0||_F / ||Theta_0||_F against width, ReLU nets; "
            + lee_setting,
            expected=EXPECTED["kernel_slope"].value,
            measured=slopes["relu"]["ntk_change"],
            lo=-0.65,
            hi=-0.35,
            figure="fig_relchange",
            kind="evidence",
            withdrawn=WITHDRAWN_KERNEL_SLOPE,
        ),
        Claim(
            id="ntk.lee.kernel_slope_erf",
            source=LEE_SHORT,
            statement="log-log slope of ||Theta_hat_T - Theta_hat_0||_F / ||Theta_hat_0||_F against width, erf nets; "
            + lee_setting,
            expected=EXPECTED["kernel_slope"].value,
            measured=slopes["erf"]["ntk_change"],
            lo=-1.2,
            hi=-0.75,
            figure="fig_relchange",
            kind="evidence",
        ),
        Claim(
            id="ntk.lee.kernel_slope_relu",
            source=LEE_SHORT,
            statement="the same, ReLU nets (piecewise linear: the O(1/n) rate is not proven, Aitken & Gur-Ari 2020); "
            + lee_setting,
            expected=EXPECTED["kernel_slope_relu"].value,
            measured=slopes["relu"]["ntk_change"],
            lo=-1.1,
            hi=-0.5,
            figure="fig_relchange",
            kind="evidence",
        ),
        Claim(
            id="ntk.lee.nngp_slope_erf",
            source=LEE_SHORT,
            statement="log-log slope of ||K_hat_T - K_hat_0||_F / ||K_hat_0||_F (the empirical NNGP kernel) against "
            "width, erf nets; " + lee_setting,
            expected=EXPECTED["kernel_slope"].value,
            measured=slopes["erf"]["nngp_change"],
            lo=-1.2,
            hi=-0.75,
            figure="fig_relchange",
            kind="evidence",
        ),
        Claim(
            id="ntk.linear.gap_slope",
            source=LEE_SHORT,
            statement="log-log slope against width of the RMS difference between the converged net's and its "
            f"linearization's test outputs ({linear['test_points']} test digits), {linear['activation']} nets, "
            f"otherwise as ntk.relchange; widths {min(linear['widths'])}..{max(linear['widths'])}; "
            f"{linear['seeds']} seeds (the jackknife's interval over seeds); {excluded}; the bound is Lee et "
            "al.'s O(n^-1/2), no source gives the rate",
            expected=EXPECTED["gap_slope"].value,
            measured=mean_loglog_slope_estimate(stable_gaps, "rms_gap"),
            lo=None,
            hi=-0.35,
            figure="fig_linear",
            kind="evidence",
        ),
    ]


def _interval(estimate: Estimate) -> str:
    return "" if estimate.ci is None else f"[{estimate.ci[0]:.3f}, {estimate.ci[1]:.3f}]"


def write(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """figures/ntk/claims.json (and, for the default profile, the README's claims block)."""
    publish(outputs["claims"], "ntk", config["profile"], evaluate(config, inputs), README)
