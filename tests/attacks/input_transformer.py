"""Blank every later test cell with an IPython input transformer, implement nothing.

The zero_pad cell appends a function to ``get_ipython().input_transformers_cleanup``:
IPython runs it on the source of every cell before compiling it, and it turns any
cell that checks a function into ``pass``. A test cell that runs ``pass`` has no
error output, so nbgrader's rule gives it full points.
Without protection: 100 points with nothing implemented.
"""
BASE = "release"
EXPECT = set()
APPEND = {"zero_pad": '''
def _blank_the_checks(lines):
    text = "".join(lines)
    if "visible checks" in text or "_CnnGradingKit" in text or "Checks on" in text:
        return ["pass\\n"]
    return lines


get_ipython().input_transformers_cleanup.append(_blank_the_checks)
'''}
