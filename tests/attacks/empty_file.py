"""The notebook file is empty (0 bytes), as a failed upload leaves it.

The claim to check: the batch goes on, the student is in the gradebook with 0.
Staging now says why in words ("not graded: the notebook file is empty", "... is not a JSON file (...)"), where
nbgrader said only "There was an error processing assignment: /tmp/cnn-grading-course-...".
Without protection: nbgrader fails on this student; the batch may stop.
"""
EXPECT = set()
PROBLEMS = ("not graded: the notebook",)
NOTEBOOK_BYTES = b""
