"""Code fitted to the worked examples: right for the visible checks, wrong everywhere else.

The functions hold the worked examples' parameters as constants (pad 2, stride 2,
f 3, ...) or return the expected output outright. No trick: the control case showing
that the hidden tests, wherever they run, still catch a submission fitted to the
visible checks.
Without protection: nothing (the hidden tests catch it); it must stay that way.
"""
from ._shapes import worked_example_only

EXPECT = set()
ANSWERS = worked_example_only
