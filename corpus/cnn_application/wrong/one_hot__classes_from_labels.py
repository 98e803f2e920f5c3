"""Counts the classes from the largest label instead of using C: too few columns when a class is missing."""
import numpy as np


def one_hot(Y, C):
    return np.eye(np.max(Y) + 1)[Y]
