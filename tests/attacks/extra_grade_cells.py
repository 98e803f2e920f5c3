"""Add grade cells of its own: a new test cell worth 100, a duplicate of each test cell that passes.

The notebook gets (1) a new code cell marked as an autograder test with its own grade id
and 100 points, holding ``pass``; (2) before each real test cell, a copy of it with the
same grade id and the source ``pass``; (3) every solution cell marked as a grade cell
worth 100 points. Nothing is implemented. A grader that believes cell metadata, or
that keeps the first of two cells with one id, scores the cells that pass.
Without protection: nothing if nbgrader strips unknown ids, deduplicates and restores
metadata (as 0.9.6 should); up to 100+ points otherwise.
"""
import copy

import nbformat

BASE = "release"
EXPECT = set()


def EDIT(nb):
    cells = []
    for cell in nb.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        if nbgrader.get("grade") and nbgrader.get("grade_id", "").startswith("test_"):
            fake = copy.deepcopy(cell)
            fake.source = "pass\n"
            fake.pop("id", None)
            cells.append(nbformat.from_dict(fake))
        if nbgrader.get("solution"):
            nbgrader.update(grade=True, points=100)
        cells.append(cell)
    bonus = nbformat.v4.new_code_cell("pass\n")
    bonus.metadata["nbgrader"] = {"grade": True, "grade_id": "test_bonus", "locked": True, "points": 100,
                                  "solution": False, "schema_version": 3}
    cells.append(bonus)
    nb.cells = cells
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
