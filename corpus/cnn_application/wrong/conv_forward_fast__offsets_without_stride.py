"""Loops over the filter offsets but slices n_H consecutive rows (and n_W columns) from each offset,
forgetting to step by the stride: right shape, wrong windows when the stride is above 1."""
import numpy as np


def conv_forward_fast(A_prev, W, b, hparameters):
    stride, pad = hparameters["stride"], hparameters["pad"]
    f, _, _, n_C = W.shape
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    n_H = (n_H_prev + 2 * pad - f) // stride + 1
    n_W = (n_W_prev + 2 * pad - f) // stride + 1
    A_pad = zero_pad(A_prev, pad)
    Z = np.zeros((m, n_H, n_W, n_C))
    for di in range(f):
        for dj in range(f):
            Z += A_pad[:, di:di + n_H, dj:dj + n_W, :] @ W[di, dj]
    Z += b.reshape(1, 1, 1, n_C)
    return Z, (A_prev, W, b, hparameters)
