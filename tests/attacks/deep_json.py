"""Hand in a notebook whose first cell's metadata nests 150,000 lists, one inside the next (300 kB).

All eight functions are honest. The file is small, holds a handful of JSON objects and fewer
items than staging counts to; only its depth is unusual. A parser that recurses once per
level (Python's json, nbformat's validator) runs out of stack: in the grader's process,
where a crash of the C stack would take the worker, or a RecursionError nbgrader must
catch. The claim to check: the student is refused with a sentence that says why (0 points:
the notebook cannot be read), the batch goes on, and the grader's memory and time stay an
honest student's.
Staging counts the notebook's nesting on its bytes and refuses it before any parser sees it,
naming the reason.
Without protection: the RecursionError in nbgrader, reported as "not graded:
There was an error processing assignment: /tmp/cnn-grading-course-..." (no reason, a worker's
path); a parser without its recursion check would crash the process that reads it.
"""
EXPECT = set()
PROBLEMS = ("nests JSON more than",)
BUDGET_SECONDS = 10
DEPTH = 150_000


def EDIT(nb):
    nb.cells[0].metadata["cnnattack_deep_json"] = "DEEP"


def PREPARE(folder):
    path = folder / "cnn_step_by_step.ipynb"
    text = path.read_text()
    path.write_text(text.replace('"DEEP"', "[" * DEPTH + "0" + "]" * DEPTH, 1))
