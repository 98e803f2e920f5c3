"""`make demo`: the instructor's whole workflow on the demo class that ships with the repo.

Generates the release, writes the demo class into submitted/, autogrades it with
nbgrader (progress bar, one line per student), then writes feedback, grades.csv and
the class report, and prints where each product is.
"""
import sys
import time
from pathlib import Path

from course_tools import demo_class, grade_class, reports
from course_tools.course import Course

ROOT = Path(__file__).resolve().parent.parent


def run(course, progress=True):
    """The pipeline on `course`; returns the students' grades."""
    say = print if progress else (lambda *a, **k: None)
    say("1/5 generating the release with nbgrader generate_assignment ...", flush=True)
    course.generate()
    course.set_due_date(demo_class.DUE)
    say(f"2/5 writing the demo class ({len(demo_class.STUDENTS)} students) into submitted/, "
        f"due {demo_class.DUE:%Y-%m-%d %H:%M} UTC", flush=True)
    demo_class.write_class(course)
    say("3/5 autograding (cell timeout 30 s; nbgrader's own output goes to autograde.log)", flush=True)
    graded = grade_class.grade_class(course, [s.name for s in demo_class.STUDENTS], progress=progress)
    say("4/5 feedback, 5/5 grades and class report", flush=True)
    grades, _ = reports.write_all(course, graded)
    return grades


def main():
    started = time.monotonic()
    course = Course(ROOT)
    grades = run(course)
    print(f"\nclass mean {sum(g.total for g in grades) / len(grades):.1f} over {len(grades)} students, "
          f"{time.monotonic() - started:.0f} s in all")
    print("products:")
    for path, what in [("release/cnn_step_by_step/", "the student version"),
                       ("submitted/", "the demo class's submissions (as handed in)"),
                       ("autograded/", "graded notebooks"), ("gradebook.db", "nbgrader's gradebook"),
                       ("feedback/<student>/cnn_step_by_step/cnn_step_by_step.html", "feedback, one page each"),
                       ("grades.csv", "one row per student, one column per function, late penalty, total"),
                       ("class_report.html", "score distribution, pass rates, common failures"),
                       ("autograde.log", "everything nbgrader and the kernels printed")]:
        print(f"  {path:<58} {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
