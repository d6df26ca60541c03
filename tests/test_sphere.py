"""Equal-norm kernels read off an angle grid equal the direct `fc_kernel` computation."""

import numpy as np
import pytest

from replications.core.kernels import fc_kernel
from replications.core.sphere import angle_interpolation, angular_kernels, input_angles, kernel_from_angles

RNG = np.random.default_rng(0)


def _unit_variance_inputs(n: int, d: int) -> np.ndarray:
    x = RNG.normal(size=(n, d))
    return x / np.sqrt(np.sum(x * x, axis=1, keepdims=True) / d)


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_angular_kernels_match_fc_kernel(activation):
    x = _unit_variance_inputs(40, 30)
    kernels = angular_kernels(activation, [0.8, 2.5], [0.0, 0.3], [1, 4, 9])
    at = angle_interpolation(input_angles(x), len(kernels.theta_A))
    for s, (weight_var, bias_var) in enumerate([(0.8, 0.0), (2.5, 0.3)]):
        for li, depth in enumerate(kernels.depths):
            direct = fc_kernel(x, depth=depth, activation=activation, weight_var=weight_var, bias_var=bias_var)
            for approx, exact in ((kernels.nngp_SxLxA, direct.nngp), (kernels.ntk_SxLxA, direct.ntk)):
                read = kernel_from_angles(at, approx[s, li])
                assert np.max(np.abs(read - exact)) / np.max(np.abs(exact)) < 1e-6
            np.testing.assert_allclose(kernels.var_SxL[s, li], direct.var1, rtol=1e-12)


def test_cross_kernel_and_unsorted_depths():
    x1, x2 = _unit_variance_inputs(7, 12), _unit_variance_inputs(5, 12)
    kernels = angular_kernels("relu", [1.7], [0.1], [3, 1])
    assert kernels.depths == (1, 3)
    direct = fc_kernel(x1, x2, depth=3, activation="relu", weight_var=1.7, bias_var=0.1).nngp
    read = kernel_from_angles(angle_interpolation(input_angles(x1, x2), len(kernels.theta_A)), kernels.nngp_SxLxA[0, 1])
    np.testing.assert_allclose(read, direct, rtol=1e-6)


def test_inputs_must_be_standardized():
    with pytest.raises(ValueError, match=r"x\.x/d = 1"):
        input_angles(RNG.normal(size=(4, 3)) * 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"depths": [0]}, "depths"), ({"method": "magic"}, "unknown method"), ({"weight_var_S": [-1.0]}, "non-negative")],
)
def test_bad_arguments(kwargs, message):
    arguments = {"activation": "relu", "weight_var_S": [1.0], "bias_var_S": [0.1], "depths": [1]} | kwargs
    with pytest.raises(ValueError, match=message):
        angular_kernels(**arguments)
