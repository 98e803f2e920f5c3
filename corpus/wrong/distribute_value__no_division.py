"""Copies dz to every entry without dividing it."""
import numpy as np


def distribute_value(dz, shape):
    return np.ones(shape) * dz
