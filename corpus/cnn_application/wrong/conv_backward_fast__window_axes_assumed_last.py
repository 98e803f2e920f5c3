"""Contracts the window view with dZ as if its axes were (m, n_H, n_W, f, f, n_C_prev), but the window's
own axes come last: dW is transposed (or of the wrong shape when n_C_prev is not f). dA is right."""
import numpy as np


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    f = W.shape[0]
    _, n_H, n_W, _ = dZ.shape
    A_pad = zero_pad(A_prev, pad)
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    dW = np.einsum("mhwijk,mhwc->ijkc", windows[:, :n_H, :n_W], dZ)
    dA_pad = np.zeros(A_pad.shape)
    for di in range(f):
        for dj in range(f):
            dA_pad[:, di:di + stride * n_H:stride, dj:dj + stride * n_W:stride, :] += dZ @ W[di, dj].T
    db = np.sum(dZ, axis=(0, 1, 2), keepdims=True)
    dA_prev = dA_pad[:, pad:pad + A_prev.shape[1], pad:pad + A_prev.shape[2], :]
    return dA_prev, dW, db
