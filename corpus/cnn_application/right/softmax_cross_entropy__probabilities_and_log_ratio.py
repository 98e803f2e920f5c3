"""Computes the probabilities from the shifted scores for dZ, and the loss from log(sum) minus the
shifted score of the label (never the log of a probability)."""
import numpy as np


def softmax_cross_entropy(Z, Y):
    m = len(Z)
    shifted = Z - Z.max(axis=1)[:, None]
    exps = np.exp(shifted)
    sums = exps.sum(axis=1)
    P = exps / sums[:, None]
    loss = np.sum(np.log(sums) - np.sum(Y * shifted, axis=1)) / m
    return loss, (P - Y) / m
