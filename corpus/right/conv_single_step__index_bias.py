"""Takes the bias out by indexing, and returns a Python float."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    return float(np.sum(a_slice_prev * W) + b[0, 0, 0])
