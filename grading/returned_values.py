"""A digest of what the student's functions returned on a test cell's hidden cases, for the class report: two
students whose functions gave the same values on the same cases (the same bug, say) share it.

``fold_outcome`` folds one call's outcome, as ``KernelCalls.outcome`` decoded it, into a test cell's
hashlib.blake2b, after the called function's name, canonically: a float (scalar or array, real or complex) as
float32, -0.0 as 0.0 and every NaN the same NaN, so that code computing the same values in another order
(differences of 1e-16) usually folds the same; an integer or boolean array as little-endian 8-byte integers (1-byte
for booleans), whatever its width and byte order; every array with its dtype's kind and its shape; tuples, lists
and dicts (their pairs in the order of the keys' own digests) item by item with a tag and a length; strings, ints
and None; any other value (a placeholder, grading/plain_data.py) as its type's name. An error is its type's name
and its message, but KernelCalls.outcome folds none: a cell in which a function raised, or whose hidden tests
stopped before judging the values, has no record (its type alone, once the grader is quiet, would make two
different mistakes alike).

The same notebook graded twice gets the same digests. Outcomes of inputs the kit draws afresh at each grading
(part 2's timed calls, which bring back a digest of their result, and the training's weighed sums) are not
folded (KernelCalls.outcome's `recorded`): they would make those cells' digests match nothing.

Everything here comes from the kernel, decoded: hostile, but only of plain_data's types and within its
Budget. The fold never raises (a verdict must not depend on it) and costs a few passes over the value's bytes,
the copy to float32 and the hash (31 ms for a 1000x28x28x8 float64 array, 48 MiB; measured).
"""
import hashlib

import numpy as np

DIGEST_BYTES = 16  # 32 hex characters
MAX_DEPTH = 32  # plain_data nests at most 8 deep; deeper is folded as a mark, never walked
NAN = np.float32("nan").tobytes()


def new_record():
    """An empty record of one test cell's outcomes."""
    return hashlib.blake2b(digest_size=DIGEST_BYTES)


def fold_outcome(hasher, name, result, error):
    """Fold one call of the notebook's `name` into `hasher`: its result, or the exception it raised
    (`error`, not None). Never raises."""
    try:
        _text(hasher, b"N", name)
        if error is not None:
            _text(hasher, b"E", type(error).__name__)
            _text(hasher, b"M", str(error))
        else:
            hasher.update(b"R")
            _fold(hasher, result, 0)
    except Exception:  # not expected of decoded values; the record says so rather than fail the cell
        hasher.update(b"?")


def _length(count):
    return int(count).to_bytes(8, "little")


def _text(hasher, tag, text):
    data = str(text).encode("utf-8", "surrogatepass")  # JSON may carry lone surrogates
    hasher.update(tag + _length(len(data)))
    hasher.update(data)


def _floats(array):
    """`array`'s values as float32 (a complex one's as pairs of them), -0.0 as 0.0, one NaN: a flat C array."""
    with np.errstate(all="ignore"):  # overflow to inf, NaN: values, not errors
        # A copy always (np.array): the hidden tests go on with the value as decoded.
        if array.dtype.kind == "c":
            flat = np.array(array, dtype="<c8", order="C").reshape(-1).view("<f4")
        else:
            flat = np.array(array, dtype="<f4", order="C").reshape(-1)
        flat += np.float32(0)  # -0.0 + 0.0 is 0.0
        nan = np.isnan(flat)
        if nan.any():
            flat[nan] = np.frombuffer(NAN, "<f4")[0]
    return flat


def _float(value):
    """A real scalar's 4 bytes, as _floats would make them, without making an array of it."""
    with np.errstate(all="ignore"):
        single = np.float32(value) + np.float32(0)
    return NAN if single != single else single.tobytes()


def _array(hasher, array):
    kind = array.dtype.kind
    hasher.update(b"A" + kind.encode("ascii", "replace") + _length(array.ndim))
    hasher.update(b"".join(_length(n) for n in array.shape))
    if kind in "fc":
        data = _floats(array)
    elif kind == "b":
        data = np.array(array, dtype="u1", order="C")
    elif kind == "u":
        data = np.array(array, dtype="<u8", order="C")
    elif kind == "i":
        data = np.array(array, dtype="<i8", order="C")
    else:  # plain_data decodes no other kind
        _text(hasher, b"K", array.dtype.str)
        return
    hasher.update(_length(data.nbytes))
    hasher.update(data.reshape(-1).view("u1"))


def _fold(hasher, value, depth):
    if depth > MAX_DEPTH:
        hasher.update(b"D")
    elif value is None:
        hasher.update(b"n")
    elif isinstance(value, (bool, np.bool_)):
        hasher.update(b"b1" if value else b"b0")
    elif isinstance(value, (int, np.integer)):
        _text(hasher, b"i", int(value))  # at most 100 digits from plain_data, far below str()'s limit
    elif isinstance(value, (float, np.floating)):
        hasher.update(b"f" + _float(value))
    elif isinstance(value, np.complexfloating):
        hasher.update(b"c")
        hasher.update(_floats(np.array([value])).view("u1"))
    elif isinstance(value, str):
        _text(hasher, b"s", value)
    elif isinstance(value, np.ndarray):
        _array(hasher, value)
    elif isinstance(value, (tuple, list)):
        hasher.update((b"t" if isinstance(value, tuple) else b"l") + _length(len(value)))
        for item in value:
            _fold(hasher, item, depth + 1)
    elif isinstance(value, dict):
        # Keys in the order of their digests: a key's repr may hold an address (a placeholder's), its digest not.
        pairs = sorted((_digest(key, depth + 1), _digest(item, depth + 1)) for key, item in value.items())
        hasher.update(b"d" + _length(len(pairs)))
        for key, item in pairs:
            hasher.update(key + item)
    else:  # a placeholder for an object the grader does not read: its type's name
        _text(hasher, b"o", type(value).__name__)


def _digest(value, depth):
    hasher = new_record()
    _fold(hasher, value, depth)
    return hasher.digest()
