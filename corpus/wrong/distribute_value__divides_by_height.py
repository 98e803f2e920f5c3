"""Divides by the height only instead of by the number of entries."""
import numpy as np


def distribute_value(dz, shape):
    (n_H, n_W) = shape
    return np.ones(shape) * dz / n_H
