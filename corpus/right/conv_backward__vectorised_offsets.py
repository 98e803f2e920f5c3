"""Vectorised over examples and positions: one einsum per kernel offset."""
import numpy as np


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    s, p = hparameters["stride"], hparameters["pad"]
    f = W.shape[0]
    _, n_H, n_W, _ = dZ.shape
    A_pad = np.pad(A_prev, ((0, 0), (p, p), (p, p), (0, 0)))
    dA_pad = np.zeros_like(A_pad)
    dW = np.zeros_like(W)
    for i in range(f):
        for j in range(f):
            rows, cols = slice(i, i + s * (n_H - 1) + 1, s), slice(j, j + s * (n_W - 1) + 1, s)
            dW[i, j] = np.einsum("mhwc,mhwk->ck", A_pad[:, rows, cols, :], dZ)
            dA_pad[:, rows, cols, :] += np.einsum("mhwk,ck->mhwc", dZ, W[i, j])
    db = dZ.sum(axis=(0, 1, 2), keepdims=True)
    dA_prev = dA_pad[:, p:p + A_prev.shape[1], p:p + A_prev.shape[2], :]
    return dA_prev, dW, db
