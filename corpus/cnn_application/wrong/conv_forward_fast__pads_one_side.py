"""Pads with np.pad but puts all 2 * pad rows and columns after the image: right shape, shifted windows."""
import numpy as np


def conv_forward_fast(A_prev, W, b, hparameters):
    stride, pad = hparameters["stride"], hparameters["pad"]
    f = W.shape[0]
    A_pad = np.pad(A_prev, ((0, 0), (0, 2 * pad), (0, 2 * pad), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    Z = np.einsum("mhwkij,ijkc->mhwc", windows, W) + b.reshape(-1)
    return Z, (A_prev, W, b, hparameters)
