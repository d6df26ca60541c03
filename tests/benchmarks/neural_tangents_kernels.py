"""neural-tangents' side of `bench_neural_tangents.py`: runs in `.venv-nt` (envs/neural-tangents.lock), never in
the project's environment, and imports nothing of the project.

    python neural_tangents_kernels.py INPUTS.npy OUT.npz --depth 10 --weight-var 1.6 --bias-var 0.1 relu erf

The net is the one of `replications.core.kernels.fc_kernel` (NTK parametrization, `depth` hidden layers, a linear
readout): stax.serial(Dense, [phi, Dense] x depth) with W_std = sqrt(weight_var), b_std = sqrt(bias_var), phi
stax.Relu() or stax.Erf() (erf(x)). Its `kernel_fn` is jitted as neural-tangents' documentation recommends and
called on the whole N x N matrix in float64 (jax_enable_x64), once to compile, then `--repeats` times: OUT holds,
per activation, the NNGP and NTK matrices, the fastest call's wall and CPU seconds, and the first call's.
"""

from __future__ import annotations

import argparse
import time

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)

import neural_tangents as nt  # noqa: E402  (after x64 is on)
from neural_tangents import stax  # noqa: E402

ACTIVATIONS = {"relu": stax.Relu, "erf": stax.Erf}


def kernel_fn(activation: str, depth: int, weight_var: float, bias_var: float):
    w_std, b_std = weight_var**0.5, bias_var**0.5
    layers = [stax.Dense(1, W_std=w_std, b_std=b_std, parameterization="ntk")]
    for _ in range(depth):
        layers += [ACTIVATIONS[activation](), stax.Dense(1, W_std=w_std, b_std=b_std, parameterization="ntk")]
    return jax.jit(stax.serial(*layers)[2], static_argnames="get")


def timed(function, repeats: int) -> tuple[object, float, float, float]:
    """(result, first call's wall seconds, fastest later call's wall and CPU seconds)."""
    start = time.perf_counter()
    result = jax.block_until_ready(function())
    first = time.perf_counter() - start
    runs = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = jax.block_until_ready(function())
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return result, first, *min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", help="x_NxD, float64 .npy")
    parser.add_argument("out", help=".npz written here")
    parser.add_argument("activations", nargs="+", choices=sorted(ACTIVATIONS))
    parser.add_argument("--depth", type=int, required=True)
    parser.add_argument("--weight-var", type=float, required=True)
    parser.add_argument("--bias-var", type=float, required=True)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    x_NxD = jax.numpy.asarray(np.load(args.inputs), jax.numpy.float64)
    out = {"versions": np.array([f"neural-tangents {nt.__version__}", f"jax {jax.__version__}"])}
    for activation in args.activations:
        f = kernel_fn(activation, args.depth, args.weight_var, args.bias_var)
        kernel, first, wall, cpu = timed(lambda f=f: f(x_NxD, None, ("nngp", "ntk")), args.repeats)
        out |= {
            f"{activation}_nngp": np.asarray(kernel.nngp),
            f"{activation}_ntk": np.asarray(kernel.ntk),
            f"{activation}_seconds": np.array([wall, cpu, first]),
        }
    np.savez(args.out, **out)


if __name__ == "__main__":
    main()
