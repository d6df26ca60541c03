"""The NTK group's compute tasks: wide nets trained by gradient descent, their tangent kernels and linearizations,
against the infinite-width theory -> tidy tables in results/ntk/.

Every task takes its section of the `ntk` config (with `seed` and `profile`) and a mapping of output names to paths.
Time is gradient-flow time t = learning rate x steps (`replications.core.training`).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from replications.core import nets
from replications.core.data import gaussian_inputs, unit_circle
from replications.core.delayed_gd import train_mlp_gd
from replications.core.kernels import fc_kernel
from replications.core.results import write_results
from replications.core.training import gradient_flow_prediction, train_full_batch
from replications.ntk import one_hidden_layer
from replications.ntk.nets_and_data import Net, critical_learning_rate, make_net, mnist_digits, two_class_subset

X0 = np.array([1.0, 0.0])  # Jacot et al.'s fixed point x0 = (1, 0)


def _keys(seed: int, width: int, count: int) -> jax.Array:
    """`count` independent keys for the nets of one width (a different stream per width)."""
    return jax.random.split(jax.random.fold_in(jax.random.PRNGKey(seed), width), count)


def _circle_net(config: Mapping[str, Any], width: int) -> Net:
    return make_net(input_dim=2, width=width, depth=config["depth"], bias_var=config["beta"] ** 2)


def _analytic(config: Mapping[str, Any], x1: np.ndarray, x2: np.ndarray | None = None):
    return fc_kernel(x1, x2, depth=config["depth"], activation="relu", weight_var=1.0, bias_var=config["beta"] ** 2)


def _gd(net: Net, params: nets.Params, x: jax.Array, y: jax.Array, config: Mapping[str, Any]):
    """`steps` steps of full-batch gradient descent at `learning_rate`, in the low-rank form that is 2x faster on
    few training points (`delayed_gd`; equal to `train_full_batch` with `optax.sgd` up to rounding)."""
    return train_mlp_gd(
        params,
        x,
        y,
        net.scales,
        activation=net.activation,
        learning_rate=config["learning_rate"],
        steps=config["steps"],
    )


def kernel_circle(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Jacot et al. Fig 1: Theta(x0, x) along the unit circle, x = (cos gamma, sin gamma), for nets of each width.

    `initializations` nets per width are trained (`steps` steps of full-batch GD at `learning_rate` on
    f*(x) = x1 x2 at `train_points` N(0, 1) inputs) and their kernels recorded at t = 0 and at the end;
    `kernel_draws` initializations in all (the trained ones first) give the statistics at t = 0. Each row of the
    circle is one vjp at x0 and one jvp per angle (`nets.ntk_row`), never a Jacobian.
    """
    x_circle, gamma = unit_circle(config["angles"])
    x_train = gaussian_inputs(config["train_points"], 2, config["seed"])
    y_train = (x_train[:, 0] * x_train[:, 1])[:, None]
    x0, x_circle_f = jnp.asarray(X0, jnp.float32), jnp.asarray(x_circle, jnp.float32)
    x_train_f, y_train_f = jnp.asarray(x_train, jnp.float32), jnp.asarray(y_train, jnp.float32)
    rows = []
    for width in config["widths"]:
        net = _circle_net(config, width)

        def row(params: nets.Params, net: Net = net) -> jax.Array:
            return nets.ntk_row(net.apply, params, x0, x_circle_f, batch_size=len(x_circle_f))

        def trained(key: jax.Array, net: Net = net, row=row):
            params = net.init(key)
            run = _gd(net, params, x_train_f, y_train_f, config)
            return row(params), row(run.params), run.loss_R[-1]

        keys = _keys(config["seed"], width, config["kernel_draws"])
        n_trained = config["initializations"]
        theta0_IxA, thetaT_IxA, loss_I = jax.jit(lambda k, f=trained: jax.lax.map(f, k))(keys[:n_trained])
        draws_JxA = jax.jit(lambda k, net=net, row=row: jax.lax.map(lambda key: row(net.init(key)), k))(
            keys[n_trained:]
        )
        time_end = config["learning_rate"] * config["steps"]
        for init, (theta0, thetaT, loss) in enumerate(zip(theta0_IxA, thetaT_IxA, loss_I, strict=True)):
            rows += [
                {"width": width, "init": init, "trained": True, "time": t, "train_loss": loss_t, "gamma": g, "ntk": v}
                for t, loss_t, theta in ((0.0, np.nan, theta0), (time_end, float(loss), thetaT))
                for g, v in zip(gamma, np.asarray(theta), strict=True)
            ]
        for j, theta in enumerate(np.asarray(draws_JxA)):
            rows += [
                {"width": width, "init": n_trained + j, "trained": False, "time": 0.0, "train_loss": np.nan}
                | {"gamma": g, "ntk": v}
                for g, v in zip(gamma, theta, strict=True)
            ]
    write_results(outputs["kernels"], rows, config)
    limit = _analytic(config, X0[None], x_circle)
    write_results(
        outputs["kernel_limit"],
        {"gamma": gamma, "ntk": np.asarray(limit.ntk[0]), "nngp": np.asarray(limit.nngp[0])},
        config,
    )


def function_circle(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Jacot et al. Fig 2: nets trained on `train_points` points of the unit circle (random angles, targets
    f*(x) = x1 x2) for `steps` steps at `learning_rate`; their functions along the circle, `initializations` nets
    per width, against the Gaussian that the infinite-width gradient flow predicts at the same time t."""
    x_circle, gamma = unit_circle(config["angles"])
    angles = np.sort(np.random.default_rng(config["seed"]).uniform(-np.pi, np.pi, config["train_points"]))
    x_train = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    y_train = (x_train[:, 0] * x_train[:, 1])[:, None]
    x_train_f, y_train_f = jnp.asarray(x_train, jnp.float32), jnp.asarray(y_train, jnp.float32)
    x_circle_f = jnp.asarray(x_circle, jnp.float32)
    rows = []
    for width in config["widths"]:
        net = _circle_net(config, width)

        def trained(key: jax.Array, net: Net = net) -> tuple[jax.Array, jax.Array, jax.Array]:
            run = _gd(net, net.init(key), x_train_f, y_train_f, config)
            return net.apply(run.params, x_circle_f)[:, 0], run.loss_R[-1], run.diverged

        f_IxA, loss_I, diverged_I = jax.jit(lambda k, f=trained: jax.lax.map(f, k))(
            _keys(config["seed"], width, config["initializations"])
        )
        for init, (f_A, loss, diverged) in enumerate(zip(np.asarray(f_IxA), loss_I, diverged_I, strict=True)):
            rows += [
                {"width": width, "init": init, "train_loss": float(loss), "diverged": bool(diverged), "gamma": g}
                | {"f": v}
                for g, v in zip(gamma, f_A, strict=True)
            ]
    write_results(outputs["functions"], rows, config)

    train, cross = _analytic(config, x_train), _analytic(config, x_circle, x_train)
    prediction = gradient_flow_prediction(
        train.ntk,
        cross.ntk,
        y_train,
        config["learning_rate"] * config["steps"],
        nngp_train_NxN=train.nngp,
        nngp_test_MxN=cross.nngp,
        nngp_test_M=cross.var1,
    )
    std = np.sqrt(np.maximum(prediction.variance, 0.0))
    write_results(outputs["function_limit"], {"gamma": gamma, "mean": prediction.mean[:, 0], "std": std}, config)
    write_results(outputs["function_points"], {"gamma": angles, "target": y_train[:, 0]}, config)


def _principal_components(theta_NxN: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-centred kernel PCA with respect to the empirical distribution p_in of the N inputs: the eigenpairs of
    the operator (T f)(x) = (1/N) sum_j Theta(x, x_j) f(x_j), i.e. of Theta / N; the functions f^(k) on the inputs are
    scaled to ||f^(k)||_{p_in} = 1 and signed so that their largest entry is positive. Returns (lambda_K, f_KxN)."""
    n = len(theta_NxN)
    eigenvalues, vectors = np.linalg.eigh(np.asarray(theta_NxN, np.float64) / n)
    lambda_K, v_NxK = eigenvalues[::-1][:count], vectors[:, ::-1][:, :count]
    sign_K = np.sign(v_NxK[np.argmax(np.abs(v_NxK), axis=0), np.arange(count)])
    return lambda_K, (v_NxK * sign_K * np.sqrt(n)).T


def pca(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Jacot et al. Fig 3: kernel PCA of `digits` MNIST digits (analytic NTK, and the empirical NTK of one net of
    each `empirical_widths`); then nets of each of `train_widths` trained towards f* = f_0 + 0.5 f^(2) (f^(2): the
    analytic 2nd principal component), with f_t - f* split into g_t f^(2) and h_t orthogonal to it; beside each net,
    g_t of its linearization (the same descent with Theta_hat_0 frozen), and how far its kernel moved: the relative
    change of Theta_hat and the Rayleigh quotient <f2, Theta_hat f2> / N^2 at the start and the end (lambda_2 at
    infinite width, where the kernel does not move)."""
    x_NxD, labels = mnist_digits(config["digits"], config["seed"])
    analytic = fc_kernel(
        x_NxD, depth=config["depth"], activation="relu", weight_var=1.0, bias_var=config["beta"] ** 2
    ).ntk
    kernels = {"analytic": np.asarray(analytic)}
    x_f = jnp.asarray(x_NxD, jnp.float32)
    for width in config["empirical_widths"]:
        net = make_net(input_dim=x_NxD.shape[1], width=width, depth=config["depth"], bias_var=config["beta"] ** 2)
        params = net.init(_keys(config["seed"], width, 1)[0])
        kernels[f"width {width}"] = np.asarray(nets.mlp_ntk(params, x_f, scales=net.scales, activation="relu"))
    eigen_rows, component_rows = [], []
    for name, theta in kernels.items():
        lambda_K, f_KxN = _principal_components(theta, config["components"])
        eigen_rows += [{"kernel": name, "rank": k + 1, "eigenvalue": lam} for k, lam in enumerate(lambda_K)]
        component_rows += [
            {"kernel": name, "digit": i, "label": int(labels[i])} | {f"pc{k + 1}": f_KxN[k, i] for k in range(3)}
            for i in range(len(labels))
        ]
    write_results(outputs["pca_eigenvalues"], eigen_rows, config)
    write_results(outputs["pca_components"], component_rows, config)

    f2_N = _principal_components(kernels["analytic"], 2)[1][1]
    f2 = jnp.asarray(f2_N, jnp.float32)
    steps, every, rate = config["steps"], config["record_every"], config["learning_rate"]
    record_steps = np.arange(0, steps + 1, every)
    rows, kernel_rows = [], []
    for width in config["train_widths"]:
        net = make_net(input_dim=x_NxD.shape[1], width=width, depth=config["depth"], bias_var=config["beta"] ** 2)

        def trial(key: jax.Array, net: Net = net):
            params = net.init(key)
            target = net.apply(params, x_f) + 0.5 * f2[:, None]
            run = train_full_batch(
                net.apply, params, x_f, target, optax.sgd(rate), steps=steps, record_every=every, x_eval_MxD=x_f
            )
            theta = lambda p: nets.mlp_ntk(p, x_f, scales=net.scales, activation="relu")  # noqa: E731
            return run.f_eval_RxMxK[:, :, 0] - target[:, 0], theta(params), theta(run.params)

        residual_TxRxN, theta0_TxNxN, thetaT_TxNxN = jax.jit(lambda k, f=trial: jax.lax.map(f, k))(
            jax.random.split(_keys(config["seed"], width, 2)[1], config["trials"])
        )
        for trial_index, (residual_RxN, theta0, thetaT) in enumerate(
            zip(*(np.asarray(a, np.float64) for a in (residual_TxRxN, theta0_TxNxN, thetaT_TxNxN)), strict=True)
        ):
            g_R, h_R = _split_along(residual_RxN, f2_N)
            # the same gradient descent on the net's linearization (its kernel frozen at Theta_hat_0), from -0.5 f2
            linear_RxN = _frozen_kernel_residuals(theta0, -0.5 * f2_N, rate, record_steps)
            g_lin_R, _ = _split_along(linear_RxN, f2_N)
            rows += [
                {"width": width, "trial": trial_index, "time": rate * s, "g": g, "h": h, "g_linearized": g_lin}
                for s, g, h, g_lin in zip(record_steps, g_R, h_R, g_lin_R, strict=True)
            ]
            n = len(f2_N)
            kernel_rows.append(
                {"width": width, "trial": trial_index}
                | {"kernel_change": float(np.linalg.norm(thetaT - theta0) / np.linalg.norm(theta0))}
                | {
                    "rayleigh_start": float(f2_N @ theta0 @ f2_N / n**2),
                    "rayleigh_end": float(f2_N @ thetaT @ f2_N / n**2),
                }
            )
    write_results(outputs["pca_training"], rows, config)
    write_results(outputs["pca_kernel_motion"], kernel_rows, config)


def _split_along(residual_RxN: np.ndarray, f_N: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """g = <r, f>_{p_in} (f of unit p_in norm) and h = ||r - g f||_{p_in}, at each recorded time."""
    g_R = residual_RxN @ f_N / len(f_N)
    return g_R, np.sqrt(np.mean((residual_RxN - g_R[:, None] * f_N) ** 2, axis=1))


def _frozen_kernel_residuals(theta_NxN: np.ndarray, r0_N: np.ndarray, rate: float, steps_R: np.ndarray) -> np.ndarray:
    """Residuals r_s = (I - eta Theta / N)^s r_0 of gradient descent with a frozen kernel, at each of `steps_R`."""
    lam, U = np.linalg.eigh(theta_NxN / len(r0_N))
    return ((1.0 - rate * lam)[None, :] ** steps_R[:, None] * (U.T @ r0_N)) @ U.T


def _lee_data(config: Mapping[str, Any], test: int):
    return two_class_subset(config["dataset"], config["classes"], config["train_points"], test, config["seed"])


def _lee_net(config: Mapping[str, Any], data, width: int, parametrization: str, activation: str) -> dict[str, Any]:
    """The keyword arguments of `one_hidden_layer.train_to_convergence` for one net on `data`."""
    scales = one_hidden_layer.layer_scales(
        data.x_train_NxD.shape[1],
        width,
        parametrization=parametrization,
        weight_var=config["weight_var"],
        bias_var=config["bias_var"],
    )
    return {"width": width, "activation": activation, "scales": scales}


def _learning_rates(config, keys, data, parametrization: str, net: Mapping[str, Any]) -> np.ndarray:
    """Per seed: Lee et al.'s fixed rate in the NTK parametrization; in the standard one, whose tangent kernel grows
    with width, `standard_lr_fraction` of each net's own eta_critical (from its Theta_hat_0)."""
    if parametrization == "ntk":
        return np.full(len(keys), config["learning_rate"], np.float32)
    ntk0 = jax.vmap(lambda key: one_hidden_layer.initial_ntk(key, data.x_train_NxD, **net))(keys)
    return np.array([config["standard_lr_fraction"] * critical_learning_rate(t) for t in np.asarray(ntk0)], np.float32)


def _converged(config, keys, data, parametrization: str, net: Mapping[str, Any]) -> one_hidden_layer.Run:
    """The nets of `keys` trained to convergence (`one_hidden_layer.train_to_convergence`), vmapped over seeds."""
    rates = _learning_rates(config, keys, data, parametrization, net)
    train = functools.partial(
        one_hidden_layer.train_to_convergence,
        x_NxD=data.x_train_NxD,
        y_N=data.y_train_N,
        x_test_MxD=data.x_test_MxD,
        tolerance=config["tolerance"],
        max_steps=config["max_steps"],
        **net,
    )
    run = jax.vmap(lambda key, rate: train(key, learning_rate=rate))(keys, jnp.asarray(rates))
    return run._replace(steps=np.asarray(run.steps)), rates


CHANGES = ("weight_change", "first_layer_change", "ntk_change", "nngp_change")  # relative changes, Run's fields


def relchange(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Lee et al. 2019's relative-change figure: one-hidden-layer nets of each width, activation and
    parametrization trained by full-batch gradient descent on a two-class subset until the loss is at most
    `tolerance` of its initial value (or `max_steps`); relative changes of all parameters, of the first weight matrix,
    of the empirical NTK and of the empirical NNGP kernel (`one_hidden_layer`)."""
    data = _lee_data(config, 2)
    rows = []
    for activation, parametrization, width in itertools.product(
        config["activations"], config["parametrizations"], config["widths"]
    ):
        keys = _keys(config["seed"], width, config["seeds"])
        net = _lee_net(config, data, width, parametrization, activation)
        run, rates = _converged(config, keys, data, parametrization, net)
        scalars = ("steps", "loss_start", "loss_end", "diverged", *CHANGES)
        for seed_index, values in enumerate(zip(*(np.asarray(getattr(run, f)).tolist() for f in scalars), strict=True)):
            rows.append(
                {"activation": activation, "parametrization": parametrization, "width": width, "seed": seed_index}
                | {"learning_rate": float(rates[seed_index])}
                | dict(zip(scalars, values, strict=True))
            )
    write_results(outputs["relchange"], rows, config)


def _loss(f_RxN: np.ndarray, y_N: np.ndarray) -> np.ndarray:
    """The objective (1/2N) sum_i (f_i - y_i)^2 at each recorded time."""
    return 0.5 * np.mean((f_RxN - y_N) ** 2, axis=1)


def linear(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Lee et al. 2019: a net against its linearization f_lin (trained alike) and the infinite-width net, all by
    full-batch gradient descent from the net's own f_0 on the two-class subset, NTK parametrization at Lee et al.'s
    rate. The linearization and the infinite-width net are closed forms in Theta_hat_0 and the analytic NTK
    (`one_hidden_layer.linear_model_outputs`). Every net trains to convergence; the gap between the net's and the
    linearization's test outputs at that step, against width (a narrow net's linearization may diverge at a rate
    the net itself survives, its kernel moving: flagged, `linearization_diverged`); loss curves and test outputs over
    time at the widest width (first seed, `records` times up to its convergence)."""
    data = _lee_data(config, config["test_points"])
    y, y_test, rate = data.y_train_N.astype(np.float64), data.y_test_M.astype(np.float64), config["learning_rate"]
    hyper = {"depth": 1, "activation": config["activation"]} | {k: config[k] for k in ("weight_var", "bias_var")}
    x64, x_test64 = data.x_train_NxD.astype(np.float64), data.x_test_MxD.astype(np.float64)
    theta_inf, theta_inf_test = fc_kernel(x64, **hyper).ntk, fc_kernel(x_test64, x64, **hyper).ntk
    # the first test points of each class, alternating (+1, -1, +1, ...)
    by_class = [np.flatnonzero(y_test > 0), np.flatnonzero(y_test < 0)]
    drawn_points = [int(by_class[i % 2][i // 2]) for i in range(config["output_points"])]
    curves, point_rows, gaps = [], [], []
    for width in config["widths"]:
        keys = _keys(config["seed"], width, config["seeds"])
        net = _lee_net(config, data, width, "ntk", config["activation"])
        run, _ = _converged(config, keys, data, "ntk", net)
        arrays = {field: np.asarray(value, np.float64) for field, value in run._asdict().items()}
        for seed_index in range(config["seeds"]):
            take = lambda field, i=seed_index, arrays=arrays: arrays[field][i]  # noqa: E731
            steps, f0, f0_test = int(run.steps[seed_index]), take("f_start_N"), take("f_test_start_M")
            empirical = (take("ntk0_NxN"), take("ntk0_test_MxN"))
            lin_test = one_hidden_layer.linear_model_outputs(*empirical, f0, f0_test, y, rate, [steps])[1][-1]
            # gradient descent on the linear model diverges iff eta lambda_max(Theta_hat_0 / N) > 2
            lin_diverged = rate * np.linalg.eigvalsh(empirical[0])[-1] / len(y) > 2
            gaps.append(
                {"width": width, "seed": seed_index, "steps": steps, "diverged": bool(run.diverged[seed_index])}
                | {"linearization_diverged": bool(lin_diverged)}
                | {"rms_gap": float(np.sqrt(np.mean((take("f_test_end_M") - lin_test) ** 2)))}
                | {"rms_output": float(np.sqrt(np.mean(take("f_test_end_M") ** 2)))}
            )
        if width != max(config["widths"]):
            continue
        every = -(-int(run.steps[0]) // config["records"])
        steps_R = np.arange(0, every * config["records"] + 1, every)
        net_loss_R, net_test_RxM = one_hidden_layer.trajectory(
            keys[0], data.x_train_NxD, data.y_train_N, data.x_test_MxD, learning_rate=rate, steps=int(steps_R[-1]),
            record_every=every, **net,
        )  # fmt: skip
        f0, f0_test = arrays["f_start_N"][0], arrays["f_test_start_M"][0]
        empirical = (arrays["ntk0_NxN"][0], arrays["ntk0_test_MxN"][0])
        lin_train, lin_test = one_hidden_layer.linear_model_outputs(*empirical, f0, f0_test, y, rate, steps_R)
        inf_train, inf_test = one_hidden_layer.linear_model_outputs(
            theta_inf, theta_inf_test, f0, f0_test, y, rate, steps_R
        )
        models = {
            "network": (np.asarray(net_loss_R, np.float64), np.asarray(net_test_RxM, np.float64)),
            "linearized": (_loss(lin_train, y), lin_test),
            "infinite width": (_loss(inf_train, y), inf_test),
        }
        for model, (train_loss_R, f_test_RxM) in models.items():
            curves += [
                {"width": width, "model": model, "step": int(s), "time": rate * s}
                | {"train_loss": float(a), "test_loss": float(b)}
                for s, a, b in zip(steps_R, train_loss_R, _loss(f_test_RxM, y_test), strict=True)
            ]
            point_rows += [
                {"width": width, "model": model, "time": rate * s, "point": m, "target": float(y_test[m])}
                | {"output": float(f_test_RxM[r, m])}
                for m in drawn_points
                for r, s in enumerate(steps_R)
            ]
    write_results(outputs["linear_curves"], curves, config)
    write_results(outputs["linear_outputs"], point_rows, config)
    write_results(outputs["linear_gaps"], gaps, config)
