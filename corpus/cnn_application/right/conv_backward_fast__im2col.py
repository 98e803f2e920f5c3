"""im2col backward: the window matrix gives dW in one product, the windows' gradients come from one
product with W, and col2im adds them back offset by offset."""
import numpy as np


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    f, _, n_C_prev, n_C = W.shape
    m, n_H, n_W, _ = dZ.shape
    A_pad = zero_pad(A_prev, pad)
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    windows = windows[:, :n_H, :n_W].transpose(0, 1, 2, 4, 5, 3)  # (m, n_H, n_W, f, f, n_C_prev)
    columns = windows.reshape(m * n_H * n_W, f * f * n_C_prev)
    dZ_rows = dZ.reshape(m * n_H * n_W, n_C)
    dW = (columns.T @ dZ_rows).reshape(W.shape)
    db = dZ_rows.sum(axis=0).reshape(b.shape)
    d_columns = (dZ_rows @ W.reshape(f * f * n_C_prev, n_C).T).reshape(m, n_H, n_W, f, f, n_C_prev)
    dA_pad = np.zeros(A_pad.shape)
    for di in range(f):
        for dj in range(f):
            dA_pad[:, di:di + stride * n_H:stride, dj:dj + stride * n_W:stride, :] += d_columns[:, :, :, di, dj, :]
    return dA_pad[:, pad:pad + A_prev.shape[1], pad:pad + A_prev.shape[2], :], dW, db
