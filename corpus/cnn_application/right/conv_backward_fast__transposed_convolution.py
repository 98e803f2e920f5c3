"""dA_prev as a convolution of its own: dZ spread out by the stride (zeros between its entries), padded
by f - 1, and convolved with the filters turned half a turn, channels swapped; dW with the window view."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    f = W.shape[0]
    m, n_H, n_W, n_C = dZ.shape
    A_pad = zero_pad(A_prev, pad)
    windows = sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride][:, :n_H, :n_W]
    dW = np.einsum("mhwkij,mhwc->ijkc", windows, dZ)
    db = np.sum(dZ, axis=(0, 1, 2), keepdims=True)
    # dZ with stride - 1 zeros between entries, padded by f - 1 all round, and as tall as A_pad needs
    H_pad, W_pad = A_pad.shape[1:3]
    spread = np.zeros((m, H_pad + f - 1, W_pad + f - 1, n_C))
    spread[:, f - 1:f - 1 + stride * (n_H - 1) + 1:stride, f - 1:f - 1 + stride * (n_W - 1) + 1:stride] = dZ
    turned = W[::-1, ::-1]  # (f, f, n_C_prev, n_C), turned half a turn
    dA_pad = np.einsum("mhwcij,ijkc->mhwk", sliding_window_view(spread, (f, f), axis=(1, 2)), turned)
    dA_prev = dA_pad[:, pad:pad + A_prev.shape[1], pad:pad + A_prev.shape[2], :]
    return dA_prev, dW, db
