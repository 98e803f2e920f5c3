"""Silence tracebacks: replace sys.excepthook and IPython's showtraceback, implement nothing.

With tracebacks silenced a failing test cell shows no error output, and nbgrader gives
a test cell without error output full points.
Without protection: it would win 100 points if nbgrader only looked at the outputs;
nbgrader 0.9.6 also adds the kernel's error reply as an output, which may stop it.
"""
BASE = "release"
EXPECT = set()
APPEND = {"zero_pad": '''
import sys as _sys

_sys.excepthook = lambda *args: None
_shell = get_ipython()
_shell.showtraceback = lambda *args, **kwargs: None
_shell._showtraceback = lambda *args, **kwargs: None
_shell.showsyntaxerror = lambda *args, **kwargs: None
'''}
