"""Loops over output positions only, handling every example and channel at once."""
import numpy as np


def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, s = hparameters["f"], hparameters["stride"]
    dA_prev = np.zeros_like(A_prev, dtype=float)
    for h in range(dA.shape[1]):
        for w in range(dA.shape[2]):
            window = A_prev[:, h * s:h * s + f, w * s:w * s + f, :]
            grad = dA[:, h:h + 1, w:w + 1, :]
            if mode == "max":
                dA_prev[:, h * s:h * s + f, w * s:w * s + f, :] += (window == window.max(axis=(1, 2), keepdims=True)) * grad
            else:
                dA_prev[:, h * s:h * s + f, w * s:w * s + f, :] += grad / (f * f)
    return dA_prev
