"""Neal 1994, Priors for Infinite Networks: a wide one-hidden-layer net with random weights is a Gaussian process."""
