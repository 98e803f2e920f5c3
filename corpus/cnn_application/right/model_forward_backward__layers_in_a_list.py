"""Runs the layers from a list, keeping the caches on a stack, and goes back through them in reverse."""
import numpy as np


def model_forward_backward(X, Y, parameters):
    conv = {"pad": 1, "stride": 1}
    pool = {"f": 2, "stride": 2}
    layers = [
        (lambda A: conv_forward_fast(A, parameters["W1"], parameters["b1"], conv), conv_backward_fast, "1"),
        (relu_forward, relu_backward, None),
        (lambda A: pool_forward(A, pool, mode="max"), lambda d, c: pool_backward(d, c, mode="max"), None),
        (lambda A: fc_forward(A, parameters["W2"], parameters["b2"]), fc_backward, "2"),
    ]
    caches = []
    A = X
    for forward, _, _ in layers:
        A, cache = forward(A)
        caches.append(cache)
    loss, dA = softmax_cross_entropy(A, Y)
    grads = {}
    for (_, backward, number), cache in reversed(list(zip(layers, caches))):
        if number is None:
            dA = backward(dA, cache)
        else:
            dA, grads["dW" + number], grads["db" + number] = backward(dA, cache)
    return loss, grads
