"""Paper-agnostic library: data, kernels, GP, nets, training, claims, plotting, provenance.

Names carry their array's shape as a suffix of axis letters (nanodo's convention): `x_NxD` is N points of D
features, `K_NxM` a kernel between N and M points, `loss_R` a vector of R recorded values. The letters:

    N, M   points: N the training (or first) set, M the test (or second) set; in a two-layer net N is its units
    D      input features (the input dimension)
    K      outputs (regression targets, one-hot classes); in the lattice, the sums built at once
    C      classes (GP targets and means); in the lattice, correlations; in a kernel tile, its columns
    B      a batch of inputs; in a kernel tile, its rows; in a GP solve, a block of test points
    H      hidden units of a layer (W_DxH maps D inputs to H units); with W, image height and width (NxHxW)
    T      times along a training run;  R  recorded steps (or, in the lattice, orbit representatives)
    E      evaluations during training;  G  grid points (hyperparameter settings; in the lattice, u-grid nodes)
    L      layers (depths);  A  angles;  S  settings evaluated at once
    V      variances (the lattice's variance grid);  U  its correlations >= 0
    Q, I   quadrature nodes (outer or one-dimensional rules, inner rules)

A lone letter is a vector (`var_N`), letters joined by x a matrix or higher array (`B_TxMxN`).
"""
