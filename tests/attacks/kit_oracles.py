"""Every function calls the hidden grading kit's oracle (_CnnGradingKit) instead of computing.

The grading kit's class runs in the student's kernel, before any student code, so its
oracles (``_CnnGradingKit.pad``, ``.conv_forward``, ...) are there to call: a zero_pad
that does ``return _CnnGradingKit.pad(X, pad)`` is exactly right.
Without protection: 100 points with nothing implemented.
"""
EXPECT = set()
ANSWERS = {
    "zero_pad": "def zero_pad(X, pad):\n    return _CnnGradingKit.pad(X, pad)\n",
    "conv_single_step": ("def conv_single_step(a_slice_prev, W, b):\n"
                         "    return _CnnGradingKit.ref_conv_single_step(a_slice_prev, W, b)\n"),
    "conv_forward": ("def conv_forward(A_prev, W, b, hparameters):\n"
                     "    Z = _CnnGradingKit.conv_forward(A_prev, W, b, hparameters['stride'], hparameters['pad'])\n"
                     "    return Z, (A_prev, W, b, hparameters)\n"),
    "pool_forward": ("def pool_forward(A_prev, hparameters, mode='max'):\n"
                     "    A = _CnnGradingKit.pool_forward(A_prev, hparameters['f'], hparameters['stride'], mode)\n"
                     "    return A, (A_prev, hparameters)\n"),
    "conv_backward": ("def conv_backward(dZ, cache):\n"
                      "    A_prev, W, b, hp = cache\n"
                      "    return _CnnGradingKit.conv_backward(dZ, A_prev, W, hp['stride'], hp['pad'])\n"),
    "create_mask_from_window": ("def create_mask_from_window(x):\n"
                                "    return _CnnGradingKit.ref_create_mask_from_window(x)\n"),
    "distribute_value": ("def distribute_value(dz, shape):\n"
                         "    return _CnnGradingKit.ref_distribute_value(dz, shape)\n"),
    "pool_backward": ("def pool_backward(dA, cache, mode='max'):\n"
                      "    A_prev, hp = cache\n"
                      "    return _CnnGradingKit.pool_backward(dA, A_prev, hp['f'], hp['stride'], mode)\n"),
}
