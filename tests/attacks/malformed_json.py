"""The notebook file is not valid JSON (a truncated notebook).

The grader cannot read it. The claim to check: the batch goes on, the student is in
the gradebook with 0 and the report says why.
Without protection: nbgrader fails on this student; the batch may stop.
"""
EXPECT = set()
NOTEBOOK_BYTES = b'{"cells": [{"cell_type": "code", "source": "def zero_pad(X, pad):\\n    return X\\n", "metadata": {'
