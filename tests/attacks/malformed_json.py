"""The notebook file is not valid JSON (a truncated notebook).

The grader cannot read it. The claim to check: the batch goes on, the student is in
the gradebook with 0 and the report says why.
Staging now says why in words ("not graded: the notebook file is empty", "... is not a JSON file (...)"), where
nbgrader said only "There was an error processing assignment: /tmp/cnn-grading-course-...".
Without protection: nbgrader fails on this student; the batch may stop.
"""
EXPECT = set()
PROBLEMS = ("not graded: the notebook",)
NOTEBOOK_BYTES = b'{"cells": [{"cell_type": "code", "source": "def zero_pad(X, pad):\\n    return X\\n", "metadata": {'
