"""Every function finds the grader's oracle in its caller's frames and returns its answer.

Each function walks up the call stack (``sys._getframe``) and looks in every frame's
locals and globals for an object with the oracle it needs (a ``pad`` / ``conv_forward``
/ ... method, or a ``want`` value); it returns what the oracle computes. Whoever calls
the function from inside the kernel, the kit or a shim, is visible this way.
Without protection: 100 points with nothing implemented.
"""
EXPECT = set()
_FIND = '''import sys as _sys


def _oracle(attribute):
    frame = _sys._getframe(2)
    while frame is not None:
        for namespace in (frame.f_locals, frame.f_globals):
            for value in list(namespace.values()):
                if isinstance(value, type) and hasattr(value, attribute) and hasattr(value, "ref_zero_pad"):
                    return value
        frame = frame.f_back
    raise NotImplementedError("no oracle found")


'''
ANSWERS = {
    "zero_pad": _FIND + "def zero_pad(X, pad):\n    return _oracle('pad').pad(X, pad)\n",
    "conv_single_step": ("def conv_single_step(a_slice_prev, W, b):\n"
                         "    return _oracle('ref_conv_single_step').ref_conv_single_step(a_slice_prev, W, b)\n"),
    "conv_forward": ("def conv_forward(A_prev, W, b, hparameters):\n"
                     "    Z = _oracle('conv_forward').conv_forward(A_prev, W, b, hparameters['stride'], hparameters['pad'])\n"
                     "    return Z, (A_prev, W, b, hparameters)\n"),
    "pool_forward": ("def pool_forward(A_prev, hparameters, mode='max'):\n"
                     "    A = _oracle('pool_forward').pool_forward(A_prev, hparameters['f'], hparameters['stride'], mode)\n"
                     "    return A, (A_prev, hparameters)\n"),
    "conv_backward": ("def conv_backward(dZ, cache):\n"
                      "    A_prev, W, b, hp = cache\n"
                      "    return _oracle('conv_backward').conv_backward(dZ, A_prev, W, hp['stride'], hp['pad'])\n"),
    "create_mask_from_window": ("def create_mask_from_window(x):\n"
                                "    return _oracle('ref_create_mask_from_window').ref_create_mask_from_window(x)\n"),
    "distribute_value": ("def distribute_value(dz, shape):\n"
                         "    return _oracle('ref_distribute_value').ref_distribute_value(dz, shape)\n"),
    "pool_backward": ("def pool_backward(dA, cache, mode='max'):\n"
                      "    A_prev, hp = cache\n"
                      "    return _oracle('pool_backward').pool_backward(dA, A_prev, hp['f'], hp['stride'], mode)\n"),
}
