"""Writes np.max(Z, 0) for max(0, Z): the largest entry along axis 0, not an entry-by-entry maximum."""
import numpy as np


def relu_forward(Z):
    A = np.max(Z, 0)
    return A, Z


def relu_backward(dA, cache):
    return dA * (cache > 0)
