"""im2col: copies every window into a row of one matrix, in W's own order (offset, offset, channel), and
multiplies once."""
import numpy as np


def conv_forward_fast(A_prev, W, b, hparameters):
    stride, pad = hparameters["stride"], hparameters["pad"]
    f, _, n_C_prev, n_C = W.shape
    windows = np.lib.stride_tricks.sliding_window_view(zero_pad(A_prev, pad), (f, f), axis=(1, 2))
    windows = windows[:, ::stride, ::stride].transpose(0, 1, 2, 4, 5, 3)  # (m, n_H, n_W, f, f, n_C_prev)
    m, n_H, n_W = windows.shape[:3]
    columns = windows.reshape(m * n_H * n_W, f * f * n_C_prev)  # a copy: one row per window
    Z = columns @ W.reshape(f * f * n_C_prev, n_C) + b.reshape(1, n_C)
    return Z.reshape(m, n_H, n_W, n_C), (A_prev, W, b, hparameters)
