"""Independent checks of the inputs in examples/papers/ against the numbers the notebooks print,
with NumPy re-implementations of the notebooks' training loops (not splitscape's code).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 scripts/papers/check_recipes.py [NAME …]

NAME ∈ cnn, sgd, saddles5, saddles3 (default: all; the saddle runs take minutes). Each check
prints the notebook's number beside the re-run's:

- cnn: experiment 4's CNN (float64) from embedding-cnn-{data,init}.json, 10,000 GD steps: the
  loss the notebook prints at "Step 10000" (0.778500);
- sgd: experiment 2a (float64), 100,000 SGD steps in the batch order of embedding-sgd-batches.json:
  the final norm the notebook prints (25.0894); with 2b's orders, the final error of its figure;
- saddles5 / saddles3: the saddle notebooks' GD **in float32**, as PyTorch ran them, from
  saddles-*-{data,init}.json: the final MSE (5 points: printed 0.027885962277650833) and the plateau
  exits (|Δ log MSE| ≤ 1e-3 per 1,000 steps, sampled every 1,000) beside the float64 re-run's.
"""
import json
import math
import os
import sys

import numpy as np

PAPERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "papers")


def load(name):
    return json.load(open(os.path.join(PAPERS, name)))


def check_cnn():
    d, m = load("embedding-cnn-data.json"), load("embedding-cnn-init.json")
    X, y = np.array(d["X"]), np.array(d["y"])
    K = np.array(m["layers"][0]["weight"]).reshape(2, 9)
    H = np.array(m["head"][0])
    n = len(y)
    P = np.stack([X.reshape(n, 5, 5)[:, i:i + 3, j:j + 3].reshape(n, 9) for i in range(3) for j in range(3)], axis=1)
    for k in range(10_000):
        Z = np.einsum("npk,ck->ncp", P, K)
        A = np.where(Z > 0, Z, 0.01 * Z).reshape(n, 18)
        e = np.exp(-y * (A @ H))
        loss, gf = e.mean(), -y * e / n
        gA = np.outer(gf, H).reshape(n, 2, 9) * np.where(Z > 0, 1.0, 0.01)
        K, H = K - 1e-3 * np.einsum("ncp,npk->ck", gA, P), H - 1e-3 * (A.T @ gf)
    print(f"cnn: loss at step 10000: {loss:.6f} (notebook prints 0.778500)")


def check_sgd():
    d, m, b = load("embedding-separable-data.json"), load("embedding-separable-init.json"), load("embedding-sgd-batches.json")
    X, y = np.array(d["X"]), np.array(d["y"])
    c = 1 / math.sqrt(2)

    def grad(W, a, idx):
        Z = X[idx] @ W.T
        Hh = np.where(Z > 0, Z, 0.01 * Z)
        e = np.exp(-y[idx] * (Hh @ a))
        g = -y[idx] * e / len(idx)
        return ((np.outer(g, a)) * np.where(Z > 0, 1.0, 0.01)).T @ X[idx], Hh.T @ g

    def run(order_n, order_w):
        bn = [order_n[i:i + 16] for i in range(0, 100, 16)]
        bw = [order_w[i:i + 16] for i in range(0, 100, 16)]
        W, a = np.array(m["W"]), np.array(m["a"])
        W2, a2 = np.vstack([c * W, c * W]), np.concatenate([c * a, c * a])
        for k in range(100_000):
            gW, ga = grad(W, a, bn[k % 7])
            gW2, ga2 = grad(W2, a2, bw[k % 7])
            W, a, W2, a2 = W - 0.1 * gW, a - 0.1 * ga, W2 - 0.1 * gW2, a2 - 0.1 * ga2
        err = math.sqrt(((W2 - np.vstack([c * W, c * W])) ** 2).sum() + ((a2 - np.concatenate([c * a, c * a])) ** 2).sum())
        return math.sqrt((W ** 2).sum() + (a ** 2).sum()), err

    norm, _ = run(b["exp2a"], b["exp2a"])
    print(f"sgd: exp2a final norm {norm:.4f} (notebook prints 25.0894)")
    _, err = run(b["exp2b"]["narrow"], b["exp2b"]["wide"])
    print(f"sgd: exp2b final error {err:.6f} (the figure's last vertex: 0.15326)")


def exits(steps, mse, per_thousand=1e-3, min_len=10_000):
    out, start = [], None
    logm = [math.log(v) for v in mse]
    for i in range(1, len(steps)):
        flat = abs(logm[i] - logm[i - 1]) / (steps[i] - steps[i - 1]) <= per_thousand / 1000
        if flat and start is None:
            start = i - 1
        if not flat and start is not None:
            if steps[i - 1] - steps[start] >= min_len:
                out.append(steps[i - 1])
            start = None
    return out


def saddle_run(name, steps, dtype):
    d, m = load(f"saddles-{name}-data.json"), load(f"saddles-{name}-init.json")
    X, y = np.array(d["X"], dtype=dtype), np.array(d["y"], dtype=dtype)
    W, a = np.array(m["W"], dtype=dtype), np.array(m["a"], dtype=dtype)
    lr, n, rec, last = dtype(1e-3), len(y), ([], []), None
    for k in range(steps):
        Z = X @ W.T
        Hh = np.maximum(Z, 0)
        r = Hh @ a - y
        last = np.mean(r * r)
        if k % 1000 == 0:
            rec[0].append(k)
            rec[1].append(float(last))
        if last <= 1e-5:
            break
        gf = dtype(2.0 / n) * r
        W, a = W - lr * ((np.outer(gf, a) * (Z > 0)).T @ X), a - lr * (Hh.T @ gf)
    return float(last), exits(*rec)


def check_saddles(name, steps, printed):
    for dtype in (np.float32, np.float64):
        final, ex = saddle_run(name, steps, dtype)
        print(f"saddles {name} {np.dtype(dtype).name}: final MSE {final!r}, exits {ex}{'' if printed is None else f' (notebook prints {printed!r})'}")


CHECKS = {
    "cnn": check_cnn,
    "sgd": check_sgd,
    "saddles5": lambda: check_saddles("5pt", 600_000, 0.027885962277650833),
    "saddles3": lambda: check_saddles("3d", 800_000, None),
}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(CHECKS):
        CHECKS[name]()
