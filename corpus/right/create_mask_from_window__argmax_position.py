"""Sets True at np.argmax's position in an all-False mask."""
import numpy as np


def create_mask_from_window(x):
    mask = np.zeros(x.shape, dtype=bool)
    mask[np.unravel_index(np.argmax(x), x.shape)] = True
    return mask
