"""Grade a real class: every student in submitted/, then feedback, grades.csv and the class report.

Run from the course folder with ``python -m course_tools.grade`` (``make grade``),
after the release was generated, the due date set and the submissions collected.
"""
import sys
import time
from pathlib import Path

from course_tools import grade_class, reports
from course_tools.course import Course
from grading.sandbox import SandboxUnavailable

ROOT = Path(__file__).resolve().parent.parent


def main():
    started = time.monotonic()
    course = Course(ROOT)
    if not (course.root / "gradebook.db").exists() or not course.release_notebook.exists():
        print("No release yet: run `nbgrader generate_assignment cnn_step_by_step` (or `make release`) first.")
        return 2
    if not (course.root / "submitted").is_dir():
        print("No submissions: collect them into submitted/<student>/cnn_step_by_step/ first.")
        return 2
    try:
        graded = grade_class.grade_class(course)
    except SandboxUnavailable as error:
        print(f"Not grading: {error}")
        return 2
    grades, _ = reports.write_all(course, graded)
    print(f"\n{len(grades)} students graded in {time.monotonic() - started:.0f} s: see grades.csv, "
          "class_report.html and feedback/<student>/cnn_step_by_step/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
