"""Zeroes the blocked entries of dA itself and returns it, changing the caller's gradient."""
import numpy as np


def relu_forward(Z):
    return np.maximum(Z, 0), Z


def relu_backward(dA, cache):
    dA[cache <= 0] = 0
    return dA
