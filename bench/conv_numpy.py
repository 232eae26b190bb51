"""NumPy reference of bench/conv.ts: im2col + GEMM for the full-batch gradient of the embedding
paper's MNIST CNN, Conv2d(1 -> C, k x k, no bias) . LeakyReLU(slope) . AvgPool2d(2) . Flatten .
Linear(C*P*P -> 1, no bias), with the exponential loss averaged over the n images.

  python3 bench/conv_numpy.py INPUT.bin n C k slope runs

INPUT.bin holds little-endian float64: X (n x 784, one 28 x 28 image per row), y (n labels +-1),
theta (C*k*k conv weights in PyTorch's (out, in, kh, kw) order, then the C*P*P head weights in
PyTorch's C,H,W flatten order). Prints one JSON object: the wall time of each run (after one
warm-up run), the loss and the gradient (same order as theta). Single-threaded when the caller
sets OPENBLAS_NUM_THREADS=1 (bench/conv.ts does); run it with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset.
"""
import json
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def loss_and_gradient(X, y, K, W, n, C, k, slope):
    """Forward (im2col rows: one per output pixel, NHWC) and backward of the mean exponential loss."""
    side = 28
    Ho = side - k + 1
    P = Ho // 2
    cols = sliding_window_view(X.reshape(n, side, side), (k, k), axis=(1, 2)).reshape(n * Ho * Ho, k * k)
    Z = cols @ K.T  # (n*Ho*Ho, C)
    D = np.where(Z > 0, 1.0, slope)
    A = (Z * D).reshape(n, P, 2, P, 2, C).mean(axis=(2, 4))  # (n, P, P, C)
    feat = A.transpose(0, 3, 1, 2).reshape(n, C * P * P)  # PyTorch's C,H,W flatten order
    f = feat @ W
    e = np.exp(-y * f)
    loss = e.mean()
    dF = -y * e / n
    gW = feat.T @ dF
    dA = np.outer(dF, W).reshape(n, C, P, P).transpose(0, 2, 3, 1) / 4.0  # (n, P, P, C)
    dZ = np.repeat(np.repeat(dA, 2, axis=1), 2, axis=2).reshape(n * Ho * Ho, C) * D
    gK = dZ.T @ cols  # (C, k*k)
    return loss, np.concatenate([gK.ravel(), gW])


def main():
    path, n, C, k, slope, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
    P = (28 - k + 1) // 2
    raw = np.fromfile(path, dtype="<f8")
    X = raw[: n * 784]
    y = raw[n * 784 : n * 785]
    K = raw[n * 785 : n * 785 + C * k * k].reshape(C, k * k)
    W = raw[n * 785 + C * k * k :]
    assert W.size == C * P * P, (W.size, C * P * P)
    loss_and_gradient(X, y, K, W, n, C, k, slope)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        loss, grad = loss_and_gradient(X, y, K, W, n, C, k, slope)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"numpy": np.__version__, "seconds": times, "loss": float(loss), "gradient": grad.tolist()}))


if __name__ == "__main__":
    main()
