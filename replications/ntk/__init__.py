"""Jacot et al. 2018 and Lee et al. 2019: wide nets train as kernel gradient descent with a fixed tangent kernel."""
