"""Returns a flat array of n_H * n_W values instead of the window's shape."""
import numpy as np


def distribute_value(dz, shape):
    (n_H, n_W) = shape
    return np.ones(n_H * n_W) * dz / (n_H * n_W)
