"""A keyring relay: store your own solutions in the kernel keyrings, take the rest from them.

Every student who hands in this notebook implements some functions and leaves the
others to the relay. Each implemented function's cell stores its source in the user,
session and user-session keyrings (``add_key``); each other function's cell searches
those keyrings (``keyctl``) for a source an earlier student stored and runs it, and
otherwise leaves the release's stub. Kernels forked from one template shared the
template's user namespace and session keyring, so the issue's red team, graded after
students who had stored their code, got 100/100 with the untouched release plus this
loader. Here it implements zero_pad and conv_single_step: whatever the keyrings hold,
it must earn those two and nothing else.
Without protection: every function that any student graded earlier on the same worker
stored.
"""
from ._relay import relay_answers

IMPLEMENTED = ("zero_pad", "conv_single_step")
EXPECT = set(IMPLEMENTED)
BASE = "release"

RELAY = '''
import ctypes as _ctypes

_libc = _ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = _ctypes.c_long
# The user and user-session keyrings. Not the session keyring: adding to it gives the kernel a session
# keyring of its own, from which the user keyring's keys are no longer possessed, hence unreadable.
_RINGS = (-4, -5)


def _relay_name(name):
    return ("cnnattack_keyring_relay:" + name).encode()


def _relay_read(name):
    """The source an earlier student stored under name, or None."""
    for ring in _RINGS:
        key = _libc.syscall(250, 10, _ctypes.c_long(ring), b"user", _relay_name(name), 0)  # KEYCTL_SEARCH
        if key > 0:
            found = _ctypes.create_string_buffer(65536)
            size = _libc.syscall(250, 11, _ctypes.c_long(key), found, 65536)  # KEYCTL_READ
            if 0 < size <= 65536:
                return found.raw[:size].decode()
    return None


def _relay_write(name, source):
    data = source.encode()
    for ring in _RINGS:
        _libc.syscall(248, b"user", _relay_name(name), data, len(data), _ctypes.c_long(ring))  # add_key
'''


def ANSWERS(reference):
    return relay_answers(RELAY, reference, IMPLEMENTED)
