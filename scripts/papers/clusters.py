"""Gaussian clusters on the vertices of a hypercube — the two-class data of the embedding paper's
experiment 4, which its notebook makes with scikit-learn's make_classification(n_samples=200,
n_features=25, n_informative=5, n_redundant=0, n_clusters_per_class=2, flip_y=0,
random_state=42). scikit-learn is not needed: this is the documented algorithm (Guyon 2003,
"Design of experiments for the NIPS 2003 variable selection benchmark", as the scikit-learn user
guide describes it), written here for the case the notebook uses (no redundant or repeated
features, no label noise, shift 0, scale 1, hypercube vertices, classes of equal weight),
drawing from numpy's legacy RandomState in the order the algorithm consumes it:

1. the 2·k cluster centres are distinct vertices of the informative hypercube {−s, +s}^i: a
   prefix of a random permutation of the 2^i vertex codes, each code's bits (most significant
   first) mapped 0 → −s, 1 → +s (s = class_sep = 1);
2. the informative columns of every sample are standard normal;
3. cluster c (samples in order, clusters of equal size, label c mod 2) is multiplied by a
   random matrix A_c = 2·U[0, 1)^{i×i} − 1 and shifted to its centre;
4. the remaining (useless) columns are standard normal;
5. one uniform per sample decides label flips (none at flip probability 0, the draws still happen);
6. the samples, then the columns, are shuffled (random permutations in place).

The generated data are checked against the notebook: trained from the weights of
torch_rng.py's kaiming_normal_ draws, they give the ten losses the notebook prints to all six
printed digits (scripts/papers/make_inputs.py).
"""
import numpy as np


def hypercube_vertices(count, dim, rs, sep=1.0):
    codes = rs.permutation(2 ** dim)[:count]
    bits = (codes[:, None] >> np.arange(dim - 1, -1, -1)[None, :]) & 1
    return bits.astype(float) * 2 * sep - sep


def clusters_on_hypercube(n, n_features, n_informative, clusters_per_class, seed, sep=1.0):
    """(X, y) with y ∈ {0, 1}: the algorithm above for two classes of equal weight."""
    rs = np.random.RandomState(seed)
    n_clusters = 2 * clusters_per_class
    sizes = [n // n_clusters] * n_clusters
    for i in range(n - sum(sizes)):
        sizes[i % n_clusters] += 1
    X = np.zeros((n, n_features))
    y = np.zeros(n, dtype=int)
    centres = hypercube_vertices(n_clusters, n_informative, rs, sep)
    X[:, :n_informative] = rs.standard_normal(size=(n, n_informative))
    start = 0
    for c in range(n_clusters):
        stop = start + sizes[c]
        y[start:stop] = c % 2
        A = 2 * rs.uniform(size=(n_informative, n_informative)) - 1
        X[start:stop, :n_informative] = X[start:stop, :n_informative] @ A + centres[c]
        start = stop
    X[:, n_informative:] = rs.standard_normal(size=(n, n_features - n_informative))
    rs.uniform(size=n)  # label-flip draws
    rows = np.arange(n)
    rs.shuffle(rows)
    X, y = X[rows], y[rows]
    cols = np.arange(n_features)
    rs.shuffle(cols)
    return X[:, cols], y
