"""A loop over the output positions (h, w) only: each window's gradient for the whole batch and every
filter at once, added into dA_pad, and its share of dW by one product."""
import numpy as np


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    f, _, n_C_prev, n_C = W.shape
    m, n_H, n_W, _ = dZ.shape
    A_pad = zero_pad(A_prev, pad)
    dA_pad = np.zeros(A_pad.shape)
    W_matrix = W.reshape(-1, n_C)
    dW_matrix = np.zeros(W_matrix.shape)
    for h in range(n_H):
        for w in range(n_W):
            rows = slice(h * stride, h * stride + f)
            cols = slice(w * stride, w * stride + f)
            dA_pad[:, rows, cols, :] += (dZ[:, h, w, :] @ W_matrix.T).reshape(m, f, f, n_C_prev)
            dW_matrix += A_pad[:, rows, cols, :].reshape(m, -1).T @ dZ[:, h, w, :]
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    dA_prev = dA_pad[:, pad:pad + A_prev.shape[1], pad:pad + A_prev.shape[2], :]
    return dA_prev, dW_matrix.reshape(W.shape), db
