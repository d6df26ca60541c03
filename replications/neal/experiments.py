"""Neal's compute tasks: draw from the prior, write tidy tables and arrays under results/neal/.

Each task takes its section of the config (with the group's `seed` and the `profile` merged in) and a mapping of
output names to paths. It never draws a figure and never judges a claim.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from replications.core.kernels import activation_moments
from replications.core.provenance import provenance, write_arrays
from replications.core.results import write_results
from replications.neal import fractional as fractional_prior
from replications.neal import two_hidden_layers
from replications.neal.measures import largest_unit_share
from replications.neal.prior import (
    ACTIVATIONS,
    Prior,
    excess_kurtosis_exact,
    hidden_moments,
    sample_at_point,
    sample_functions,
    symmetric_stable,
)

# Each task draws from its own stream: fold_in(key(seed), TASK_STREAM[task]).
TASK_STREAM = {
    "samples_1d": 1,
    "samples_2d": 2,
    "convergence": 3,
    "covariance": 4,
    "roughness": 5,
    "stable_samples": 6,
    "fractional": 7,
    "two_layer": 8,
    "dominance": 9,
}
_SHARE_ELEMENTS = 2**22  # draws x units held at once by the dominance task
KURTOSIS_BATCHES = 32


def _key(config: Mapping[str, Any], task: str) -> jax.Array:
    return jax.random.fold_in(jax.random.key(config["seed"]), TASK_STREAM[task])


def _prior(config: Mapping[str, Any], **overrides: Any) -> Prior:
    scales = {k: config[k] for k in ("input_weight_sd", "hidden_bias_sd", "output_bias_sd", "output_weight_scale")}
    return Prior(**{**scales, **overrides}).check()


def samples_1d(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Functions of one input on [x_min, x_max] and on the zoomed centre, for every (prior, activation, H).

    Every panel uses the same key, so panels with the same H share their hidden units (as Neal's figures shared
    a seed); arrays are named `f_<output_prior>_<activation>_<H>` with shape (functions, grid points).
    """
    key = _key(config, "samples_1d")
    x_min, x_max = config["x_range"]
    half = config["zoom_halfwidth"]
    x_G = np.linspace(x_min, x_max, config["grid_points"])
    zoom_G = np.linspace(-half, half, config["grid_points"])
    arrays = {"x": x_G, "x_zoom": zoom_G}
    for output_prior in config["output_priors"]:
        for activation in config["activations"]:
            for width in config["hidden_units"]:
                prior = _prior(config, hidden_units=width, activation=activation, output_prior=output_prior)
                both = sample_functions(key, prior, np.concatenate([x_G, zoom_G])[:, None], config["functions"])
                name = f"{output_prior}_{activation}_{width}"
                arrays[f"f_{name}"], arrays[f"zoom_{name}"] = np.split(both, 2, axis=1)
    write_arrays(outputs["samples_1d"], arrays, provenance(config, config["seed"]))


def samples_2d(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """One function of two inputs on a square grid for each (output prior, activation); arrays (G, G)."""
    key = _key(config, "samples_2d")
    grid_G = np.linspace(-config["extent"], config["extent"], config["grid_points"])
    x1, x2 = np.meshgrid(grid_G, grid_G, indexing="xy")
    x_PxD = np.stack([x1.ravel(), x2.ravel()], axis=1)
    arrays = {"grid": grid_G}
    for output_prior in config["output_priors"]:
        for activation in config["activations"]:
            prior = _prior(
                config, hidden_units=config["hidden_units"], activation=activation, output_prior=output_prior
            )
            f_P = sample_functions(key, prior, x_PxD, 1)[0]
            arrays[f"f_{output_prior}_{activation}"] = f_P.reshape(x1.shape)
    write_arrays(outputs["samples_2d"], arrays, provenance(config, config["seed"]))


def _excess_kurtosis_rows(f_BxM: np.ndarray) -> np.ndarray:
    """Sample excess kurtosis m4 / m2^2 - 3 of each row (central moments, float64 accumulation)."""
    f_BxM = f_BxM.astype(np.float64)
    centred = f_BxM - f_BxM.mean(axis=1, keepdims=True)
    return np.mean(centred**4, axis=1) / np.mean(centred**2, axis=1) ** 2 - 3.0


def excess_kurtosis(f_N: np.ndarray) -> tuple[float, float]:
    """Sample excess kurtosis of all draws, and its standard error from batch means.

    The standard error is the spread of the kurtosis over KURTOSIS_BATCHES equal batches divided by
    sqrt(batches): it does not assume Gaussian data (for which it would be ~ sqrt(24 / draws)).
    """
    per_batch = _excess_kurtosis_rows(
        f_N[: len(f_N) // KURTOSIS_BATCHES * KURTOSIS_BATCHES].reshape(KURTOSIS_BATCHES, -1)
    )
    return float(_excess_kurtosis_rows(f_N[None, :])[0]), float(per_batch.std(ddof=1) / np.sqrt(KURTOSIS_BATCHES))


def kurtosis_draws(predicted: float, min_draws: int, standard_error_fraction: float) -> int:
    """Draws needed so that the kurtosis's Gaussian-theory standard error sqrt(24 / draws) is at most
    `standard_error_fraction` of the predicted excess kurtosis; at least `min_draws`, rounded up to whole batches.
    """
    needed = 24.0 / (standard_error_fraction * predicted) ** 2
    return int(math.ceil(max(min_draws, needed) / KURTOSIS_BATCHES) * KURTOSIS_BATCHES)


def convergence(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """The law of f(x0) as H grows: excess kurtosis against H, and draws at H = wide_hidden_units.

    Writes `kurtosis` (tidy: hidden_units, draws, excess_kurtosis, standard_error, predicted) and `samples`
    (arrays `gaussian_<H>` of draws of f(x0) for the density panel; `cauchy_wide` and `cauchy_wide_nobias` at the
    wide width with the Cauchy prior, with sigma_b from the config and with sigma_b = 0; and the hidden-unit
    moments at x0 that define the limit laws).
    """
    key = _key(config, "convergence")
    x0_sq_norm = float(config["x0"]) ** 2
    rows, arrays = [], {}
    for index, width in enumerate(config["hidden_units"]):
        prior = _prior(config, hidden_units=width, activation=config["activation"])
        predicted = excess_kurtosis_exact(prior, x0_sq_norm)
        draws = kurtosis_draws(predicted, config["min_draws"], config["standard_error_fraction"])
        f_N = sample_at_point(jax.random.fold_in(key, index), prior, x0_sq_norm, draws)
        kurtosis, standard_error = excess_kurtosis(f_N)
        rows.append(
            {
                "hidden_units": width,
                "draws": draws,
                "excess_kurtosis": kurtosis,
                "standard_error": standard_error,
                "predicted": predicted,
            }
        )
        arrays[f"gaussian_{width}"] = f_N[: config["stored_draws"]]
    wide = config["wide_hidden_units"]
    for name, bias_sd, stream in (
        ("gaussian_wide", config["output_bias_sd"], 101),
        ("cauchy_wide", config["cauchy_output_bias_sd"], 102),
        ("cauchy_wide_nobias", 0.0, 103),
    ):
        prior = _prior(
            config,
            hidden_units=wide,
            activation=config["activation"],
            output_prior="gaussian" if name.startswith("gaussian") else "cauchy",
            output_bias_sd=bias_sd,
        )
        arrays[name] = sample_at_point(jax.random.fold_in(key, stream), prior, x0_sq_norm, config["wide_draws"])
    moments = hidden_moments(_prior(config, hidden_units=1, activation=config["activation"]), x0_sq_norm)
    arrays.update({f"hidden_{k}": np.array(v) for k, v in moments.items()})
    write_results(outputs["kurtosis"], rows, config)
    write_arrays(outputs["convergence"], arrays, provenance(config, config["seed"]))


def limit_covariance(x_PxD: np.ndarray, prior: Prior) -> np.ndarray:
    """The infinite-width covariance sigma_b^2 + omega_v^2 E[h(z) h(z')] of Neal's prior (erf: Williams' arcsine).

    (z, z') = (a + u.x, a + u.x') is Gaussian with covariance sigma_a^2 + sigma_u^2 x.x'. For Gaussian v this is
    also the exact covariance at every finite H, since H sigma_v^2 = omega_v^2.
    """
    z_cov_PxP = prior.hidden_bias_sd**2 + prior.input_weight_sd**2 * (x_PxD @ x_PxD.T)
    z_var_P = np.diag(z_cov_PxP)
    hh_PxP, _ = activation_moments(prior.activation, z_var_P, z_cov_PxP, z_var_P)
    return prior.output_bias_sd**2 + prior.output_weight_scale**2 * np.asarray(hh_PxP)


def covariance(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Empirical covariance of f over draws at inputs on a circle, beside the analytic limit kernel.

    Inputs x_p = r (cos theta_p, sin theta_p), theta_p evenly spaced on [0, 2 pi). Writes a tidy table with one row
    per pair (i, j): the angle between x_i and x_j, the empirical and the analytic covariance.
    """
    theta_P = np.linspace(0.0, 2 * np.pi, config["inputs"], endpoint=False)
    x_PxD = config["input_radius"] * np.stack([np.cos(theta_P), np.sin(theta_P)], axis=1)
    prior = _prior(config, hidden_units=config["hidden_units"], activation=config["activation"])
    f_NxP = sample_functions(_key(config, "covariance"), prior, x_PxD, config["draws"]).astype(np.float64)
    empirical_PxP = np.cov(f_NxP, rowvar=False)
    analytic_PxP = limit_covariance(x_PxD, prior)
    i, j = np.meshgrid(np.arange(len(theta_P)), np.arange(len(theta_P)), indexing="ij")
    angle = np.abs(np.angle(np.exp(1j * (theta_P[i] - theta_P[j]))))
    table = pd.DataFrame(
        {
            "i": i.ravel(),
            "j": j.ravel(),
            "angle": angle.ravel(),
            "empirical": empirical_PxP.ravel(),
            "analytic": analytic_PxP.ravel(),
        }
    )
    write_results(outputs["covariance"], table, config)


def roughness(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Mean squared increment E[(f(x + delta) - f(x))^2] against delta, for each activation.

    delta runs over `deltas` log-spaced values from `delta_min` to `delta_max` times the units' length scale
    1 / sigma_u. Writes a tidy table: activation, delta, mean_sq_increment, standard_error.
    """
    length_scale = 1.0 / config["input_weight_sd"]
    delta_K = length_scale * np.logspace(np.log10(config["delta_min"]), np.log10(config["delta_max"]), config["deltas"])
    rows = []
    for index, activation in enumerate(config["activations"]):
        prior = _prior(config, hidden_units=config["hidden_units"], activation=activation)
        key = jax.random.fold_in(_key(config, "roughness"), index)
        points = config["x"] + delta_K[:, None]
        increments_NxK = sample_functions(key, prior, points, config["draws"], reference_D=np.array([config["x"]]))
        squared_NxK = increments_NxK.astype(np.float64) ** 2
        for k, delta in enumerate(delta_K):
            rows.append(
                {
                    "activation": activation,
                    "delta": delta,
                    "length_scale": length_scale,
                    "mean_sq_increment": squared_NxK[:, k].mean(),
                    "standard_error": squared_NxK[:, k].std(ddof=1) / np.sqrt(len(squared_NxK)),
                }
            )
    write_results(outputs["roughness"], rows, config)


def stable_samples(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Functions of one input with symmetric alpha-stable output weights (sigma_v = omega_v H^(-1/alpha)), for every
    (activation, alpha); arrays `f_<activation>_<alpha>` of shape (functions, grid points). One key for all panels,
    so the panels share their hidden units and differ only in the output weights' law."""
    key = _key(config, "stable_samples")
    x_G = np.linspace(*config["x_range"], config["grid_points"])
    arrays = {"x": x_G}
    for activation in config["activations"]:
        for index in config["stable_indices"]:
            prior = _prior(
                config,
                hidden_units=config["hidden_units"],
                activation=activation,
                output_prior="stable",
                stable_index=index,
            )
            arrays[f"f_{activation}_{index:g}"] = sample_functions(key, prior, x_G[:, None], config["functions"])
    write_arrays(outputs["stable_samples"], arrays, provenance(config, config["seed"]))


def fractional(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Fractional Brownian priors (replications/neal/fractional.py), for each set roughness exponent eta:
    functions on [x_min, x_max] (arrays `f_<eta>`, (functions, grid points)), and the mean squared increment
    E[(f(x + delta) - f(x))^2] at `deltas` log-spaced delta in [delta_min, delta_max] / input_weight_scale (tidy
    table: roughness_exponent, delta, length_scale, mean_sq_increment, standard_error)."""
    key = _key(config, "fractional")
    settings = {
        k: config[k]
        for k in ("hidden_units", "input_weight_scale", "location_sd", "output_weight_scale", "output_bias_sd")
    }
    x_G = np.linspace(*config["x_range"], config["grid_points"])
    length_scale = 1.0 / config["input_weight_scale"]
    delta_K = length_scale * np.logspace(np.log10(config["delta_min"]), np.log10(config["delta_max"]), config["deltas"])
    arrays, rows = {"x": x_G}, []
    for index, exponent in enumerate(config["roughness_exponents"]):
        arrays[f"f_{exponent:g}"] = fractional_prior.sample_functions(
            key, x_G, config["functions"], roughness_exponent=exponent, **settings
        )
        increments_NxK = fractional_prior.sample_functions(
            jax.random.fold_in(key, 1000 + index),
            config["x"] + delta_K,
            config["draws"],
            roughness_exponent=exponent,
            reference=config["x"],
            **settings,
        )
        squared_NxK = increments_NxK.astype(np.float64) ** 2
        rows += [
            {
                "roughness_exponent": exponent,
                "delta": delta,
                "length_scale": length_scale,
                "mean_sq_increment": squared_NxK[:, k].mean(),
                "standard_error": squared_NxK[:, k].std(ddof=1) / np.sqrt(len(squared_NxK)),
            }
            for k, delta in enumerate(delta_K)
        ]
    write_arrays(outputs["fractional"], arrays, provenance(config, config["seed"]))
    write_results(outputs["fractional_roughness"], rows, config)


def two_layer(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Functions of one input from nets with two hidden layers, for every (hidden-to-hidden, hidden-to-output) pair
    of weight priors: arrays `f_<hidden prior>_<output prior>` of shape (functions, grid points)."""
    key = _key(config, "two_layer")
    x_G = np.linspace(*config["x_range"], config["grid_points"])
    scales = (
        "input_weight_sd",
        "hidden_bias_sd",
        "second_bias_sd",
        "hidden_weight_scale",
        "output_bias_sd",
        "output_weight_scale",
    )
    arrays = {"x": x_G}
    for hidden_prior in config["hidden_priors"]:
        for output_prior in config["output_priors"]:
            prior = two_hidden_layers.TwoLayerPrior(
                config["first_units"],
                config["second_units"],
                hidden_prior,
                output_prior,
                **{k: config[k] for k in scales},
            )
            arrays[f"f_{hidden_prior}_{output_prior}"] = two_hidden_layers.sample_functions(
                key, prior, x_G, config["functions"]
            )
    write_arrays(outputs["two_layer"], arrays, provenance(config, config["seed"]))


@partial(jax.jit, static_argnames=("activation", "hidden_units", "chunk"))
def _largest_shares(key: jax.Array, index: jax.Array, z_sd: jax.Array, activation: str, hidden_units: int, chunk: int):
    key_z, key_v = jax.random.split(key)
    h_CxH = ACTIVATIONS[activation](z_sd * jax.random.normal(key_z, (chunk, hidden_units)))
    return largest_unit_share(symmetric_stable(key_v, index, (chunk, hidden_units)) * h_CxH)


def dominance(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """The share of the largest unit in f(x0) - b, max_j |v_j h_j| / sum_j |v_j h_j|, for each output-weight index
    alpha and width H: one row per draw (stable_index, hidden_units, draw, share).

    The scale sigma_v = omega_v H^(-1/alpha) cancels in the share, so v_j are standard symmetric alpha-stable
    (alpha = 2: Gaussian, alpha = 1: Cauchy); h_j = h(z_j) with z_j ~ N(0, sigma_a^2 + sigma_u^2 x0^2).
    """
    key = _key(config, "dominance")
    z_sd = jnp.float32(math.sqrt(config["hidden_bias_sd"] ** 2 + config["input_weight_sd"] ** 2 * config["x0"] ** 2))
    frames = []
    for i, index in enumerate(config["stable_indices"]):
        for j, width in enumerate(config["hidden_units"]):
            chunk = max(1, min(config["draws"], _SHARE_ELEMENTS // width))
            stream = jax.random.fold_in(jax.random.fold_in(key, i), j)
            shares = np.concatenate(
                [
                    np.asarray(
                        _largest_shares(
                            jax.random.fold_in(stream, c), jnp.float32(index), z_sd, config["activation"], width, chunk
                        )
                    )
                    for c in range(math.ceil(config["draws"] / chunk))
                ]
            )[: config["draws"]]
            frames.append(
                pd.DataFrame(
                    {"stable_index": index, "hidden_units": width, "draw": np.arange(len(shares)), "share": shares}
                )
            )
    write_results(outputs["dominance"], pd.concat(frames, ignore_index=True), config)
