"""np.dot throughout; n from the product of A_prev's other axes; db reshaped to (1, C); dA_prev through
(W dZ^T)^T."""
import numpy as np


def fc_forward(A_prev, W, b):
    m = A_prev.shape[0]
    n = int(np.prod(A_prev.shape[1:]))
    Z = np.dot(A_prev.reshape(m, n), W) + b
    cache = (A_prev, W, b)
    return Z, cache


def fc_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[0]
    A_flat = A_prev.reshape(m, int(np.prod(A_prev.shape[1:])))
    dW = np.dot(A_flat.T, dZ)
    db = np.sum(dZ, axis=0).reshape(1, -1)
    dA_prev = np.dot(W, dZ.T).T.reshape(A_prev.shape)
    return dA_prev, dW, db
