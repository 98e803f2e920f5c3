"""Squeezes the bias to a 0-d array; the result is a 0-d array too."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    return np.sum(a_slice_prev * W) + np.squeeze(b)
