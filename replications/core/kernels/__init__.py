"""Infinite-width kernels of fully connected networks: the NNGP kernel K and the neural tangent kernel Theta.

Network (NTK parametrization, every parameter omega ~ N(0, 1)): `depth` hidden layers of width n -> infinity, then a
linear readout,

    h^1 = sigma_w W^0 x / sqrt(d) + sigma_b b^0,    h^{l+1} = sigma_w W^l phi(h^l) / sqrt(n) + sigma_b b^l,
    f(x) = h^{depth+1}(x),    weight_var = sigma_w^2,  bias_var = sigma_b^2.

Kernels (Lee et al. 2018 Eq. 4-6; Jacot et al. 2018 Thm 1). Inputs are used as given:

    K^0(x, x') = bias_var + weight_var x.x' / d,    Theta^0 = K^0,
    K^{l+1}     = bias_var + weight_var E[phi(u) phi(v)],
    Theta^{l+1} = K^{l+1} + weight_var E[phi'(u) phi'(v)] Theta^l,
    (u, v) ~ N(0, [[K^l(x, x), K^l(x, x')], [K^l(x, x'), K^l(x', x')]]),

and `fc_kernel` returns (K^depth, Theta^depth), the kernels of the readout f. As in neural-tangents, every layer is a
pure function `Kernel -> Kernel` (`dense`, `nonlinearity`, `lattice_nonlinearity`), and a network is their
composition (`serial`, `repeat`, `fully_connected`). A `Kernel` carries, beside the pair kernels of its N x M tile,
the variances K(x, x) of its own rows and columns, so a tile is computed without the rest of the matrix.

The single-layer expectations `activation_moments` (pairs) and `activation_second_moment` (one input) are
closed forms for relu, erf and step, and for every other activation (tanh, sigmoid, softplus, gelu) a quadrature
that stays accurate at any variance (`moments`).

`method="lattice"` is the lookup-table method of Lee et al. 2018 (Sec. 2.5 and their code, commit 00d64d2), see
`lattice_table` and `lattice_nonlinearity`.

Cost: `fc_kernel` computes the N x M matrix in tiles (one compiled program per tile shape, the tiles shared out
among the CPU cores; for x2 = None only the upper triangle) and loops over the layers (one compilation for every
depth); a relu or erf NNGP + NTK of 3000 x 3000 inputs through 10 layers takes under a second on 2 cores
(tests/benchmarks/bench_kernels.py).

Precision: every public function computes in float64 inside a `jax.enable_x64(True)` context and returns float64
numpy arrays. The context is scoped to these calls, so the rest of a program (nets trained in float32) is left as it
is. The layer rules themselves (`dense`, `nonlinearity`, ...) compute in the precision of their inputs.

Modules: `moments` (the activations' closed forms and quadrature), `layers` (the layer rules and their
composition), `lattice` (the lookup-table method), `tiled` (`fc_kernel`). Import from the package:
`from replications.core.kernels import fc_kernel`.
"""

from replications.core.activations import ACTIVATIONS
from replications.core.kernels.lattice import (
    PAPER_GRID,
    LatticeGrid,
    LatticeTable,
    lattice_nonlinearity,
    lattice_table,
)
from replications.core.kernels.layers import (
    Kernel,
    Layer,
    dense,
    fully_connected,
    input_kernel,
    nonlinearity,
    repeat,
    serial,
)
from replications.core.kernels.moments import PairMoments, activation_moments, activation_second_moment
from replications.core.kernels.tiled import BLOCK_SIZE, METHODS, QUADRATURE_BLOCK_SIZE, fc_kernel
from replications.core.provenance import CACHE_ENV, DEFAULT_CACHE

__all__ = [
    "ACTIVATIONS",
    "BLOCK_SIZE",
    "CACHE_ENV",
    "DEFAULT_CACHE",
    "METHODS",
    "PAPER_GRID",
    "QUADRATURE_BLOCK_SIZE",
    "Kernel",
    "LatticeGrid",
    "LatticeTable",
    "Layer",
    "PairMoments",
    "activation_moments",
    "activation_second_moment",
    "dense",
    "fc_kernel",
    "fully_connected",
    "input_kernel",
    "lattice_nonlinearity",
    "lattice_table",
    "nonlinearity",
    "repeat",
    "serial",
]
