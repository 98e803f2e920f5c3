"""Copies the dictionary with {**parameters} and binds a new array to each name (never -=): the
caller's arrays stay as they were."""
import numpy as np


def update_parameters(parameters, grads, learning_rate):
    new_parameters = {**parameters}
    for name in new_parameters:
        new_parameters[name] = new_parameters[name] - learning_rate * grads["d" + name]
    return new_parameters
