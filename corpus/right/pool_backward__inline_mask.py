"""Four loops that build the mask and the average inline instead of calling the helpers."""
import numpy as np


def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    rows = slice(h * stride, h * stride + f)
                    cols = slice(w * stride, w * stride + f)
                    if mode == "max":
                        window = A_prev[i, rows, cols, c]
                        dA_prev[i, rows, cols, c] += (window == np.max(window)) * dA[i, h, w, c]
                    else:
                        dA_prev[i, rows, cols, c] += np.full((f, f), dA[i, h, w, c] / f ** 2)
    return dA_prev
