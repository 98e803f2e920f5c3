"""`make demo`: regenerate the release, then autograde the reference solution and the
untouched release with the real nbgrader, and print both scores from the gradebook."""
import sys
import time
from pathlib import Path

from course_tools import submissions
from course_tools.course import NOTEBOOK, Course

ROOT = Path(__file__).resolve().parent.parent
DEMO_STUDENTS = ("demo-reference", "demo-untouched")


def write_demo_submissions(course):
    release = submissions.read(course.release_notebook)
    answers = submissions.reference_solutions(submissions.read(course.source_notebook))
    for student, nb in (("demo-reference", submissions.fill(release, answers)), ("demo-untouched", release)):
        submissions.write(nb, course.root, student, course.assignment, NOTEBOOK)


def main():
    course = Course(ROOT)
    started = time.monotonic()
    print("1/3 generating the release ...", flush=True)
    course.generate()
    print("2/3 writing demo submissions:", ", ".join(DEMO_STUDENTS), flush=True)
    write_demo_submissions(course)
    print("3/3 autograding with nbgrader ...", flush=True)
    for student in DEMO_STUDENTS:
        course.autograde(student)
    scores, maxima = course.scores(), course.max_scores()
    print(f"\n{'student':<18}{'score':>12}")
    for student in DEMO_STUDENTS:
        print(f"{student:<18}{scores[student]['total']:>7g} / {maxima['total']:g}")
    print(f"\nrelease: {course.release_notebook.parent.relative_to(ROOT)}/  autograded: autograded/  "
          f"gradebook: gradebook.db  ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
