"""Reference replications of infinite-width deep-learning theory (Neal, NNGP, NTK, mean field, muP)."""
