"""The mean-field claims, judged from the results tables. Ids and bounds are those registered in issues 5 and 14;
never loosen."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replications.core.claims import Claim, publish
from replications.core.provenance import read_table
from replications.meanfield import measures
from replications.meanfield.paper import EXPECTED, SHORT
from replications.ntk.paper import WITHDRAWN_KERNEL_SLOPE

README = Path(__file__).with_name("README.md")


def evaluate(config: Mapping[str, Any], inputs: Mapping[str, Path]) -> list[Claim]:
    """Every mean-field claim with its measurement from the tables in `inputs`."""
    mmn, cb, rv, contrast = (config[k] for k in ("mmn_radial", "cb_particles", "rv_scaling", "contrast"))
    ss = config["ss_fluctuations"]
    deviations = read_table(inputs["ss_deviations"])
    t_star = float(deviations["time"].max())
    ss_setting = (
        f"t* = {t_star:g} (the finite-d limit's risk has covered half its fall over [0, {ss['horizon']:g}]); "
        f"one-pass SGD with step alpha/N, alpha = {ss['alpha']:g}, Mei et al.'s isotropic Gaussians, "
        f"d = {ss['dimension']}, N = {min(ss['units'])}..{max(ss['units'])}, {ss['seeds']} seeds per N; risks on a "
        f"common test set of {ss['test_points']} inputs (BCa bootstrap over seeds)"
    )
    losses = read_table(inputs["rv_losses"])
    rv_setting = (
        f"at t = {rv['eta'] * rv['steps']:g} against n = {min(rv['units'])}..{max(rv['units'])}, mean-field "
        f"scaling, ReLU units, spherical 3-spin target on S^{rv['dimension'] - 1}, one-pass SGD on fresh batches "
        f"of {rv['batch']} (no width interpolates); {rv['seeds']} seeds (the jackknife's interval over seeds)"
    )
    radii, risk = read_table(inputs["mmn_radii"]), read_table(inputs["mmn_risk"])
    slopes = measures.contrast_slopes(read_table(inputs["contrast_changes"]))
    many = max(cb["particles"])
    setting = f"d = {mmn['dimension']}, N = {mmn['units']}, Delta = {mmn['delta']}, {mmn['seeds']} SGD runs"
    widths = (
        f"N = {min(contrast['widths'])}..{max(contrast['widths'])}, {contrast['seeds']} seeds (the jackknife's "
        "interval over seeds)"
    )
    return [
        Claim(
            "meanfield.mmn.w1",
            SHORT["mmn"],
            "W1 between SGD's law of ||w|| and the radial PDE's at the final time, over the W1 between the PDE's "
            f"initial and final laws; {setting}",
            EXPECTED["mmn_w1"].value,
            measures.mmn_w1(radii),
            None,
            0.2,
            "fig_mmn_radial",
            kind="evidence",
        ),
        Claim(
            "meanfield.mmn.risk",
            SHORT["mmn"],
            f"max over recorded times of |risk_SGD - risk_PDE| / risk at t = 0; {setting}",
            EXPECTED["mmn_risk"].value,
            measures.mmn_risk(risk),
            None,
            0.1,
            "fig_mmn_radial",
            kind="evidence",
        ),
        Claim(
            "meanfield.ss.fluct_slope",
            SHORT["ss"],
            f"log-log slope against N of the std over seeds of R_N(t*) - R_inf(t*); {ss_setting}",
            EXPECTED["ss_slope"].value,
            measures.ss_fluctuation_slope(deviations),
            -0.65,
            -0.35,
            "fig_ss_fluctuations",
            kind="evidence",
        ),
        Claim(
            "meanfield.ss.clt_ratio",
            SHORT["ss"],
            f"sqrt(N) std of R_N(t*) - R_inf(t*) at the largest N over that at the smallest N; {ss_setting}",
            EXPECTED["ss_ratio"].value,
            measures.ss_clt_ratio(deviations),
            0.8,
            1.25,
            "fig_ss_fluctuations",
            kind="evidence",
        ),
        Claim(
            "meanfield.cb.global_min",
            SHORT["cb"],
            f"fraction of {cb['seeds']} seeds in which the flow with {many} particles "
            f"({many // cb['teacher_neurons']}x the teacher's {cb['teacher_neurons']} neurons) ends "
            f"(t = {cb['eta'] * cb['steps']:g}) with training "
            "loss below 1e-3 of its initial value",
            EXPECTED["cb_global_min"].value,
            measures.global_min_fraction(read_table(inputs["cb_losses"])),
            0.9,
            None,
            "fig_cb_particles",
            kind="evidence",
        ),
        Claim(
            "meanfield.lazy.test_loss_ratio",
            SHORT["cob"],
            "dimension-100 panel: mean test loss at the largest tau over that at the smallest tau, end of training; "
            f"{config['lazy']['trials']} trials (the jackknife's interval over trials)",
            EXPECTED["lazy_ratio"].value,
            measures.lazy_ratio(read_table(inputs["lazy_test_loss"])),
            2.0,
            None,
            "fig_lazy",
            kind="evidence",
        ),
        Claim(
            "meanfield.rv.loss_slope",
            SHORT["rv"],
            f"log-log slope of the training loss (mean batch loss over the last {rv['window']} steps) {rv_setting}",
            EXPECTED["rv_slope"].value,
            measures.loss_slope(losses),
            None,
            -0.8,
            "fig_rv_scaling",
            kind="evidence",
        ),
        Claim(
            "meanfield.rv.loss_slope_band",
            SHORT["rv"],
            f"log-log slope of the test loss ({rv['test_points']} held-out points) {rv_setting}",
            EXPECTED["rv_slope"].value,
            measures.loss_slope(losses, "test_loss"),
            -1.25,
            -0.8,
            "fig_rv_scaling",
            kind="evidence",
        ),
        Claim(
            "meanfield.contrast.ntk_slope",
            SHORT["contrast"],
            f"log-log slope of the mean per-unit movement against N, NTK scaling; {widths}",
            EXPECTED["ntk_slope"].value,
            slopes["ntk"],
            -0.6,
            -0.4,
            "fig_contrast",
            kind="evidence",
        ),
        Claim(
            "meanfield.contrast.mf_slope",
            SHORT["contrast"],
            f"log-log slope of the mean per-unit movement against N, mean-field scaling; {widths}",
            EXPECTED["mf_slope"].value,
            slopes["mf"],
            -0.1,
            0.1,
            "fig_contrast",
            kind="evidence",
        ),
        Claim(
            "meanfield.contrast.kernel_slope_mf",
            SHORT["contrast"],
            f"log-log slope of the relative change of the empirical tangent kernel against N, mean-field scaling; "
            f"{widths}",
            EXPECTED["kernel_slope_mf"].value,
            slopes["kernel_mf"],
            -0.1,
            0.1,
            "fig_contrast",
            kind="evidence",
        ),
        Claim(
            "meanfield.contrast.kernel_bound_ntk",
            SHORT["contrast"],
            f"log-log slope of the relative change of the empirical tangent kernel against N, NTK scaling (at least "
            f"as fast as Lee et al.'s N^-1/2 bound); {widths}",
            EXPECTED["kernel_bound_ntk"].value,
            slopes["kernel_ntk"],
            None,
            -0.5,
            "fig_contrast",
            kind="evidence",
        ),
        Claim(
            "meanfield.contrast.kernel_slope_ntk",
            SHORT["contrast"],
            f"log-log slope of the relative change of the empirical NTK against N, NTK scaling; {widths}",
            EXPECTED["kernel_slope_ntk"].value,
            slopes["kernel_ntk"],
            -0.65,
            -0.35,
            "fig_contrast",
            kind="evidence",
            withdrawn=WITHDRAWN_KERNEL_SLOPE,
        ),
    ]


def write(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """figures/meanfield/claims.json (and, for the default profile, the README's claims block)."""
    publish(outputs["claims"], "meanfield", config["profile"], evaluate(config, inputs), README)
