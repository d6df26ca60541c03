"""The NTK claims, judged from the results tables. Ids and bounds are those registered in issue 4; never loosen.

Every claim normalizes by the theory for the widths the profile used, so the same bounds hold at any scale. A
statement carries the bootstrap standard error of its measurement where sampling over initializations sets it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replications.core.claims import Claim, write_claims
from replications.core.provenance import read_table
from replications.core.stats import mean_loglog_slope
from replications.ntk import measures
from replications.ntk.paper import EXPECTED, JACOT_SHORT, LEE_SHORT


def _se(text: str, standard_error: float) -> str:
    return f"{text} (bootstrap standard error {standard_error:.3f})"


def evaluate(config: Mapping[str, Any], inputs: Mapping[str, Path]) -> list[Claim]:
    """Every NTK claim with its measurement from the tables in `inputs`."""
    kernels, kernel_limit = read_table(inputs["kernels"]), read_table(inputs["kernel_limit"])
    functions, function_limit = read_table(inputs["functions"]), read_table(inputs["function_limit"])
    circle, fn = config["kernel_circle"], config["function_circle"]
    narrow, wide = min(circle["widths"]), max(circle["widths"])
    std_ratio, std_se = measures.std_ratio(kernels)
    move_ratio, move_se = measures.move_ratio(kernels)
    limit_err, limit_se = measures.limit_error(kernels, kernel_limit)
    fn_errors = measures.function_errors(functions, function_limit)
    slopes = measures.relchange_slopes(read_table(inputs["relchange"]))
    gap_slope = mean_loglog_slope(read_table(inputs["linear_gaps"]), "rms_gap")
    setting = f"depth {circle['depth']} ReLU, beta {circle['beta']:g}, widths {narrow} and {wide}"
    draws = f"{circle['kernel_draws']} initializations per width"
    return [
        Claim(
            "ntk.fig1.std_ratio",
            JACOT_SHORT,
            _se(
                f"std over initializations of Theta_0(x0, x) along the circle (mean over gamma), width {wide} over "
                f"width {narrow}, divided by sqrt({narrow}/{wide}); {setting}; {draws}",
                std_se,
            ),
            EXPECTED["fig1_std_ratio"].value,
            std_ratio,
            0.7,
            1.4,
            "fig1_kernel",
        ),
        Claim(
            "ntk.fig1.move_ratio",
            JACOT_SHORT,
            _se(
                f"mean relative change ||Theta_T - Theta_0|| / ||Theta_0|| along the circle after {circle['steps']} "
                f"GD steps at lr {circle['learning_rate']:g}, width {wide} over width {narrow}, divided by "
                f"sqrt({narrow}/{wide}); {circle['initializations']} trained nets per width",
                move_se,
            ),
            EXPECTED["fig1_move_ratio"].value,
            move_ratio,
            None,
            1.6,
            "fig1_kernel",
        ),
        Claim(
            "ntk.fig1.limit_err",
            JACOT_SHORT,
            _se(
                f"relative L2 error along the circle of the mean Theta_0 at width {wide} against the analytic limit; "
                f"{draws}",
                limit_se,
            ),
            EXPECTED["fig1_limit_err"].value,
            limit_err,
            None,
            0.05,
            "fig1_kernel",
        ),
        Claim(
            "ntk.fig2.mean_err",
            JACOT_SHORT,
            _se(
                f"width {max(fn['widths'])}: mean over gamma of |mean over initializations of f_T - predicted mean| "
                f"/ mean over gamma of the predicted std; {fn['initializations']} initializations, "
                f"{fn['steps']} steps at lr {fn['learning_rate']:g}",
                fn_errors["mean_err"][1],
            ),
            EXPECTED["fig2_mean_err"].value,
            fn_errors["mean_err"][0],
            None,
            0.3,
            "fig2_function",
        ),
        Claim(
            "ntk.fig2.std_ratio",
            JACOT_SHORT,
            _se(
                f"width {max(fn['widths'])}: mean over gamma of the std over initializations of f_T / mean over "
                f"gamma of the predicted std; {fn['initializations']} initializations",
                fn_errors["std_ratio"][1],
            ),
            EXPECTED["fig2_std_ratio"].value,
            fn_errors["std_ratio"][0],
            0.8,
            1.25,
            "fig2_function",
        ),
        Claim(
            "ntk.fig3.lambda_ratio",
            JACOT_SHORT,
            f"lambda_1 / lambda_2 of the analytic NTK (depth {config['pca']['depth']}, beta "
            f"{config['pca']['beta']:g}) of {config['pca']['digits']} MNIST digits; paper 0.0457 / 0.00108",
            EXPECTED["fig3_lambda_ratio"].value,
            measures.lambda_ratio(read_table(inputs["pca_eigenvalues"])),
            21.0,
            85.0,
            "fig3_pca",
        ),
        Claim(
            "ntk.relchange.weight_slope",
            LEE_SHORT,
            "log-log slope of ||theta_T - theta_0|| / ||theta_0|| against width, NTK parametrization, widths "
            f"{min(config['relchange']['widths'])}..{max(config['relchange']['widths'])}",
            EXPECTED["weight_slope"].value,
            slopes["weight"],
            -0.6,
            -0.4,
            "fig_relchange",
        ),
        Claim(
            "ntk.relchange.kernel_slope",
            LEE_SHORT,
            "log-log slope of ||Theta_T - Theta_0||_F / ||Theta_0||_F against width, NTK parametrization",
            EXPECTED["kernel_slope"].value,
            slopes["kernel"],
            -0.65,
            -0.35,
            "fig_relchange",
        ),
        Claim(
            "ntk.linear.gap_slope",
            LEE_SHORT,
            "log-log slope against width of the RMS difference between the trained net's and its linearization's "
            f"test outputs, widths {min(config['linear']['widths'])}..{max(config['linear']['widths'])}",
            EXPECTED["gap_slope"].value,
            gap_slope,
            None,
            -0.35,
            "fig_linear",
        ),
    ]


def write(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """figures/ntk/claims.json."""
    write_claims(outputs["claims"], "ntk", config["profile"], evaluate(config, inputs))
