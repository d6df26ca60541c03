"""The NTK group's compute tasks: wide nets trained by gradient descent, their tangent kernels and linearizations,
against the infinite-width theory -> tidy tables in results/ntk/.

Every task takes its section of the `ntk` config (with `seed` and `profile`) and a mapping of output names to paths.
Time is gradient-flow time t = learning rate x steps (`replications.core.training`).
"""

from __future__ import annotations

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
from replications.ntk.nets_and_data import Net, critical_learning_rate, make_net, mnist_digits, mnist_regression

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
    analytic 2nd principal component), with f_t - f* split into g_t f^(2) and h_t orthogonal to it."""
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
    steps, every = config["steps"], config["record_every"]
    rows = []
    for width in config["train_widths"]:
        net = make_net(input_dim=x_NxD.shape[1], width=width, depth=config["depth"], bias_var=config["beta"] ** 2)

        def trial(key: jax.Array, net: Net = net) -> tuple[jax.Array, jax.Array]:
            params = net.init(key)
            target = net.apply(params, x_f) + 0.5 * f2[:, None]
            run = train_full_batch(
                net.apply,
                params,
                x_f,
                target,
                optax.sgd(config["learning_rate"]),
                steps=steps,
                record_every=every,
                x_eval_MxD=x_f,
            )
            residual_RxN = run.f_eval_RxMxK[:, :, 0] - target[:, 0]
            g_R = jnp.mean(residual_RxN * f2, axis=1)  # <f_t - f*, f^(2)>_{p_in}
            h_R = jnp.sqrt(jnp.mean((residual_RxN - g_R[:, None] * f2) ** 2, axis=1))
            return g_R, h_R

        g_TxR, h_TxR = jax.jit(lambda k, f=trial: jax.lax.map(f, k))(
            jax.random.split(_keys(config["seed"], width, 2)[1], config["trials"])
        )
        times = config["learning_rate"] * np.arange(0, steps + 1, every)
        rows += [
            {"width": width, "trial": trial_index, "time": t, "g": g, "h": h}
            for trial_index, (g_R, h_R) in enumerate(zip(np.asarray(g_TxR), np.asarray(h_TxR), strict=True))
            for t, g, h in zip(times, g_R, h_R, strict=True)
        ]
    write_results(outputs["pca_training"], rows, config)


def _parameter_norms(params: nets.Params, params0: nets.Params) -> dict[str, jax.Array]:
    """||theta - theta_0|| and ||theta_0|| over all parameters, and the relative change of each layer's W."""
    delta = jax.tree.map(jnp.subtract, params, params0)
    norm = lambda tree: jnp.sqrt(sum(jnp.sum(leaf**2) for leaf in jax.tree.leaves(tree)))  # noqa: E731
    per_layer = {
        f"weight_change_layer{layer}": jnp.linalg.norm(d["W"]) / jnp.linalg.norm(p["W"])
        for layer, (d, p) in enumerate(zip(delta, params0, strict=True))
    }
    return {"weight_change": norm(delta) / norm(params0), **per_layer}


def relchange(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Lee et al. 2019: relative change of the parameters and of the empirical NTK (output 0, on the training set)
    after `steps` steps of full-batch GD at `lr_fraction` of each net's own eta_critical, against width, in the NTK
    and the standard parametrization, on an MNIST regression subset."""
    data = mnist_regression(config["train_points"], 10, config["seed"])
    x, y = jnp.asarray(data.x_train_NxD), jnp.asarray(data.y_train_NxK)
    rows, activation = [], config["activation"]
    for width in config["widths"]:
        sizes = nets.mlp_sizes(x.shape[1], width, config["depth"], y.shape[1])
        # one compiled program per width serves both parametrizations: the scales are traced arguments
        kernel = jax.jit(lambda p, scales: nets.mlp_ntk(p, x, scales=scales, activation=activation))

        @jax.jit
        def train(params: nets.Params, scales: tuple[nets.LayerScale, ...], learning_rate: jax.Array):
            apply = lambda p, x_BxD: nets.apply_mlp(p, x_BxD, scales, activation=activation)  # noqa: E731
            run = train_full_batch(
                apply, params, x, y, optax.sgd(learning_rate), steps=config["steps"], record_every=config["steps"]
            )
            return run.params, run.loss_R, run.diverged

        for parametrization in config["parametrizations"]:
            scales = nets.layer_scales(
                sizes, parametrization=parametrization, weight_var=config["weight_var"], bias_var=config["bias_var"]
            )
            scales = jax.tree.map(jnp.float32, scales)
            for seed_index, key in enumerate(_keys(config["seed"], width, config["seeds"])):
                params0 = nets.init_mlp(key, sizes, scales)
                theta0 = kernel(params0, scales)
                learning_rate = config["lr_fraction"] * critical_learning_rate(np.asarray(theta0))
                params, loss_R, diverged = train(params0, scales, jnp.float32(learning_rate))
                thetaT = kernel(params, scales)
                rows.append(
                    {"parametrization": parametrization, "width": width, "seed": seed_index}
                    | {"learning_rate": learning_rate, "loss_start": float(loss_R[0]), "loss_end": float(loss_R[-1])}
                    | {"diverged": bool(diverged)}
                    | {k: float(v) for k, v in _parameter_norms(params, params0).items()}
                    | {"kernel_change": float(jnp.linalg.norm(thetaT - theta0) / jnp.linalg.norm(theta0))}
                )
    write_results(outputs["relchange"], rows, config)


def _loss(f_RxNxK: np.ndarray, y_NxK: np.ndarray) -> np.ndarray:
    """The objective (1/2N) sum_i ||f_i - y_i||^2 at each recorded time."""
    return 0.5 * np.sum((f_RxNxK - y_NxK) ** 2, axis=(1, 2)) / len(y_NxK)


def linear(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Lee et al. 2019: a net, its linearization f_lin (trained alike) and the infinite-width closed form started
    from the net's own f_0, by full-batch GD on an MNIST regression subset at `lr_fraction` of the analytic
    eta_critical; loss curves and test outputs over time at the widest width, and the net-linearization gap at the
    end of training against width."""
    data = mnist_regression(config["train_points"], config["test_points"], config["seed"])
    x, y, x_test = (jnp.asarray(a) for a in (data.x_train_NxD, data.y_train_NxK, data.x_test_MxD))
    hyper = {k: config[k] for k in ("depth", "activation", "weight_var", "bias_var")}
    k_train = fc_kernel(data.x_train_NxD.astype(np.float64), **hyper)
    k_test = fc_kernel(data.x_test_MxD.astype(np.float64), data.x_train_NxD.astype(np.float64), **hyper)
    learning_rate = config["lr_fraction"] * critical_learning_rate(np.asarray(k_train.ntk))
    steps, every = config["steps"], config["record_every"]
    times = learning_rate * np.arange(0, steps + 1, every)
    optimizer = optax.sgd(learning_rate)
    widest = max(config["widths"])
    curves, point_rows, gaps = [], [], []
    for width in config["widths"]:
        net = make_net(input_dim=x.shape[1], width=width, output_dim=y.shape[1], **hyper)

        record = every if width == widest else steps  # the curves are drawn at the widest width only

        @jax.jit
        def run_pair(key: jax.Array, net: Net = net, record: int = record):
            params0 = net.init(key)
            kw = {"steps": steps, "record_every": record, "x_eval_MxD": x_test}
            full = train_full_batch(net.apply, params0, x, y, optimizer, **kw)
            lin = train_full_batch(nets.linearize(net.apply, params0), params0, x, y, optimizer, **kw)
            return full, lin, net.apply(params0, x), net.apply(params0, x_test)

        for seed_index, key in enumerate(_keys(config["seed"], width, config["seeds"])):
            full, lin, f0_train, f0_test = run_pair(key)
            f_net, f_lin = np.asarray(full.f_eval_RxMxK), np.asarray(lin.f_eval_RxMxK)
            gaps.append(
                {"width": width, "seed": seed_index, "diverged": bool(full.diverged | lin.diverged)}
                | {"rms_gap": float(np.sqrt(np.mean((f_net[-1] - f_lin[-1]) ** 2)))}
                | {"rms_output": float(np.sqrt(np.mean(f_net[-1] ** 2)))}
            )
            if width != widest or seed_index:
                continue
            f0_train, f0_test = np.asarray(f0_train, np.float64), np.asarray(f0_test, np.float64)
            residual = np.asarray(data.y_train_NxK, np.float64) - f0_train
            inf_train = f0_train + gradient_flow_prediction(k_train.ntk, k_train.ntk, residual, times).mean
            inf_test = f0_test + gradient_flow_prediction(k_train.ntk, k_test.ntk, residual, times).mean
            models = {
                "network": (np.asarray(full.loss_R), f_net),
                "linearized": (np.asarray(lin.loss_R), f_lin),
                "infinite width": (_loss(inf_train, data.y_train_NxK), inf_test),
            }
            for model, (train_loss_R, f_test_RxMxK) in models.items():
                test_loss_R = _loss(f_test_RxMxK, data.y_test_MxK)
                curves += [
                    {"width": width, "model": model, "time": t, "train_loss": float(a), "test_loss": float(b)}
                    for t, a, b in zip(times, train_loss_R, test_loss_R, strict=True)
                ]
                point_rows += [
                    {"width": width, "model": model, "time": t, "point": m, "label": int(data.labels_test_M[m])}
                    | {"output": float(f_test_RxMxK[r, m, data.labels_test_M[m]])}
                    for m in range(config["output_points"])
                    for r, t in enumerate(times)
                ]
    write_results(outputs["linear_curves"], curves, config)
    write_results(outputs["linear_outputs"], point_rows, config)
    write_results(outputs["linear_gaps"], gaps, config)
