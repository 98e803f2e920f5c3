"""Builds new arrays but stores them in the dictionary it was given and returns that one, so the
caller's dictionary of parameters changes under it."""
import numpy as np


def update_parameters(parameters, grads, learning_rate):
    for name in list(parameters):
        parameters[name] = parameters[name] - learning_rate * grads["d" + name]
    return parameters
