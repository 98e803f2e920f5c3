"""Hand in a notebook of 1 GiB: the honest notebook, then a sparse gigabyte.

All eight functions are honest, in a valid notebook at the start of the file; the file is
then extended (sparse: no disk is used) to 1 GiB. A grader that reads it whole holds a
gigabyte, and one that parses it first (nbgrader) far more. The claim to check: staging
refuses it before reading it (its size is over the submission's cap), says so, and the batch
goes on; the grader's memory and time stay an honest student's.
The problem names the notebook's size (it said "missing notebook: the folder holds no .ipynb file
(cnn_step_by_step.ipynb)" before, the copy having stopped at the cap).
Without protection: the grader reads and parses 1 GiB (the copy alone writes it to disk).
"""
import os

EXPECT = set()
PROBLEMS = ("the notebook is 1024.0 MiB",)
BUDGET_SECONDS = 10


def PREPARE(folder):
    os.truncate(folder / "cnn_step_by_step.ipynb", 2 ** 30)
