"""Walks over the gradients and strips the "d" to find each parameter."""
import numpy as np


def update_parameters(parameters, grads, learning_rate):
    return {key[1:]: parameters[key[1:]] - learning_rate * grad for key, grad in grads.items()}
