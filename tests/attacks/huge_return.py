"""Return a 256 MiB array from every call of zero_pad, for whoever has to receive and read it.

Nothing is implemented: zero_pad returns ``np.zeros(2**25)`` (256 MiB of float64) every
time it is called, and the hidden tests call it several times. In a grader that brings
results out of the kernel as data, each call is a 256 MiB message, encoded and decoded
in the grader's memory (outside the sandbox's limits); bounded here at 256 MiB per call.
Without protection (checks in the kernel): nothing; the wrong shape fails at once.
"""
BASE = "release"
EXPECT = set()
ANSWERS = {"zero_pad": "def zero_pad(X, pad):\n    return np.zeros(2 ** 25)\n"}
