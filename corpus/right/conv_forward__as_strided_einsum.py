"""Vectorised with as_strided and einsum, padding with np.pad directly."""
import numpy as np
from numpy.lib.stride_tricks import as_strided


def conv_forward(A_prev, W, b, hparameters):
    s, p = hparameters["stride"], hparameters["pad"]
    f, _, _, n_C = W.shape
    P = np.ascontiguousarray(np.pad(A_prev, ((0, 0), (p, p), (p, p), (0, 0))))
    m, H, Wd, C = P.shape
    n_H, n_W = (H - f) // s + 1, (Wd - f) // s + 1
    sm, sh, sw, sc = P.strides
    windows = as_strided(P, (m, n_H, n_W, f, f, C), (sm, sh * s, sw * s, sh, sw, sc), writeable=False)
    Z = np.einsum("mhwijc,ijck->mhwk", windows, W) + b[0, 0, 0]
    return Z, (A_prev, W, b, hparameters)
