def pool_windows(A_prev, f, stride):
    """A view of every f x f window of A_prev at the given stride: shape (m, n_H, n_W, n_C, f, f)."""
    windows = np.lib.stride_tricks.sliding_window_view(A_prev, (f, f), axis=(1, 2))
    return windows[:, ::stride, ::stride]


def pool_forward(A_prev, hparameters, mode="max"):
    """
    The forward pass of a pooling layer, vectorised (the same contract as part 1's).

    Arguments:
    A_prev -- numpy array of shape (m, n_H_prev, n_W_prev, n_C)
    hparameters -- dictionary with the keys "f" and "stride"
    mode -- "max" or "average"

    Returns:
    A -- numpy array of shape (m, n_H, n_W, n_C)
    cache -- the tuple (A_prev, hparameters), kept for pool_backward
    """
    windows = pool_windows(A_prev, hparameters["f"], hparameters["stride"])
    A = windows.max(axis=(4, 5)) if mode == "max" else windows.mean(axis=(4, 5))
    return A, (A_prev, hparameters)


def pool_backward(dA, cache, mode="max"):
    """
    The backward pass of a pooling layer, vectorised: each output's gradient goes back to its
    window, to the window's maximum (mode "max") or spread evenly (mode "average").

    Unlike part 1's, a window whose maximum occurs more than once sends the gradient to the first
    of them only (in reading order). That is the true gradient of the max: raising all the tied
    entries together raises the max once, not once per entry. Ties are common here: the digits'
    background is exactly 0, and so is everything ReLU cuts off.

    Arguments:
    dA -- numpy array of shape (m, n_H, n_W, n_C), gradient of the cost with respect to A
    cache -- the tuple (A_prev, hparameters) that pool_forward returned
    mode -- "max" or "average"

    Returns:
    dA_prev -- numpy array of A_prev's shape
    """
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    _, n_H, n_W, _ = dA.shape
    windows = pool_windows(A_prev, f, stride)[:, :n_H, :n_W]
    if mode == "max":
        flat = windows.reshape(*windows.shape[:4], f * f)
        share = (np.arange(f * f) == flat.argmax(axis=-1)[..., None]).reshape(windows.shape)
    else:
        share = np.full(windows.shape, 1 / (f * f))
    spread = share * dA[:, :, :, :, None, None]  # (m, n_H, n_W, n_C, f, f)
    dA_prev = np.zeros(A_prev.shape)
    # Windows overlap when stride < f: add each kernel offset's share in turn.
    for i in range(f):
        for j in range(f):
            dA_prev[:, i:i + stride * n_H:stride, j:j + stride * n_W:stride, :] += spread[..., i, j]
    return dA_prev
