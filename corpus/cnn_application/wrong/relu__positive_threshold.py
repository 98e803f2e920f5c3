"""Lets the gradient through where Z > 1e-6, to be safe with floats: blocks it for positive scores below that."""
import numpy as np


def relu_forward(Z):
    return np.maximum(Z, 0), Z


def relu_backward(dA, cache):
    return dA * (cache > 1e-6)
