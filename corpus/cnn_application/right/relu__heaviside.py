"""Uses np.heaviside(Z, 0), the step function with value 0 at Z = 0, as the derivative."""
import numpy as np


def relu_forward(Z):
    return Z * np.heaviside(Z, 0), Z


def relu_backward(dA, cache):
    return dA * np.heaviside(cache, 0)
