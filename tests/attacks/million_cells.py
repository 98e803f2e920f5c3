"""Hand in a notebook of a million empty cells (about 46 MB), under the submission's size cap.

Nothing is implemented: the release's cells come first, then 1,000,000 raw cells that hold
nothing. nbgrader reads, validates, copies and writes every cell in the grader's process,
outside every limit of the sandbox (docs/attacks.md measured 500,000 cells: 390 s of a
worker and 2.4 GiB). The claim to check: staging counts the notebook's JSON objects before
anything parses it and refuses it with a sentence that says why; the grader's memory and
time stay an honest student's.
Without protection: about 13 minutes and 5 GiB of the grader's for one student.
"""
EXPECT = set()
BASE = "release"
PROBLEMS = ("not graded: the notebook is",)
BUDGET_SECONDS = 10
CELLS = 1_000_000


def PREPARE(folder):
    path = folder / "cnn_step_by_step.ipynb"
    text = path.read_text()
    start = text.index('"cells": [') + len('"cells": [')
    filler = '{"cell_type": "raw", "metadata": {}, "source": ""},\n'
    with open(path, "w") as handle:
        handle.write(text[:start])
        for _ in range(CELLS // 10_000):
            handle.write(filler * 10_000)
        handle.write(text[start:])
