"""Pads the channel axis as well as height and width."""
import numpy as np


def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (pad, pad)), mode="constant", constant_values=0)
