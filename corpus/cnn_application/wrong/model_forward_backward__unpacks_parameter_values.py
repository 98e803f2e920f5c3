"""Unpacks the parameters as W1, b1, W2, b2 = parameters.values(): right only while the dictionary keeps that order."""
import numpy as np


def model_forward_backward(X, Y, parameters):
    W1, b1, W2, b2 = parameters.values()
    Z1, conv_cache = conv_forward_fast(X, W1, b1, {"pad": 1, "stride": 1})
    A1, relu_cache = relu_forward(Z1)
    P1, pool_cache = pool_forward(A1, {"f": 2, "stride": 2}, mode="max")
    Z2, fc_cache = fc_forward(P1, W2, b2)
    loss, dZ2 = softmax_cross_entropy(Z2, Y)
    dP1, dW2, db2 = fc_backward(dZ2, fc_cache)
    dA1 = pool_backward(dP1, pool_cache, mode="max")
    _, dW1, db1 = conv_backward_fast(relu_backward(dA1, relu_cache), conv_cache)
    return loss, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
