"""Computes dW as dZ.T @ A_flat, the transpose of the gradient, of shape (C, n)."""
import numpy as np


def fc_forward(A_prev, W, b):
    return A_prev.reshape(A_prev.shape[0], -1) @ W + b, (A_prev, W, b)


def fc_backward(dZ, cache):
    A_prev, W, b = cache
    A_flat = A_prev.reshape(A_prev.shape[0], -1)
    dW = dZ.T @ A_flat
    db = dZ.sum(axis=0, keepdims=True)
    dA_prev = (dZ @ W.T).reshape(A_prev.shape)
    return dA_prev, dW, db
