"""Assumes the parameters are W1, b1, ..., WL, bL with L = len(parameters) // 2: a parameter that does
not come in such a pair is left out."""
import numpy as np


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    new_parameters = {}
    for l in range(1, L + 1):
        new_parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        new_parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return new_parameters
