"""im2col whose rows list each window channel by channel (the view's order), while W's rows go offset by
offset: the two orders only agree when there is one input channel."""
import numpy as np


def conv_forward_fast(A_prev, W, b, hparameters):
    stride, pad = hparameters["stride"], hparameters["pad"]
    f, _, n_C_prev, n_C = W.shape
    windows = np.lib.stride_tricks.sliding_window_view(zero_pad(A_prev, pad), (f, f), axis=(1, 2))
    windows = windows[:, ::stride, ::stride]  # (m, n_H, n_W, n_C_prev, f, f)
    m, n_H, n_W = windows.shape[:3]
    columns = windows.reshape(m * n_H * n_W, f * f * n_C_prev)
    Z = (columns @ W.reshape(f * f * n_C_prev, n_C)).reshape(m, n_H, n_W, n_C) + b.reshape(1, 1, 1, n_C)
    return Z, (A_prev, W, b, hparameters)
