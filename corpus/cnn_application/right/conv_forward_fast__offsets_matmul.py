"""A loop over the f * f filter offsets only: each strided slice of the padded input times W[di, dj]."""
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
            Z += A_pad[:, di:di + stride * n_H:stride, dj:dj + stride * n_W:stride, :] @ W[di, dj]
    Z += b
    return Z, (A_prev, W, b, hparameters)
