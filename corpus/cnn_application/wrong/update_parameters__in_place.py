"""Updates the arrays in place with -= and returns the same dictionary: the caller's parameters change."""
import numpy as np


def update_parameters(parameters, grads, learning_rate):
    for name in parameters:
        parameters[name] -= learning_rate * grads["d" + name]
    return parameters
