"""Lets the gradient through where dA is positive instead of where Z is."""
import numpy as np


def relu_forward(Z):
    return np.maximum(Z, 0), Z


def relu_backward(dA, cache):
    return dA * (dA > 0)
