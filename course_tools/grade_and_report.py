"""Grade a real class: every released assignment's submissions, then feedback, grades and the class report.

Run from the course folder with ``python -m course_tools.grade_and_report`` (``make grade``),
after the releases were generated, the due dates set and the submissions collected
into submitted/<student>/<assignment>/. Every released assignment with at least one
submission is graded. Students are graded several at once (one worker per core), or
on a Dask cluster with ``--scheduler tcp://host:8786``. Ctrl-C stops cleanly; run the
command again to grade the rest (students graded against the same submission are
kept, unless ``--regrade``).
"""
import argparse
import sys
import time
from pathlib import Path

from course_tools.course import Course, released_assignments
from course_tools.grade import grade_class
from course_tools.report import reports, similarity_pages
from grading.bwrap import SandboxUnavailable
from grading.text import printable

ROOT = Path(__file__).resolve().parent.parent


def arguments(argv):
    parser = argparse.ArgumentParser(prog="make grade ARGS=...",
                                     description="Grade every released assignment's submissions in submitted/.")
    parser.add_argument("--scheduler", help="a Dask scheduler's address (tcp://host:8786); default: a local cluster")
    parser.add_argument("--workers", type=int, help="local workers (default: one per core)")
    parser.add_argument("--course", type=Path, default=ROOT, help="the course folder (default: this one)")
    parser.add_argument("--regrade", action="store_true", help="grade again students already graded against "
                                                                "the same submission")
    return parser.parse_args(argv)


def main(argv=None):
    options = arguments(argv)
    started = time.monotonic()
    root = options.course.resolve()
    released = [Course(root, assignment) for assignment in released_assignments(root)]
    if not released:
        print("No release yet: run `make release` (nbgrader generate_assignment for each assignment) first.")
        return 2
    to_grade = [course for course in released if grade_class.submitted_students(course)]
    for course in released:
        if course not in to_grade:
            print(f"{course.assignment}: no submissions in submitted/<student>/{course.assignment}/, not graded")
    if not to_grade:
        print("No submissions: collect them into submitted/<student>/<assignment>/ first.")
        return 2
    try:
        graded = grade_class.grade_assignments([(course, None) for course in to_grade], scheduler=options.scheduler,
                                               workers=options.workers, regrade=options.regrade)
    except SandboxUnavailable as error:
        print(f"Not grading: {error}")
        return 2
    except grade_class.GradingStopped as stopped:
        print(f"\n{stopped}")
        return 130
    print()
    for assignment, grades in reports.write_all(Course(root), graded).items():
        absent = [printable(g.student) for g in grades if not g.handed_in]
        similar = len(list((root / similarity_pages.FOLDER / assignment).glob("pair-*.html")))
        print(f"{assignment}: {len(grades) - len(absent)} students graded"
              + (f"; no submission from {', '.join(absent)}" if absent else "")
              + (f"; {similar} pair{'s' if similar > 1 else ''} of similar submissions to look at" if similar else ""))
    print(f"in {time.monotonic() - started:.0f} s: see grades/<assignment>.csv, class_report.html and "
          "feedback/<student>/<assignment>/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
