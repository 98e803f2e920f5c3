"""Time the grading of the reference (naive four-loop) solution with the real nbgrader.

Prints the wall time of `nbgrader autograde` for one submission and the time of every
test cell as the autograder ran it, read from nbclient's timing metadata, next to the
cell timeout. Run with ``python -m course_tools.benchmark`` (``make benchmark``).
"""
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from course_tools import submissions
from course_tools.course import NOTEBOOK, Course

ROOT = Path(__file__).resolve().parent.parent
CELL_TIMEOUT = 30  # c.Execute.timeout in nbgrader_config.py


def cell_seconds(cell):
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    return (datetime.fromisoformat(end.rstrip("Z")) - datetime.fromisoformat(start.rstrip("Z"))).total_seconds()


def main():
    with tempfile.TemporaryDirectory() as folder:
        course = Course(Path(folder))
        shutil.copy(ROOT / "nbgrader_config.py", course.root)
        shutil.copytree(ROOT / "source", course.root / "source")
        course.generate()
        answers = submissions.reference_solutions(submissions.read(course.source_notebook))
        submissions.write(submissions.fill(submissions.read(course.release_notebook), answers),
                          course.root, "reference", course.assignment, NOTEBOOK)
        started = time.perf_counter()
        course.autograde("reference")
        wall = time.perf_counter() - started
        graded = submissions.read(course.root / "autograded" / "reference" / course.assignment / f"{NOTEBOOK}.ipynb")
        total = course.scores()["reference"]["total"]
    rows = [(submissions.grade_id(c), cell_seconds(c)) for c in graded.cells
            if c.metadata.get("nbgrader", {}).get("grade")]
    print(f"{'test cell':<32}{'seconds':>9}")
    for name, seconds in rows:
        print(f"{name:<32}{seconds:>9.3f}")
    slowest = max(rows, key=lambda row: row[1])
    print(f"\nslowest test cell: {slowest[0]} {slowest[1]:.3f} s = {slowest[1] / CELL_TIMEOUT:.1%} of the "
          f"{CELL_TIMEOUT} s cell timeout")
    print(f"nbgrader autograde of the reference solution: {wall:.1f} s wall (one process, one submission), "
          f"score {total:g}/100")
    return 0


if __name__ == "__main__":
    sys.exit(main())
