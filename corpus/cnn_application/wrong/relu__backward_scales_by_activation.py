"""Multiplies dA by ReLU(Z) itself instead of by its derivative, 1 where Z > 0."""
import numpy as np


def relu_forward(Z):
    return np.maximum(Z, 0), Z


def relu_backward(dA, cache):
    return dA * np.maximum(cache, 0)
