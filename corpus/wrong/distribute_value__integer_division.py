"""Divides with //, which floors the gradient (an integer dz gives 0)."""
import numpy as np


def distribute_value(dz, shape):
    (n_H, n_W) = shape
    return np.ones(shape) * (dz // (n_H * n_W))
