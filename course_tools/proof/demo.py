"""`make demo`: the instructor's whole workflow on the demo classes that ship with the repo.

For each assignment with demo students (demo_class.STUDENTS_BY_ASSIGNMENT): generates the
release and writes its demo class into submitted/; then autogrades them all with nbgrader
(progress bar, one line per student), writes feedback, a grades CSV per assignment and
the class report, and prints where each product is.
"""
import sys
import time

from course_tools.course import ROOT, Course
from course_tools.grade import grade_class
from course_tools.proof import demo_class
from course_tools.report import reports


def run(root, progress=True):
    """The pipeline on the course at `root`; {assignment: the students' grades}."""
    say = print if progress else (lambda *a, **k: None)
    classes = [(Course(root, assignment), students)
               for assignment, students in demo_class.STUDENTS_BY_ASSIGNMENT.items() if students]
    say(f"1/5 generating the release of {', '.join(c.assignment for c, _ in classes)} "
        "with nbgrader generate_assignment ...", flush=True)
    for course, _ in classes:
        course.generate()
        course.set_due_date(demo_class.DUE)
    say(f"2/5 writing the demo class into submitted/ "
        f"({', '.join(f'{c.assignment}: {len(students)} students' for c, students in classes)}), "
        f"due {demo_class.DUE:%Y-%m-%d %H:%M} UTC", flush=True)
    for course, students in classes:
        demo_class.write_class(course, students)
    timeout = Course(root).config().Execute.get("timeout")
    limit = f"{timeout} s" if timeout else "nbgrader's default"
    say(f"3/5 autograding (cell timeout {limit}; nbgrader's own output goes to autograde.log)", flush=True)
    graded = grade_class.grade_assignments([(course, [s.name for s in students]) for course, students in classes],
                                           progress=progress)
    say("4/5 feedback, 5/5 grades and class report", flush=True)
    return reports.write_all(Course(root), graded)


def main():
    started = time.monotonic()
    by_assignment = run(ROOT)
    print()
    for assignment, grades in by_assignment.items():
        handed_in = [g.total for g in grades if g.handed_in]
        print(f"{assignment}: class mean {sum(handed_in) / len(handed_in):.1f} over the {len(handed_in)} students "
              "who handed it in")
    print(f"{time.monotonic() - started:.0f} s in all")
    print("products:")
    for path, what in [("release/<assignment>/", "the student version"),
                       ("submitted/", "the demo class's submissions (as handed in)"),
                       ("autograded/", "graded notebooks"), ("gradebook.db", "nbgrader's gradebook"),
                       ("feedback/<student>/<assignment>/<assignment>.html", "feedback, one page each"),
                       ("grades/<assignment>.csv", "one row per student, one column per graded part, "
                                                   "late penalty, total"),
                       ("class_report.html", "per assignment: score distribution, pass rates, common failures, "
                                             "similar submissions; every student's totals"),
                       ("similarity/<assignment>/pair-<n>.html", "a similar pair's code side by side"),
                       ("autograde.log", "everything nbgrader and the kernels printed")]:
        print(f"  {path:<52} {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
