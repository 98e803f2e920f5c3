"""Lays the one-hot matrix out as (C, m), one column per label, as some courses do."""
import numpy as np


def one_hot(Y, C):
    Y_oh = np.zeros((C, len(Y)))
    Y_oh[Y, np.arange(len(Y))] = 1.0
    return Y_oh
