"""The numbers the mean-field claims and figures are judged by, computed from the results tables.

Each claim measure returns an `Estimate` (value, 95 % interval, seeds or draws): statistics of the means over seeds
or trials (a log-log slope of mean losses, a ratio of mean losses, the largest gap of a mean risk curve) carry the
jackknife's interval over them, proportions of seeds Wilson's interval, pooled particles a BCa bootstrap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from replications.core.claims import Estimate
from replications.core.stats import bootstrap_interval, jackknife_estimate, mean_loglog_slope_estimate, wilson_interval
from replications.meanfield.lazy import test_loss_ratio
from replications.meanfield.mmn import final_radii, radius_w1_ratio, risk_gap
from replications.meanfield.ss import clt_ratio, deviations_at, std_slope


def loss_slope(losses: pd.DataFrame, column: str = "train_loss") -> Estimate:
    """Rotskoff & Vanden-Eijnden: log-log slope of the long-time loss against the number of units."""
    return mean_loglog_slope_estimate(losses, column, by="units")


def global_min_fraction(losses: pd.DataFrame, threshold: float = 1e-3) -> Estimate:
    """Chizat & Bach: fraction of seeds in which the largest particle count ends with a training loss below
    `threshold` times its initial loss (Wilson interval over seeds)."""
    rows = losses[losses["particles"] == losses["particles"].max()]
    first = rows[rows["time"] == rows["time"].min()].set_index("seed")["loss"]
    last = rows[rows["time"] == rows["time"].max()].set_index("seed")["loss"]
    reached = int(((last / first) < threshold).sum())
    return Estimate(reached / len(first), wilson_interval(reached, len(first)), len(first))


def contrast_slopes(changes: pd.DataFrame) -> dict[str, Estimate]:
    """Slopes against N of the per-unit movement and of the relative change of the tangent kernel, under each
    scaling."""
    ntk, mf = changes[changes["scaling"] == "ntk"], changes[changes["scaling"] == "mean field"]
    return {
        "ntk": mean_loglog_slope_estimate(ntk, "unit_movement", by="width"),
        "mf": mean_loglog_slope_estimate(mf, "unit_movement", by="width"),
        "kernel_ntk": mean_loglog_slope_estimate(ntk, "kernel_change", by="width"),
        "kernel_mf": mean_loglog_slope_estimate(mf, "kernel_change", by="width"),
    }


def ss_fluctuation_slope(deviations: pd.DataFrame) -> Estimate:
    """Sirignano & Spiliopoulos: `ss.std_slope` of R_N(t*) - R_inf(t*) against N, with the BCa bootstrap over the
    seeds (each N's seeds resampled independently: different N share no seed)."""
    risk = deviations_at(deviations, "risk")
    units, samples = list(risk), list(risk.values())
    return Estimate(
        std_slope(units, *samples), bootstrap_interval(lambda *s: std_slope(units, *s), samples), len(samples[0])
    )


def ss_clt_ratio(deviations: pd.DataFrame) -> Estimate:
    """`ss.clt_ratio` of R_N(t*) - R_inf(t*), with the BCa bootstrap over the seeds at the two N."""
    risk = deviations_at(deviations, "risk")
    units = list(risk)
    samples = [risk[min(units)], risk[max(units)]]
    return Estimate(
        clt_ratio(units, *samples), bootstrap_interval(lambda *s: clt_ratio(units, *s), samples), len(samples[0])
    )


def lazy_ratio(test_losses: pd.DataFrame) -> Estimate:
    """`lazy.test_loss_ratio` (a ratio of means over trials; one teacher, data set and initialization a trial,
    trained from every tau), with the jackknife's interval over the trials (`stats.jackknife_estimate`)."""
    return jackknife_estimate(test_losses, test_loss_ratio, group="trial", lowest=0.0)


def mmn_w1(radii: pd.DataFrame) -> Estimate:
    """`mmn.w1_ratio` with the BCa bootstrap over the pooled SGD units at the final time (the PDE's particles held
    fixed: they discretize the deterministic limit)."""
    sgd_end_U, pde_start_M, pde_end_M = final_radii(radii)

    def ratio(sgd_U: np.ndarray) -> float:
        return radius_w1_ratio(sgd_U, pde_start_M, pde_end_M)

    return Estimate(ratio(sgd_end_U), bootstrap_interval(ratio, [sgd_end_U]), len(sgd_end_U))


def mmn_risk(risk: pd.DataFrame) -> Estimate:
    """`mmn.risk_gap` (the largest gap of the mean SGD risk curve to the PDE's), with the jackknife's interval over
    the SGD runs (`stats.jackknife_estimate`; the PDE's curve, deterministic, kept in every leave-one-out)."""
    pde, sgd = risk[risk["source"] != "sgd"], risk[risk["source"] == "sgd"]
    return jackknife_estimate(sgd, lambda runs: risk_gap(pd.concat([pde, runs])), lowest=0.0)
