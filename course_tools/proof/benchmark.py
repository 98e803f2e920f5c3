"""Timing figures, measured side by side in one run (``make benchmark``).

1. The reference (naive four-loop) solution under `nbgrader autograde`: the wall time
   for one submission and every test cell's time, read from nbclient's timing
   metadata, next to the cell timeout.
2. For each assignment, a realistic class (100 submissions of part 1, 30 of part 2: mostly
   correct, the corpus's typical bugs, untouched notebooks; no endless loops) graded twice on
   identical copies: by plain
   `nbgrader autograde` (nbgrader's own Execute, one call) and by this bundle's
   pipeline (course_tools.grade.grade_class: the trusted grader on a local Dask cluster, one
   worker per core). Both times, their ratio, the scores compared, where a
   submission's time goes, and what 10,000 submissions would take on 1, 8 and 64
   workers.
3. One student with an endless loop in every function, through the pipeline.
4. The cost of trusted grading: the demo class's ordinary submissions autograded
   by one `nbgrader autograde` call in three configurations, side by side: nbgrader's
   own Execute (student code in an unsandboxed kernel, hidden tests inside it), the
   trusted grader without the sandbox, and the trusted grader with it (the default).
"""
import sys
import tempfile
import time
from datetime import datetime

from course_tools import notebooks as submissions
from course_tools.course import ASSIGNMENT, ROOT
from course_tools.grade import cluster, grade_class
from course_tools.proof import corpus, demo_class
from course_tools.proof.sample_course import NOTEBOOK, course_copy

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


def timed_autograde(folder, extra_config, students, assignment=ASSIGNMENT):
    """Seconds of one `nbgrader autograde` call over `students` in a fresh course, and the scores."""
    course = course_copy(folder)
    course.assignment = assignment
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write(extra_config)
    course.generate()
    demo_class.write_class(course, students)
    started = time.perf_counter()
    course.nbgrader("autograde", course.assignment, "--force", check=False)
    return time.perf_counter() - started, course.scores()


def realistic_class(size=100, assignment=ASSIGNMENT):
    """`size` demo students: 10% untouched, 30% with one of the corpus's wrong entries, 20% with one of its
    right entries (other correct solutions), the rest the reference solution."""
    entries = corpus.load(submissions.reference_solutions(
        submissions.read(ROOT / "source" / assignment / f"{assignment}.ipynb")), corpus.ASSIGNMENTS[assignment])
    wrong = [e for e in entries if e.kind == "wrong"]
    right = [e for e in entries if e.kind == "right" and e.name != "reference"]
    students = []
    for i in range(size):
        name = f"s{i:03d}"
        if i % 10 == 0:
            students.append(demo_class.DemoStudent(name, "untouched", untouched=True))
        elif i % 10 in (1, 2, 3):
            entry = wrong[(i * 7) % len(wrong)]
            students.append(demo_class.DemoStudent(name, entry.name, answers=entry.answers))
        elif i % 10 in (4, 5):
            entry = right[(i * 3) % len(right)]
            students.append(demo_class.DemoStudent(name, entry.name, answers=entry.answers))
        else:
            students.append(demo_class.DemoStudent(name, "reference solution"))
    return students


def mean(values):
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def grade_a_class(size=100, assignment=ASSIGNMENT):
    students = realistic_class(size, assignment)
    names = [s.name for s in students]
    with tempfile.TemporaryDirectory() as plain_dir, tempfile.TemporaryDirectory() as ours_dir:
        plain_seconds, plain_scores = timed_autograde(plain_dir, NBGRADER_EXECUTE, students, assignment)
        ours = course_copy(ours_dir)
        ours.assignment = assignment
        ours.generate()
        demo_class.write_class(ours, students)
        workers = cluster.default_workers()
        started = time.perf_counter()
        graded = grade_class.grade_class(ours, names, progress=False)
        ours_seconds = time.perf_counter() - started
        our_scores = ours.scores()
    same = sum((plain_scores.get(n) or {}).get("total") == (our_scores.get(n) or {}).get("total") for n in names)
    n = len(names)
    print(f"\n{assignment}: a realistic class of {n} submissions (untouched, one typical bug, or correct), "
          "graded both ways:")
    print(f"  plain nbgrader autograde (one call, nbgrader's Execute, no sandbox) {plain_seconds:7.1f} s  "
          f"{plain_seconds / n:5.2f} s per submission")
    print(f"  this pipeline ({workers} local workers, sandboxed, verdict outside)   {ours_seconds:7.1f} s  "
          f"{ours_seconds / n:5.2f} s per submission")
    print(f"  ratio: this pipeline is {plain_seconds / ours_seconds:.2f} times as fast; same total score for "
          f"{same} of {n} students")
    timings = [g.timings for g in graded if "autograde" in g.timings]
    parts = {
        "waiting for its kernel (forked from the template)": mean(t.get("kernel start", 0) for t in timings),
        "the kernel running cells and hidden calls": mean(t.get("kernel", 0) for t in timings),
        "the verdict (hidden tests in the grader)": mean(t.get("hidden tests", 0) for t in timings),
        "nbgrader's own work (sanitize, save, write)": mean(t["autograde"] - t.get("total", 0) for t in timings),
        "staging and saving here (serial)": mean(g.timings.get("pipeline", 0) for g in graded),
    }
    print("  where a submission's time goes in this pipeline (mean seconds, on its worker):")
    for label, seconds in parts.items():
        print(f"    {label:<48}{seconds:6.3f}")
    # Each worker grades one submission at a time; the coordinator saves results one at a time.
    per_submission = ours_seconds * workers / n  # worker-seconds per submission, as measured here
    serial = parts["staging and saving here (serial)"]
    print(f"  projection for 10,000 submissions from these figures ({per_submission:.2f} worker-seconds each, "
          f"{serial:.3f} s each of serial staging and saving; one core per worker):")
    for count in (1, 8, 64):
        parallel, coordinator = 10000 * per_submission / count, 10000 * serial
        limit = "  (limited by the serial staging and saving)" if coordinator > parallel else ""
        print(f"    {count:>3} workers: {max(parallel, coordinator) / 60:7.1f} min{limit}")


def endless_loop_student():
    looper = demo_class.DemoStudent("loops", "an endless loop in every function", answers=LOOPS_EVERYWHERE)
    with tempfile.TemporaryDirectory() as folder:
        course = course_copy(folder)
        course.generate()
        demo_class.write_class(course, [looper])
        started = time.perf_counter()
        graded = grade_class.grade_class(course, ["loops"], progress=False)
        seconds = time.perf_counter() - started
        score = course.scores()["loops"]["total"]
    print(f"\nan endless loop in every graded function, through the pipeline: {seconds:.1f} s in all, "
          f"{graded[0].seconds:.1f} s of grading (cell timeout {CELL_TIMEOUT} s, then 2 s per call from a "
          f"6 s budget), score {score:g}")


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
    grade_a_class(100, ASSIGNMENT)
    grade_a_class(30, "cnn_application")
    endless_loop_student()
    trusted_grading_cost()
    return 0


if __name__ == "__main__":
    sys.exit(main())
