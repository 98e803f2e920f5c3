"""Forge a result larger than the cell's points: zero_pad displays 10**9, then fails.

nbgrader raises ValueError when a test cell's result exceeds its points; depending on
where that error lands it may abort this student's grading, or the whole batch.
Without protection: breaks grading (its own, maybe the class's); wins nothing itself.
"""
BASE = "release"
EXPECT = set()
ANSWERS = {"zero_pad": '''def zero_pad(X, pad):
    import sys
    sys.displayhook(10 ** 9)
    raise NotImplementedError()
'''}
