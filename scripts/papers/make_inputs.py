"""Regenerate the inputs of the published experiments in examples/papers/ from the authors'
recipes (the notebooks cited in examples/papers/README.md), with torch_rng.py in place of torch
and clusters.py in place of scikit-learn.

    python3 scripts/papers/make_inputs.py [--check]

With --check nothing is written: every file must already hold exactly what the recipe gives.
"""
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clusters import clusters_on_hypercube  # noqa: E402
from torch_rng import Generator, leaky_relu_gain  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PAPERS = os.path.join(HERE, "..", "..", "examples", "papers")
LEAKY = {"name": "leaky_relu", "slope": 0.01}


def blobs_and_init(centre):
    """Embedding experiments 1–3 (torch seed 123): X1 = randn(50, 2)·0.8 + (c, −c) labelled +1,
    X2 = randn(50, 2)·0.8 + (−c, c) labelled −1, then nn.init.kaiming_uniform_(W_in (1×2),
    a = √5) and uniform_(W_out (1×1), −1, 1), all float64. Returns the generator after them."""
    g = Generator(123)
    a = g.normal64(100)
    b = g.normal64(100)
    X = [[a[2 * i] * 0.8 + centre, a[2 * i + 1] * 0.8 - centre] for i in range(50)]
    X += [[b[2 * i] * 0.8 - centre, b[2 * i + 1] * 0.8 + centre] for i in range(50)]
    y = [1.0] * 50 + [-1.0] * 50
    bound = math.sqrt(3.0) * leaky_relu_gain(math.sqrt(5)) / math.sqrt(2)
    W = [[g.uniform64(-bound, bound), g.uniform64(-bound, bound)]]
    out = [g.uniform64(-1.0, 1.0)]
    return {"X": X, "y": y}, {"kind": "two-layer", "activation": LEAKY, "W": W, "a": out}, g


def sgd_batch_orders():
    """Experiment 2 (same data and weights as experiment 1). 2a: one DataLoader(batch_size=16,
    shuffle=True) under itertools.cycle, so its first epoch's batches repeat; 2b: one loader per
    network, both iterators created before training (two base seeds), then each sampler's seed
    at its first batch, narrow net first."""
    _, _, g = blobs_and_init(2.0)
    g.int64_seed()  # the loader iterator's base seed
    one = Generator(g.int64_seed()).randperm(100)
    _, _, g = blobs_and_init(2.0)
    g.int64_seed()
    g.int64_seed()
    narrow = Generator(g.int64_seed()).randperm(100)
    wide = Generator(g.int64_seed()).randperm(100)
    return {
        "batchSize": 16,
        "note": "first-epoch permutations of torch's DataLoader(shuffle=True) in the embedding notebooks exp2a/exp2b; itertools.cycle replays the first epoch, so batch k is perm[16·(k mod 7) : 16·(k mod 7) + 16]",
        "exp2a": one,
        "exp2b": {"narrow": narrow, "wide": wide},
    }


def cnn_inputs():
    """Experiment 4: make_classification(random_state=42) data as 1×5×5 images with labels ±1;
    torch seed 42, then SmallCNN() and LargeCNN() construct their layers (default
    kaiming_uniform_ of Conv2d(1→2, 3×3), Linear(18→1), Conv2d(1→4, 3×3), Linear(36→1) in
    float32: 108 draws), then kaiming_normal_(a = √5) on the small net's float64 conv and head."""
    X, y01 = clusters_on_hypercube(200, 25, 5, 2, 42)
    g = Generator(42)
    g.skip32(18 + 18 + 36 + 36)
    gain = leaky_relu_gain(math.sqrt(5))
    K = g.normal64(18, 0.0, gain / math.sqrt(9))
    head = g.normal64(18, 0.0, gain / math.sqrt(18))
    data = {"X": X.tolist(), "y": (y01 * 2.0 - 1.0).tolist()}
    model = {
        "kind": "conv", "activation": LEAKY, "input": [1, 5, 5],
        "layers": [{"type": "conv", "weight": [[[K[9 * c + 3 * r: 9 * c + 3 * r + 3] for r in range(3)]] for c in range(2)], "stride": 1, "padding": 0}],
        "head": [head],
    }
    return data, model


def saddle_init(d, log50_std):
    """Saddle notebooks (helpers.two_layer_net.weight_init): torch.manual_seed(12) after the
    layers were built, then normal_(0) on the float32 input weights (50×d) and output weights
    (1×50), each times 50^μ in float32."""
    g = Generator(12)
    beta = np.float32(50.0 ** log50_std)
    W = np.array(g.normal32(50 * d), dtype=np.float32).reshape(50, d) * beta
    a = np.array(g.normal32(50), dtype=np.float32) * beta
    return {"kind": "two-layer", "activation": "relu", "W": W.astype(np.float64).tolist(), "a": a.astype(np.float64).tolist()}


def outputs():
    sep_data, sep_init, _ = blobs_and_init(2.0)
    non_data, non_init, _ = blobs_and_init(1.0)
    cnn_data, cnn_init = cnn_inputs()
    return {
        "embedding-separable-data.json": sep_data,
        "embedding-separable-init.json": sep_init,
        "embedding-nonseparable-data.json": non_data,
        "embedding-nonseparable-init.json": non_init,
        "embedding-sgd-batches.json": sgd_batch_orders(),
        "embedding-cnn-data.json": cnn_data,
        "embedding-cnn-init.json": cnn_init,
        "saddles-5pt-init.json": saddle_init(2, -3.0),
        "saddles-3d-init.json": saddle_init(3, -6.5),
    }


def main():
    check = "--check" in sys.argv
    bad = 0
    for name, value in outputs().items():
        path = os.path.join(PAPERS, name)
        old = json.load(open(path)) if os.path.exists(path) else None
        if old == value:
            print(f"{name}: unchanged")
            continue
        if check:
            print(f"{name}: DIFFERS from the recipe")
            bad += 1
            continue
        with open(path, "w") as f:
            json.dump(value, f)
        print(f"{name}: written")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
