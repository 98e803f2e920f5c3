"""Read and write notebooks by code, never by editing notebook JSON by hand: grade ids, solutions without
their markers, and submission notebooks made from the release."""
import re
from pathlib import Path

import nbformat

SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def read(path):
    return nbformat.read(str(path), as_version=4)


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def reference_solutions(source_nb):
    """The source notebook's solution cells, markers removed: {grade_id: code}."""
    return {
        grade_id(cell): "\n".join(line for line in cell.source.split("\n") if not SOLUTION_MARKER.match(line))
        for cell in source_nb.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }


def fill(release_nb, answers):
    """A copy of the release notebook with the solution cells named in `answers` replaced."""
    nb = nbformat.from_dict(release_nb)  # deep copy
    unknown = set(answers) - {grade_id(cell) for cell in nb.cells}
    if unknown:
        raise KeyError(f"no solution cell named {sorted(unknown)} in the release")
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def write(nb, course_root, student, assignment, notebook_name):
    path = Path(course_root) / "submitted" / student / assignment / f"{notebook_name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path
