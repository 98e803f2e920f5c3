"""Shifts the scores by the batch's largest one, not each row's: right while the rows' scores are of one size
(the loss is computed stably from there), but a row far below the batch's largest score has every exponential
underflow to 0, and its log-sum is -inf: the loss is inf and dZ nan."""
import numpy as np


def softmax_cross_entropy(Z, Y):
    m = Z.shape[0]
    shifted = Z - np.max(Z)
    log_sums = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.sum(Y * (shifted - log_sums)) / m
    dZ = (np.exp(shifted - log_sums) - Y) / m
    return loss, dZ
