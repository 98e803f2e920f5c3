"""Writes the layer and its gradients as einsums over the flattened input."""
import numpy as np


def fc_forward(A_prev, W, b):
    A_flat = A_prev.reshape(len(A_prev), -1)
    Z = np.einsum("mn,nc->mc", A_flat, W) + b
    return Z, (A_prev, W, b)


def fc_backward(dZ, cache):
    A_prev, W, b = cache
    A_flat = A_prev.reshape(len(A_prev), -1)
    dW = np.einsum("mn,mc->nc", A_flat, dZ)
    db = np.einsum("mc->c", dZ)[np.newaxis, :]
    dA_prev = np.einsum("mc,nc->mn", dZ, W).reshape(A_prev.shape)
    return dA_prev, dW, db
