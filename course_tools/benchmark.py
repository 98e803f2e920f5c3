"""Timing figures, measured side by side in one run (``make benchmark``).

1. The reference (naive four-loop) solution under `nbgrader autograde`: the wall time
   for one submission and every test cell's time, read from nbclient's timing
   metadata, next to the cell timeout.
2. The demo class graded twice on identical copies: by plain `nbgrader autograde`
   (one call) and by this bundle's pipeline (course_tools.grade_class), with the
   time per submission and the total each student got.
3. The cost of trusted grading: the demo class's ordinary submissions autograded
   by one `nbgrader autograde` call in three configurations, side by side: nbgrader's
   own Execute (student code in an unsandboxed kernel, hidden tests inside it), the
   trusted grader without the sandbox, and the trusted grader with it (the default).
   Then one student with an endless loop in every function.
"""
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from course_tools import demo_class, grade_class, submissions
from course_tools.course import NOTEBOOK, course_copy

ROOT = Path(__file__).resolve().parent.parent
CELL_TIMEOUT = 30  # c.Execute.timeout in nbgrader_config.py


def cell_seconds(cell):
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    return (datetime.fromisoformat(end.rstrip("Z")) - datetime.fromisoformat(start.rstrip("Z"))).total_seconds()


def new_course(folder):
    course = course_copy(folder)
    course.generate()
    return course


def demo_class_course(folder):
    course = new_course(folder)
    course.set_due_date(demo_class.DUE)
    demo_class.write_class(course)
    return course


def compare_class():
    students = [s.name for s in demo_class.STUDENTS]
    with tempfile.TemporaryDirectory() as plain_dir, tempfile.TemporaryDirectory() as ours_dir:
        plain, ours = demo_class_course(plain_dir), demo_class_course(ours_dir)
        started = time.perf_counter()
        plain.nbgrader("autograde", plain.assignment, "--force", check=False)
        plain_seconds = time.perf_counter() - started
        started = time.perf_counter()
        graded = grade_class.grade_class(ours, students, progress=False)
        ours_seconds = time.perf_counter() - started
        plain_scores, our_scores = plain.scores(), ours.scores()
    per_student = {g.student: g.seconds for g in graded}
    print(f"\n{'student':<8}{'plain nbgrader':>16}{'this pipeline':>15}  seconds (pipeline)")
    for student in students:
        a = (plain_scores.get(student) or {}).get("total")
        b = (our_scores.get(student) or {}).get("total")
        print(f"{student:<8}{'-' if a is None else f'{a:g}':>16}{'-' if b is None else f'{b:g}':>15}"
              f"  {per_student[student]:.1f}")
    n = len(students)
    others = [per_student[s] for s in students if s != "hal"]
    print(f"\nautograde of {n} demo submissions: plain nbgrader autograde {plain_seconds:.0f} s "
          f"({plain_seconds / n:.1f} s per submission), this pipeline {ours_seconds:.0f} s "
          f"({ours_seconds / n:.1f} s per submission); ratio {ours_seconds / plain_seconds:.2f}")
    print(f"without the endless-loop student: pipeline median "
          f"{sorted(others)[len(others) // 2]:.1f} s per submission")


NBGRADER_EXECUTE = """
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute", "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata"]
"""
UNSANDBOXED = "\nc.SandboxedKernelManager.sandbox = False\n"
# No endless loop, no kernel killer, no missing notebook, and no hostile student: without the
# sandbox, rex would kill every process of the machine it can signal.
ORDINARY = [s for s in demo_class.STUDENTS if s.name not in ("hal", "noa", "lou", "pat", "rex")]
LOOPS_EVERYWHERE = {name: f"def {name}(*args, **kwargs):\n    while True:\n        pass\n"
                    for name in ("zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
                                 "create_mask_from_window", "distribute_value", "pool_backward")}


def timed_autograde(folder, extra_config, students):
    """Seconds of one `nbgrader autograde` call over `students` in a fresh course, and the scores."""
    course = course_copy(folder)
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write(extra_config)
    course.generate()
    demo_class.write_class(course, students)
    started = time.perf_counter()
    course.nbgrader("autograde", course.assignment, "--force", check=False)
    return time.perf_counter() - started, course.scores()


def trusted_grading_cost():
    n = len(ORDINARY)
    runs = {}
    for label, extra in [("nbgrader's Execute (no sandbox, hidden tests in the kernel)", NBGRADER_EXECUTE),
                         ("trusted grader, sandbox off", UNSANDBOXED), ("trusted grader, sandboxed", "")]:
        with tempfile.TemporaryDirectory() as folder:
            runs[label] = timed_autograde(folder, extra, ORDINARY)
    print(f"\nautograde of {n} ordinary demo submissions, one `nbgrader autograde` call each way:")
    for label, (seconds, scores) in runs.items():
        totals = " ".join(f"{(scores.get(s.name) or {}).get('total', 0):g}" for s in ORDINARY)
        print(f"  {label:<62}{seconds:6.1f} s  {seconds / n:5.2f} s per submission   scores: {totals}")
    plain, unsandboxed, sandboxed = (seconds for seconds, _ in runs.values())
    print(f"sandbox cost per submission: {(sandboxed - unsandboxed) / n:+.2f} s; trusted and sandboxed vs "
          f"nbgrader's Execute: ratio {sandboxed / plain:.2f}")
    looper = demo_class.DemoStudent("loops", "an endless loop in every function", answers=LOOPS_EVERYWHERE)
    with tempfile.TemporaryDirectory() as folder:
        seconds, scores = timed_autograde(folder, "", [looper])
    print(f"an endless loop in every graded function: autograde {seconds:.1f} s (cell timeout {CELL_TIMEOUT} s, "
          f"then 3 s per call from a 15 s budget), score {scores['loops']['total']:g}")


def main():
    with tempfile.TemporaryDirectory() as folder:
        course = new_course(folder)
        answers = submissions.reference_solutions(submissions.read(course.source_notebook))
        submissions.write(submissions.fill(submissions.read(course.release_notebook), answers),
                          course.root, "reference", course.assignment, NOTEBOOK)
        started = time.perf_counter()
        course.autograde("reference")
        wall = time.perf_counter() - started
        graded = submissions.read(course.autograded_notebook("reference"))
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
    compare_class()
    trusted_grading_cost()
    return 0


if __name__ == "__main__":
    sys.exit(main())
