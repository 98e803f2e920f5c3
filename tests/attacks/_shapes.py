"""Pieces several attacks share: functions that return the right shapes and nothing else.

SHAPE_ONLY implements none of the eight functions: each returns zeros (or False, or 0.0)
of the shape the contract asks for, so that only a grader fooled on the values can
give it a point.
"""

SHAPE_ONLY = {
    "zero_pad": '''def zero_pad(X, pad):
    m, n_H, n_W, n_C = X.shape
    return np.zeros((m, n_H + 2 * pad, n_W + 2 * pad, n_C), dtype=X.dtype)
''',
    "conv_single_step": '''def conv_single_step(a_slice_prev, W, b):
    return 0.0
''',
    "conv_forward": '''def conv_forward(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, n_C = W.shape[0], W.shape[3]
    pad, stride = hparameters["pad"], hparameters["stride"]
    n_H = (n_H_prev + 2 * pad - f) // stride + 1
    n_W = (n_W_prev + 2 * pad - f) // stride + 1
    return np.zeros((m, n_H, n_W, n_C)), (A_prev, W, b, hparameters)
''',
    "pool_forward": '''def pool_forward(A_prev, hparameters, mode="max"):
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f, stride = hparameters["f"], hparameters["stride"]
    n_H = (n_H_prev - f) // stride + 1
    n_W = (n_W_prev - f) // stride + 1
    return np.zeros((m, n_H, n_W, n_C)), (A_prev, hparameters)
''',
    "conv_backward": '''def conv_backward(dZ, cache):
    A_prev, W, b, _ = cache
    return np.zeros(A_prev.shape), np.zeros(W.shape), np.zeros(b.shape)
''',
    "create_mask_from_window": '''def create_mask_from_window(x):
    return np.zeros(np.shape(x), dtype=bool)
''',
    "distribute_value": '''def distribute_value(dz, shape):
    return np.zeros(shape)
''',
    "pool_backward": '''def pool_backward(dA, cache, mode="max"):
    A_prev, _ = cache
    return np.zeros(A_prev.shape)
''',
}


def worked_example_only(reference):
    """The reference solutions with the worked examples' parameters written in as constants.

    Each passes its visible checks (the worked example uses exactly these numbers) and
    fails on any other input: a student who fitted the code to the expected output.
    """
    edits = {
        "zero_pad": [("(pad, pad), (pad, pad)", "(2, 2), (2, 2)")],
        "conv_forward": [('stride = hparameters["stride"]', "stride = 2"), ('pad = hparameters["pad"]', "pad = 2")],
        "pool_forward": [('f = hparameters["f"]', "f = 3"), ('stride = hparameters["stride"]', "stride = 2")],
        "conv_backward": [('stride = hparameters["stride"]', "stride = 2"), ('pad = hparameters["pad"]', "pad = 2")],
        "pool_backward": [('stride = hparameters["stride"]', "stride = 1"), ('f = hparameters["f"]', "f = 2")],
    }
    answers = {}
    for name, replacements in edits.items():
        source = reference[name]
        for old, new in replacements:
            assert old in source, (name, old)
            source = source.replace(old, new)
        answers[name] = source
    answers["conv_single_step"] = "def conv_single_step(a_slice_prev, W, b):\n    return -6.999089450680221\n"
    answers["create_mask_from_window"] = ("def create_mask_from_window(x):\n"
                                          "    return np.array([[True, False, False], [False, False, False]])\n")
    answers["distribute_value"] = "def distribute_value(dz, shape):\n    return np.full(shape, 0.5)\n"
    return answers
