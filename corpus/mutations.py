"""Wrong entries made from the reference solution by one edit each.

Each entry is (function, name, what the mistake is, [(old, new), ...]): every `old`
must occur in the reference solution of `function` (all occurrences are replaced),
so an entry stops building, loudly, if the reference changes under it.
"""

CONV_SIZE_H = "n_H = (n_H_prev + 2 * pad - f) // stride + 1"
CONV_SIZE_W = "n_W = (n_W_prev + 2 * pad - f) // stride + 1"
POOL_SIZE_H = "n_H = (n_H_prev - f) // stride + 1"
POOL_SIZE_W = "n_W = (n_W_prev - f) // stride + 1"
NO_STRIDE = [("vert_start = h * stride", "vert_start = h"), ("horiz_start = w * stride", "horiz_start = w")]
STRIDE_AS_WINDOW = [("vert_end = vert_start + f", "vert_end = vert_start + stride"),
                    ("horiz_end = horiz_start + f", "horiz_end = horiz_start + stride")]

MUTATIONS = [
    # conv_forward
    ("conv_forward", "ignores_stride", "Moves the window one pixel at a time whatever the stride.", NO_STRIDE),
    ("conv_forward", "ceil_output_size", "Rounds the output size up instead of down.",
     [(CONV_SIZE_H, "n_H = int(np.ceil((n_H_prev + 2 * pad - f) / stride)) + 1"),
      (CONV_SIZE_W, "n_W = int(np.ceil((n_W_prev + 2 * pad - f) / stride)) + 1")]),
    ("conv_forward", "operator_precedence", "Leaves out the parentheses, so only f is divided by the stride.",
     [(CONV_SIZE_H, "n_H = n_H_prev + 2 * pad - f // stride + 1"),
      (CONV_SIZE_W, "n_W = n_W_prev + 2 * pad - f // stride + 1")]),
    ("conv_forward", "square_input", "Assumes a square input: the output width is set to the output height.",
     [(CONV_SIZE_W, "n_W = n_H")]),
    ("conv_forward", "swaps_height_and_width", "Slices the window with columns first, swapping height and width.",
     [("a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]",
       "a_prev_pad[horiz_start:horiz_end, vert_start:vert_end, :]")]),
    ("conv_forward", "unpadded_input", "Pads A_prev but slices the window out of the unpadded input.",
     [("a_prev_pad = A_prev_pad[i]", "a_prev_pad = A_prev[i]")]),
    ("conv_forward", "wrong_axis_of_W", "Takes filter c from the first axis of W instead of the last.",
     [("W[:, :, :, c]", "W[c]")]),
    ("conv_forward", "one_input_channel", "Slices only channel c of the window instead of all its channels.",
     [("horiz_start:horiz_end, :]", "horiz_start:horiz_end, c]")]),
    ("conv_forward", "first_bias_for_all", "Uses the first filter's bias for every filter.",
     [("b[:, :, :, c]", "b[:, :, :, 0]")]),
    ("conv_forward", "stride_as_window", "Uses the stride where the filter size belongs in the window's end.",
     STRIDE_AS_WINDOW),
    ("conv_forward", "caches_padded_input", "Caches the padded input instead of A_prev.",
     [("cache = (A_prev, W, b, hparameters)", "cache = (A_prev_pad, W, b, hparameters)")]),
    ("conv_forward", "hyperparameters_by_order", "Unpacks the hyperparameters as pad, stride = hparameters.values(): "
     "right only while the dictionary lists pad first.",
     [('    stride = hparameters["stride"]\n    pad = hparameters["pad"]\n', '    pad, stride = hparameters.values()\n')]),
    ("conv_forward", "renamed_argument", "Names its last parameter hparams: a call that passes hparameters by name fails.",
     [("hparameters", "hparams")]),
    # pool_forward
    ("pool_forward", "hyperparameters_by_order", "Unpacks the hyperparameters as f, stride = hparameters.values(): "
     "right only while the dictionary lists f first.",
     [('    f = hparameters["f"]\n    stride = hparameters["stride"]\n', '    f, stride = hparameters.values()\n')]),
    ("pool_forward", "mode_keyword_only", "Makes mode keyword-only (*, mode=\"max\"): a call that passes it by position "
     "fails.", [('def pool_forward(A_prev, hparameters, mode="max"):', 'def pool_forward(A_prev, hparameters, *, mode="max"):')]),
    ("pool_forward", "ignores_mode", "Always takes the max, whatever the mode.",
     [('if mode == "max":', "if True:")]),
    ("pool_forward", "max_over_all_channels", "Takes the max and mean over every channel of the window.",
     [("A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c]",
       "A_prev[i, vert_start:vert_end, horiz_start:horiz_end, :]")]),
    ("pool_forward", "stride_as_window", "Uses the stride as the window's size.", STRIDE_AS_WINDOW),
    ("pool_forward", "ignores_stride", "Moves the window one pixel at a time whatever the stride.", NO_STRIDE),
    ("pool_forward", "forgets_plus_one", "Forgets the + 1 of the output-size formula.",
     [(POOL_SIZE_H, "n_H = (n_H_prev - f) // stride"), (POOL_SIZE_W, "n_W = (n_W_prev - f) // stride")]),
    ("pool_forward", "sum_for_average", "Sums the window instead of averaging it.",
     [("A[i, h, w, c] = np.mean(a_prev_slice)", "A[i, h, w, c] = np.sum(a_prev_slice)")]),
    ("pool_forward", "compares_mode_by_identity", "Tests the mode with `is` instead of ==: true for the literal "
     "passed in the same module, false for the equal string a caller builds or decodes.",
     [('if mode == "max":', 'if mode is "max":'), ('elif mode == "average":', 'elif mode is "average":')]),
    ("pool_forward", "default_average", "Makes average pooling the default mode.",
     [('mode="max"):', 'mode="average"):')]),
    ("pool_forward", "caches_output", "Caches the pooled output instead of its input.",
     [("cache = (A_prev, hparameters)", "cache = (A, hparameters)")]),
    # conv_backward
    ("conv_backward", "unpads_with_negative_index", "Cuts the padding off with [pad:-pad], empty when pad = 0.",
     [("da_prev_pad[pad:pad + n_H_prev, pad:pad + n_W_prev, :]", "da_prev_pad[pad:-pad, pad:-pad, :]")]),
    ("conv_backward", "ignores_stride", "Moves the window one pixel at a time whatever the stride.", NO_STRIDE),
    ("conv_backward", "overwrites_dA", "Overwrites the window's gradient instead of adding to it.",
     [("da_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :] +=",
       "da_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :] =")]),
    ("conv_backward", "overwrites_dW", "Overwrites dW instead of adding every window's contribution to it.",
     [("dW[:, :, :, c] += a_slice * dZ[i, h, w, c]", "dW[:, :, :, c] = a_slice * dZ[i, h, w, c]")]),
    ("conv_backward", "overwrites_db", "Overwrites db instead of summing dZ into it.",
     [("db[:, :, :, c] += dZ[i, h, w, c]", "db[:, :, :, c] = dZ[i, h, w, c]")]),
    ("conv_backward", "swaps_dA_and_dW_terms", "Sends the window to dA_prev and the weights to dW.",
     [("+= W[:, :, :, c] * dZ[i, h, w, c]", "+= a_slice * dZ[i, h, w, c]"),
      ("dW[:, :, :, c] += a_slice * dZ[i, h, w, c]", "dW[:, :, :, c] += W[:, :, :, c] * dZ[i, h, w, c]")]),
    ("conv_backward", "unpadded_window", "Takes the window for dW from the unpadded input.",
     [("a_prev_pad = A_prev_pad[i]", "a_prev_pad = A_prev[i]")]),
    ("conv_backward", "stride_as_window", "Uses the stride where the filter size belongs in the window's end.",
     STRIDE_AS_WINDOW),
    ("conv_backward", "reuses_input_as_buffer", "Uses A_prev itself as the buffer for dA_prev, wiping the cache.",
     [("dA_prev = np.zeros(A_prev.shape)", "dA_prev = A_prev\n    dA_prev[...] = 0")]),
    ("conv_backward", "zeroes_cached_input", "Returns the right gradients, then zeroes A_prev in the cache it was given.",
     [("    return dA_prev, dW, db", "    A_prev[...] = 0\n    return dA_prev, dW, db")]),
    # pool_backward
    ("pool_backward", "zeroes_cached_input", "Returns the right gradient, then zeroes A_prev in the cache it was given.",
     [("    return dA_prev", "    A_prev[...] = 0\n    return dA_prev")]),
    ("pool_backward", "overwrites_overlaps", "Overwrites where windows overlap instead of adding.",
     [("horiz_start:horiz_end, c] +=", "horiz_start:horiz_end, c] =")]),
    ("pool_backward", "reads_dA_at_input_corner", "Reads dA at the window's corner in the input, not at (h, w).",
     [("dA[i, h, w, c]", "dA[i, vert_start, horiz_start, c]")]),
    ("pool_backward", "isclose_mask", "Marks the window's maximum with np.isclose: with entries closer than its atol "
     "(1e-8), every one of them gets the gradient.",
     [("mask = create_mask_from_window(a_prev_slice)", "mask = np.isclose(a_prev_slice, np.max(a_prev_slice))")]),
    ("pool_backward", "isclose_relative_mask", "Marks the window's maximum with np.isclose and atol=0: its relative "
     "tolerance (1e-5) still marks every entry within a hundred-thousandth of the maximum.",
     [("mask = create_mask_from_window(a_prev_slice)",
       "mask = np.isclose(a_prev_slice, np.max(a_prev_slice), atol=0)")]),
    ("pool_backward", "ratio_mask", "Marks the maximum where x / max(x) == 1: nowhere when the maximum is 0.",
     [("mask = create_mask_from_window(a_prev_slice)", "mask = a_prev_slice / np.max(a_prev_slice) == 1")]),
    ("pool_backward", "default_average", "Makes average pooling the default mode.",
     [('def pool_backward(dA, cache, mode="max"):', 'def pool_backward(dA, cache, mode="average"):')]),
    ("pool_backward", "ignores_mode", "Always routes the gradient as max pooling does.",
     [('if mode == "max":', 'if True:')]),
    ("pool_backward", "divides_by_f", "Spreads the average's gradient as da / f instead of da / f**2.",
     [("distribute_value(da, (f, f))", "np.ones((f, f)) * da / f")]),
    ("pool_backward", "mask_from_gradient", "Builds the mask from dA_prev instead of from A_prev.",
     [("a_prev_slice = a_prev[vert_start:vert_end, horiz_start:horiz_end, c]",
       "a_prev_slice = dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c]")]),
    ("pool_backward", "ignores_stride", "Moves the window one pixel at a time whatever the stride.", NO_STRIDE),
    ("pool_backward", "stride_as_window", "Uses the stride as the window's size.", STRIDE_AS_WINDOW),
]
