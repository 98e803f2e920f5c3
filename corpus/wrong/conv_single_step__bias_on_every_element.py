"""Adds the bias to every element before summing, so it counts f*f*n_C_prev times."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    return float(np.sum(a_slice_prev * W + b))
