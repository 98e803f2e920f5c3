"""Sets one entry per row in a loop over the labels."""
import numpy as np


def one_hot(Y, C):
    Y_oh = np.zeros((Y.shape[0], C))
    for i, label in enumerate(Y):
        Y_oh[i, label] = 1
    return Y_oh
