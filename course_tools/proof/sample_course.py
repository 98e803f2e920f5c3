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


def class_course(folder, assignment, students, extra_config=""):
    """course_copy with `extra_config` added to its nbgrader_config.py, the assignment generated and the demo
    `students` (course_tools.proof.demo_class) written into submitted/."""
    from course_tools.proof import demo_class

    course = course_copy(folder)
    course.assignment = assignment
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write(extra_config)
    course.generate()
    demo_class.write_class(course, students)
    return course


def graded_on_a_host(course, student):
    """(the worker's GradedSubmission, the staging's problems) of one student graded by a grading host, as a
    worker of `make grade` grades it, in a run of its own (ended after it: an ended run grades no more)."""
    import uuid

    from course_tools.grade import grade_class
    from grading import worker_runs

    submission, problems, run = *grade_class.stage(course, student), f"one-student-{uuid.uuid4().hex}"
    try:
        graded = worker_runs.grade_on_worker(grade_class.course_materials(course), submission, run=run)
    finally:
        worker_runs.end_run(run)
    return graded, problems
