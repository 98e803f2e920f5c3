"""Caches the flattened input instead of A_prev, so dA_prev comes back flat, not in A_prev's shape."""
import numpy as np


def fc_forward(A_prev, W, b):
    A_flat = A_prev.reshape(A_prev.shape[0], -1)
    return A_flat @ W + b, (A_flat, W, b)


def fc_backward(dZ, cache):
    A_prev, W, b = cache
    dA_prev = (dZ @ W.T).reshape(A_prev.shape)
    return dA_prev, A_prev.T @ dZ, dZ.sum(axis=0, keepdims=True)
