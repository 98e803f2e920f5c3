"""Hand in test cells that already hold their expected outputs, and that do not run.

Each test cell is handed in with the output it prints when it passes ("... visible
checks passed.") and an execute_result worth its points, and its source is replaced by
a comment, so that a grader that keeps outputs, or that does not rerun a cell whose
source it did not restore, scores the stored outputs. Nothing is implemented.
Without protection: nothing if nbgrader clears outputs and restores test cells (as
0.9.6 does); 100 points in a grader that trusts the handed-in outputs.
"""
import nbformat

BASE = "release"
EXPECT = set()


def EDIT(nb):
    for cell in nb.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        gid = nbgrader.get("grade_id", "")
        if nbgrader.get("grade") and gid.startswith("test_"):
            cell.source = "# checked already\n"
            cell.execution_count = 1
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text=f"{gid[5:]}: visible checks passed.\n"),
                nbformat.v4.new_output("execute_result", data={"text/plain": str(nbgrader.get("points", 0))},
                                       execution_count=1),
            ]
