"""The notebook file is empty (0 bytes), as a failed upload leaves it.

The claim to check: the batch goes on, the student is in the gradebook with 0.
Without protection: nbgrader fails on this student; the batch may stop.
"""
EXPECT = set()
NOTEBOOK_BYTES = b""
