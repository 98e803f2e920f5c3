"""Return arrays and floats that lie when compared: an ndarray subclass and a float subclass.

``Liar`` is an ndarray subclass holding zeros of the right shape whose comparisons,
subtractions and absolute values say "equal": ``__eq__`` is all True, ``__sub__`` and
``__abs__`` give zeros, ``__lt__``/``__le__`` are True, and through
``__array_function__`` numpy's ``allclose``/``isclose``/``array_equal``/``all`` answer
True for it; ``tolist`` returns a list that equals anything. conv_single_step returns a
float subclass equal to every number. Checks that compare the student's object, in
the kernel, believe it.
Without protection: most of the 100 points with nothing implemented.
"""
from ._shapes import SHAPE_ONLY

EXPECT = set()
LIARS = '''
import numpy as _np


class _Yes(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


class Liar(_np.ndarray):
    def __new__(cls, array):
        return _np.asarray(array).view(cls)

    def __eq__(self, other):
        return _np.ones(self.shape, dtype=bool)

    def __ne__(self, other):
        return _np.zeros(self.shape, dtype=bool)

    def __lt__(self, other):
        return _np.ones(self.shape, dtype=bool)

    __le__ = __lt__

    def __sub__(self, other):
        return _np.zeros(_np.broadcast(_np.asarray(self), _np.asarray(other)).shape)

    __rsub__ = __sub__

    def __abs__(self):
        return Liar(_np.zeros(self.shape))

    def tolist(self):
        return _Yes(_np.asarray(self).tolist())

    def __array_function__(self, func, types, args, kwargs):
        if func in (_np.allclose, _np.array_equal, _np.array_equiv, _np.all):
            return True
        if func is _np.isclose:
            return _np.ones(_np.broadcast(*[_np.asarray(a) for a in args[:2]]).shape, dtype=bool)
        if func in (_np.mean, _np.sum, _np.max, _np.min):
            return Liar(_np.asarray(super().__array_function__(func, tuple(_np.ndarray if t is Liar else t for t in types), args, kwargs)))
        return super().__array_function__(func, types, args, kwargs)


class LiarFloat(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__

    def __abs__(self):
        return 0.0

    def __lt__(self, other):
        return True

    __le__ = __lt__
    __hash__ = float.__hash__

'''
# Every `return X` of the shape-only functions becomes `return _lie((X))`.
ANSWERS = {name: "\n".join(line.replace("return ", "return _lie((") + "))" if line.lstrip().startswith("return ") else line
                           for line in source.split("\n")) for name, source in SHAPE_ONLY.items()}
ANSWERS["zero_pad"] = LIARS + '''

def _lie(value):
    if isinstance(value, tuple):  # the arrays returned lie; the cache is left as it is
        return tuple(_lie(v) if isinstance(v, (_np.ndarray, float)) else v for v in value)
    if isinstance(value, _np.ndarray):
        return Liar(value)
    if isinstance(value, float):
        return LiarFloat(value)
    return value


''' + ANSWERS["zero_pad"]
