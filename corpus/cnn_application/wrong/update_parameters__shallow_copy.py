"""Copies the dictionary with dict(), then subtracts in place: the copy shares its arrays with the
caller's dictionary, so the caller's parameters change too."""
import numpy as np


def update_parameters(parameters, grads, learning_rate):
    new_parameters = dict(parameters)
    for name in new_parameters:
        new_parameters[name] -= learning_rate * grads["d" + name]
    return new_parameters
