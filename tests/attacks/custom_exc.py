"""Swallow every exception with IPython's custom exception handler, implement nothing.

``get_ipython().set_custom_exc((BaseException,), handler)`` makes IPython call the
handler instead of showing a traceback; the handler also walks up to IPython's
``run_code`` frame and clears ``result.error_in_exec``, so the kernel replies "ok"
and no error output reaches nbgrader, which then gives the test cell full points.
Without protection: 100 points with nothing implemented.
"""
BASE = "release"
EXPECT = set()
APPEND = {"zero_pad": '''
import sys as _sys


def _swallow(shell, etype, value, tb, tb_offset=None):
    frame = _sys._getframe(1)
    while frame is not None:
        result = frame.f_locals.get("result")
        if result is not None and hasattr(result, "error_in_exec"):
            result.error_in_exec = None
        frame = frame.f_back
    return []


get_ipython().set_custom_exc((BaseException,), _swallow)
'''}
