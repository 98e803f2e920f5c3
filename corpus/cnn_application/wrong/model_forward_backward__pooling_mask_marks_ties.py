"""Backpropagates the max pooling itself, with a mask A1 == (P1 repeated over each 2x2 window): every tied
maximum of a window gets the whole gradient, where cnn_layers.pool_backward gives it to the first only."""
import numpy as np


def model_forward_backward(X, Y, parameters):
    Z1, conv_cache = conv_forward_fast(X, parameters["W1"], parameters["b1"], {"pad": 1, "stride": 1})
    A1, relu_cache = relu_forward(Z1)
    P1, pool_cache = pool_forward(A1, {"f": 2, "stride": 2}, mode="max")
    Z2, fc_cache = fc_forward(P1, parameters["W2"], parameters["b2"])
    loss, dZ2 = softmax_cross_entropy(Z2, Y)
    dP1, dW2, db2 = fc_backward(dZ2, fc_cache)
    spread = np.ones((1, 2, 2, 1))
    dA1 = (A1 == np.kron(P1, spread)) * np.kron(dP1, spread)
    _, dW1, db1 = conv_backward_fast(relu_backward(dA1, relu_cache), conv_cache)
    return loss, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
