"""Sets the ones through flat indices computed in the labels' own dtype: uint8 labels overflow once m * C passes 255."""
import numpy as np


def one_hot(Y, C):
    Y_oh = np.zeros((len(Y), C))
    Y_oh.flat[np.arange(len(Y), dtype=Y.dtype) * C + Y] = 1.0
    return Y_oh
