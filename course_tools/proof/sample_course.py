"""The course that the proof code and the tests grade: a fresh copy of this repository's, and part 1's names."""
import shutil
from pathlib import Path

from course_tools.course import ASSIGNMENT, ROOT, Course

# Part 1's notebook and graded functions, for the code written for part 1 alone (its corpus, demo
# students, benchmark and tests). The grading pipeline does not use them: a Course's notebook is
# its assignment's name and its graded parts come from the gradebook (Course.graded_cells).
NOTEBOOK = ASSIGNMENT
GRADED_FUNCTIONS = ["zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
                    "create_mask_from_window", "distribute_value", "pool_backward"]


def course_copy(folder):
    """A course in `folder` holding this repo's nbgrader_config.py, grading/ and source/, nothing generated yet."""
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    shutil.copytree(ROOT / "source", Path(folder) / "source")
    shutil.copytree(ROOT / "grading", Path(folder) / "grading", ignore=shutil.ignore_patterns("__pycache__"))
    return Course(Path(folder))
