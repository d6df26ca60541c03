"""Mean-field limits of two-layer nets: units move Θ(1) and learn features, unlike lazy (kernel) training."""
