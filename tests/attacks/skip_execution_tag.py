"""Tag every test cell "skip-execution", implement nothing.

nbclient (which nbgrader's Execute preprocessor is) does not run a cell tagged
``skip-execution``; nbgrader restores a test cell's source, points and type but not its
tags, and scores a test cell with no output as passed.
Without protection: 100 points with nothing implemented.
"""
BASE = "release"
EXPECT = set()


def EDIT(nb):
    for cell in nb.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        if nbgrader.get("grade") and not nbgrader.get("solution"):
            cell.metadata.setdefault("tags", []).append("skip-execution")
