"""`make release`: the student version of every assignment whose source notebook exists, by nbgrader.

An assignment without a source notebook yet (source/<assignment>/<assignment>.ipynb) is skipped.
"""
import sys

from course_tools.course import ASSIGNMENTS, ROOT, Course


def release(root=ROOT):
    """Run `nbgrader generate_assignment` in the course at `root` for each assignment that has a source
    notebook; the assignments released."""
    released = []
    for assignment in ASSIGNMENTS:
        course = Course(root, assignment)
        if course.source_notebook.exists():
            course.generate()
            released.append(assignment)
    return released


def main():
    for assignment in release():
        print(f"released {assignment}: release/{assignment}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
