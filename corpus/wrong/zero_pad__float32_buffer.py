"""Pads into a float32 buffer, to save memory: X's float64 values come back rounded to about 7 digits."""
import numpy as np


def zero_pad(X, pad):
    m, n_H, n_W, n_C = X.shape
    X_pad = np.zeros((m, n_H + 2 * pad, n_W + 2 * pad, n_C), dtype=np.float32)
    X_pad[:, pad:pad + n_H, pad:pad + n_W, :] = X
    return X_pad
