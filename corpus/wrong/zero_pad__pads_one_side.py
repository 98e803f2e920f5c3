"""Puts all 2*pad zeros after the image instead of pad on each side (right shape, wrong place)."""
import numpy as np


def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (0, 2 * pad), (0, 2 * pad), (0, 0)), mode="constant", constant_values=0)
