"""Compares with a tolerance far below the data's spacing (np.isclose, rtol=0, atol=1e-12): right until two entries
are closer than that, when both are marked."""
import numpy as np


def create_mask_from_window(x):
    return np.isclose(x, np.max(x), rtol=0, atol=1e-12)
