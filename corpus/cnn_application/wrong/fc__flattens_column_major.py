"""Flattens each example in column-major order (order="F"), forward and backward alike: the examples stay
apart, but the 128 values are not in the order the layer's W expects."""
import numpy as np


def fc_forward(A_prev, W, b):
    A_flat = A_prev.reshape(A_prev.shape[0], -1, order="F")
    return A_flat @ W + b, (A_prev, W, b)


def fc_backward(dZ, cache):
    A_prev, W, b = cache
    A_flat = A_prev.reshape(A_prev.shape[0], -1, order="F")
    dA_prev = (dZ @ W.T).reshape(A_prev.shape, order="F")
    return dA_prev, A_flat.T @ dZ, dZ.sum(axis=0, keepdims=True)
