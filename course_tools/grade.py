"""Grade a real class: every student in submitted/, then feedback, grades.csv and the class report.

Run from the course folder with ``python -m course_tools.grade`` (``make grade``),
after the release was generated, the due date set and the submissions collected.
Students are graded several at once (one worker per core), or on a Dask cluster
with ``--scheduler tcp://host:8786``. Ctrl-C stops cleanly; run the command again to
grade the rest (students graded against the same submission are kept, unless
``--regrade``).
"""
import argparse
import sys
import time
from pathlib import Path

from course_tools import grade_class, reports
from course_tools.course import Course
from grading.sandbox import SandboxUnavailable

ROOT = Path(__file__).resolve().parent.parent


def arguments(argv):
    parser = argparse.ArgumentParser(prog="make grade ARGS=...", description="Grade every student in submitted/.")
    parser.add_argument("--scheduler", help="a Dask scheduler's address (tcp://host:8786); default: a local cluster")
    parser.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    parser.add_argument("--course", type=Path, default=ROOT, help="the course folder (default: this one)")
    parser.add_argument("--regrade", action="store_true", help="grade again students already graded against "
                                                                "the same submission")
    return parser.parse_args(argv)


def main(argv=None):
    options = arguments(argv)
    started = time.monotonic()
    course = Course(options.course.resolve())
    if not course.release_notebook.exists():
        print("No release yet: run `nbgrader generate_assignment cnn_step_by_step` (or `make release`) first.")
        return 2
    if not (course.root / "submitted").is_dir():
        print("No submissions: collect them into submitted/<student>/cnn_step_by_step/ first.")
        return 2
    try:
        graded = grade_class.grade_class(course, scheduler=options.scheduler, workers=options.workers,
                                         regrade=options.regrade)
    except SandboxUnavailable as error:
        print(f"Not grading: {error}")
        return 2
    except grade_class.GradingStopped as stopped:
        print(f"\n{stopped}")
        return 130
    grades, _ = reports.write_all(course, graded)
    print(f"\n{len(grades)} students graded in {time.monotonic() - started:.0f} s: see grades.csv, "
          "class_report.html and feedback/<student>/cnn_step_by_step/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
