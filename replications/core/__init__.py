"""Paper-agnostic library: data, kernels, GP, nets, training, claims, plotting, provenance."""
