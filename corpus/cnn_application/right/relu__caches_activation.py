"""Caches A instead of Z and masks with A > 0: the same entries as Z > 0."""
import numpy as np


def relu_forward(Z):
    A = np.maximum(0, Z)
    return A, A


def relu_backward(dA, cache):
    return np.where(cache > 0, dA, 0.0)
