"""Part 2's wrong entries made from the reference solution by one edit each.

Each entry is (solution cell, name, what the mistake is, [(old, new), ...]): every `old`
must occur in the reference solution of the cell (all occurrences are replaced), so an
entry stops building, loudly, if the reference changes under it.
"""

FC_Z = "Z = A_prev.reshape(A_prev.shape[0], -1) @ W + b"
FC_DB = "db = dZ.sum(axis=0, keepdims=True)"
CONV_DB = "db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, -1)"
CONV_DA_ADD = "dA_pad[:, rows, cols, :] += dZ @ W[di, dj].T"
CONV_UNPAD = "dA_prev = dA_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :]"
SOFTMAX_LOSS = "loss = float(-np.sum(Y * log_probs) / m)"
SOFTMAX_DZ = "dZ = (np.exp(log_probs) - Y) / m"
EINSUM = '"mhwkij,ijkc->mhwc"'
RELU_MASK = "dZ = dA * (Z > 0)"

MUTATIONS = [
    # one_hot
    ("one_hot", "labels_off_by_one", "Puts each 1 one column to the left, as if the labels started at 1.",
     [("Y_oh[np.arange(len(Y)), Y] = 1.0", "Y_oh[np.arange(len(Y)), Y - 1] = 1.0")]),
    ("one_hot", "every_row_every_label", "Indexes the rows with ':' instead of np.arange: every row gets a 1 "
     "in the column of every label.", [("Y_oh[np.arange(len(Y)), Y] = 1.0", "Y_oh[:, Y] = 1.0")]),
    # conv_forward_fast
    ("conv_forward_fast", "window_axes_assumed_last", "Reads the window view's axes as (m, n_H, n_W, f, f, "
     "n_C_prev): the window's own axes come last, so the channels meet the filter's rows.",
     [(EINSUM, '"mhwijk,ijkc->mhwc"')]),
    ("conv_forward_fast", "filter_transposed", "Swaps W's two offset axes in the einsum: every filter is "
     "applied transposed.", [(EINSUM, '"mhwkij,jikc->mhwc"')]),
    ("conv_forward_fast", "forgets_stride", "Keeps every window instead of every stride-th one.",
     [("    windows = windows[:, ::stride, ::stride]\n", "")]),
    ("conv_forward_fast", "strides_batch_axis", "Steps by the stride along the examples and rows instead of "
     "the rows and columns.", [("windows[:, ::stride, ::stride]", "windows[::stride, ::stride]")]),
    ("conv_forward_fast", "forgets_bias", "Leaves out the biases.", [(" + b.reshape(-1)", "")]),
    ("conv_forward_fast", "forgets_padding", "Slides the windows over A_prev itself, unpadded.",
     [("zero_pad(A_prev, pad)", "A_prev")]),
    # conv_backward_fast
    ("conv_backward_fast", "overwrites_overlaps", "Writes each offset's gradient into dA_pad with = instead of "
     "adding it: where windows overlap, only the last offset's share is kept.",
     [(CONV_DA_ADD, "dA_pad[:, rows, cols, :] = dZ @ W[di, dj].T")]),
    ("conv_backward_fast", "db_keeps_batch_axis", "Sums dZ over the rows and columns only: db keeps one row "
     "per example, (m, 1, 1, n_C).", [(CONV_DB, "db = dZ.sum(axis=(1, 2), keepdims=True)")]),
    ("conv_backward_fast", "db_flat", "Leaves db flat, of shape (n_C,), instead of (1, 1, 1, n_C).",
     [(CONV_DB, "db = dZ.sum(axis=(0, 1, 2))")]),
    ("conv_backward_fast", "unpads_with_negative_index", "Cuts the padding off with [pad:-pad], empty when "
     "pad = 0.", [(CONV_UNPAD, "dA_prev = dA_pad[:, pad:-pad, pad:-pad, :]")]),
    ("conv_backward_fast", "returns_padded_gradient", "Returns dA_pad without cutting the padding off.",
     [(CONV_UNPAD, "dA_prev = dA_pad")]),
    ("conv_backward_fast", "dW_from_unpadded_input", "Takes dW's slices from A_prev instead of the padded input.",
     [("A_pad[:, rows, cols, :], dZ)", "A_prev[:, rows, cols, :], dZ)")]),
    ("conv_backward_fast", "ignores_stride", "Slices consecutive rows and columns for each offset, whatever "
     "the stride.", [("stride * (n_H - 1) + 1, stride)", "n_H)"), ("stride * (n_W - 1) + 1, stride)", "n_W)")]),
    ("conv_backward_fast", "flips_filter", "Sends the gradient back through the filter turned half a turn, "
     "as in the 'full convolution' form, on top of the offset loop that already accounts for it.",
     [(CONV_DA_ADD, "dA_pad[:, rows, cols, :] += dZ @ W[f - 1 - di, f - 1 - dj].T")]),
    # relu
    ("relu", "mask_includes_zero", "Lets the gradient through at Z = 0 too (Z >= 0), where the derivative is 0.",
     [(RELU_MASK, "dZ = dA * (Z >= 0)")]),
    ("relu", "gradient_everywhere", "Returns dA unchanged, as if ReLU were the identity.",
     [(RELU_MASK, "dZ = dA")]),
    ("relu", "no_cache", "Keeps nothing for the backward pass: relu_forward's cache is None, and relu_backward, "
     "which reads Z from it, breaks in the student's own network.", [("    cache = Z\n", "    cache = None\n")]),
    ("relu", "mask_without_parentheses", "Leaves out the parentheses: dA * Z > 0 compares the product with 0 "
     "and returns booleans.", [(RELU_MASK, "dZ = dA * Z > 0")]),
    # fc
    ("fc", "db_without_keepdims", "Sums db without keepdims: shape (C,) instead of (1, C).",
     [(FC_DB, "db = dZ.sum(axis=0)")]),
    ("fc", "db_mean", "Averages dZ over the examples for db instead of summing.",
     [(FC_DB, "db = dZ.mean(axis=0, keepdims=True)")]),
    ("fc", "dA_left_flat", "Returns dA_flat without giving it A_prev's shape back.",
     [("dA_prev = (dZ @ W.T).reshape(A_prev.shape)", "dA_prev = dZ @ W.T")]),
    ("fc", "forgets_bias", "Leaves b out of Z.", [(FC_Z, "Z = A_prev.reshape(A_prev.shape[0], -1) @ W")]),
    ("fc", "dW_divided_by_m", "Divides dW by m, as a layer's backward pass does when the cost's mean is taken "
     "there: here dZ already holds the 1/m.", [("dW = A_flat.T @ dZ", "dW = A_flat.T @ dZ / A_prev.shape[0]")]),
    # softmax_cross_entropy
    ("softmax_cross_entropy", "sums_over_batch", "Sums the loss over the batch instead of averaging it.",
     [(SOFTMAX_LOSS, "loss = float(-np.sum(Y * log_probs))")]),
    ("softmax_cross_entropy", "mean_over_every_entry", "Takes np.mean of Y * log P over all m * C entries, "
     "dividing by C too.", [(SOFTMAX_LOSS, "loss = float(-np.mean(Y * log_probs))")]),
    ("softmax_cross_entropy", "dZ_without_m", "Forgets to divide dZ by m: the gradient of the summed loss.",
     [(SOFTMAX_DZ, "dZ = np.exp(log_probs) - Y")]),
    ("softmax_cross_entropy", "dZ_sign", "Writes dZ as (Y - P) / m: the gradient's opposite.",
     [(SOFTMAX_DZ, "dZ = (Y - np.exp(log_probs)) / m")]),
    ("softmax_cross_entropy", "shifts_by_column_max", "Subtracts each column's largest score (axis=0) instead "
     "of each row's: that changes the probabilities.",
     [("Z.max(axis=1, keepdims=True)", "Z.max(axis=0, keepdims=True)")]),
    # update_parameters
    ("update_parameters", "wrong_sign", "Moves along the gradient instead of against it.",
     [("value - learning_rate *", "value + learning_rate *")]),
    ("update_parameters", "ignores_learning_rate", "Subtracts the whole gradient, forgetting the learning rate.",
     [("value - learning_rate * grads", "value - grads")]),
    # model_forward_backward
    ("model_forward_backward", "forgets_relu_backward", "Skips relu_backward: the pooling's gradient goes "
     "straight to the convolution.", [("dZ1 = relu_backward(dA1, relu_cache)", "dZ1 = dA1")]),
    ("model_forward_backward", "relu_mask_includes_zero", "Writes the ReLU's backward itself as dA1 * (Z1 >= 0): the "
     "gradient passes where Z1 is exactly 0 (blank rows with b1 = 0, the notebook's start), where the derivative is "
     "taken as 0.", [("dZ1 = relu_backward(dA1, relu_cache)", "dZ1 = dA1 * (Z1 >= 0)")]),
    ("model_forward_backward", "relu_threshold", "Writes the ReLU's backward itself as dA1 * (Z1 > 1e-6): blocks the "
     "gradient where Z1 is positive but small (blank rows with a small bias).",
     [("dZ1 = relu_backward(dA1, relu_cache)", "dZ1 = dA1 * (Z1 > 1e-6)")]),
    ("model_forward_backward", "average_pooling", "Pools with the average instead of the max, forward and "
     "backward.", [('mode="max"', 'mode="average"')]),
    ("model_forward_backward", "conv_pad_0", "Convolves with pad 0: the pooled maps are 3x3, not 4x4, and no "
     "longer fit W2.", [('{"pad": 1, "stride": 1}', '{"pad": 0, "stride": 1}')]),
    ("model_forward_backward", "grads_named_like_parameters", "Names the gradients W1, b1, W2, b2 instead of "
     "dW1, db1, dW2, db2.", [('"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2',
                               '"W1": dW1, "b1": db1, "W2": dW2, "b2": db2')]),
    ("model_forward_backward", "pools_pre_activation", "Pools Z1 instead of A1: the forward pass has no ReLU, "
     "while the backward pass still masks with it.",
     [("pool_forward(A1, ", "pool_forward(Z1, ")]),
    ("model_forward_backward", "fc_gradients_unpacked_in_wrong_order", "Unpacks fc_backward's result as "
     "(dW2, db2, dP1) instead of (dP1, dW2, db2).",
     [("dP1, dW2, db2 = fc_backward(dZ2, fc_cache)", "dW2, db2, dP1 = fc_backward(dZ2, fc_cache)")]),
]
