"""Computes dA_prev as a transposed convolution: dZ spread onto the stride-1 grid, padded by f - 1 - pad on each
side, correlated with the filters turned half a turn. Right while pad < f; with pad >= f the padding is negative
and np.pad raises."""
import numpy as np


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    f = W.shape[0]
    m, n_H, n_W, n_C = dZ.shape
    n_H_prev, n_W_prev = A_prev.shape[1:3]
    A_pad = zero_pad(A_prev, pad)
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride][:, :n_H, :n_W]
    dW = np.einsum("mhwkij,mhwc->ijkc", windows, dZ)
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, -1)
    spread = np.zeros((m, (n_H - 1) * stride + 1, (n_W - 1) * stride + 1, n_C))
    spread[:, ::stride, ::stride] = dZ
    edge = f - 1 - pad
    below = n_H_prev + 2 * pad - ((n_H - 1) * stride + f)  # rows of A_pad that no window reached
    right = n_W_prev + 2 * pad - ((n_W - 1) * stride + f)
    full = np.pad(spread, ((0, 0), (edge, edge + below), (edge, edge + right), (0, 0)))
    turned = W[::-1, ::-1]
    cells = np.lib.stride_tricks.sliding_window_view(full, (f, f), axis=(1, 2))
    dA_prev = np.einsum("mhwcij,ijkc->mhwk", cells, turned)
    return dA_prev, dW, db
