"""Timing figures, measured side by side in one run (``make benchmark``).

1. The reference (naive four-loop) solution under `nbgrader autograde`: the wall time
   for one submission and every test cell's time, read from nbclient's timing
   metadata, next to the cell timeout.
2. For each assignment, a realistic class (100 submissions of part 1, 30 of part 2: mostly
   correct, the corpus's typical bugs, untouched notebooks; no endless loops) graded twice on
   identical copies: by plain
   `nbgrader autograde` (nbgrader's own Execute, one call) and by this bundle's
   pipeline (course_tools.grade.grade_class: the trusted grader on a local Dask cluster, one
   worker per core); part 2 a third time with the notebook's figures drawn. Both times, their
   ratio, the scores compared, where a submission's time goes on its worker, where the wall
   clock goes beyond the workers' sum, the coordinator's cost per student (staging; saving
   one at a time and in batches), and what 10,000 submissions would take on 1, 8 and 64
   workers.
3. One student with an endless loop in every function, through the pipeline.
4. The cost of trusted grading: the demo class's ordinary submissions autograded
   by one `nbgrader autograde` call in three configurations, side by side: nbgrader's
   own Execute (student code in an unsandboxed kernel, hidden tests inside it), the
   trusted grader without the sandbox, and the trusted grader with it (the default).
"""
import contextlib
import dataclasses
import io
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime

from course_tools import notebooks as submissions
from course_tools.course import ASSIGNMENT, ROOT
from course_tools.grade import cluster, grade_class
from course_tools.proof import corpus, demo_class
from course_tools.proof.sample_course import NOTEBOOK, class_course, course_copy, graded_on_a_host

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
    course = class_course(folder, assignment, students, extra_config)
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


def grade_a_class(size=100, assignment=ASSIGNMENT, figures_too=False):
    students = realistic_class(size, assignment)
    names = [s.name for s in students]
    workers = cluster.default_workers()
    with tempfile.TemporaryDirectory() as plain_dir:
        plain_seconds, plain_scores = timed_autograde(plain_dir, NBGRADER_EXECUTE, students, assignment)
    ours_seconds, graded, our_scores, timeline = pipeline_run(students, assignment)
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
    if figures_too:  # what not drawing the figures buys (TrustedExecute.draw_figures)
        drawn_seconds = pipeline_run(students, assignment, "\nc.TrustedExecute.draw_figures = True\n")[0]
        print(f"  the same pipeline drawing the notebook's figures (draw_figures = True): {drawn_seconds:.1f} s, "
              f"ratio {plain_seconds / drawn_seconds:.2f}")
    timings = [g.timings for g in graded if "autograde" in g.timings]
    parts = {
        "waiting for its kernel (forked from the template)": mean(t.get("kernel start", 0) for t in timings),
        "the kernel running cells and hidden calls": mean(t.get("kernel", 0) for t in timings),
        "the verdict (hidden tests in the grader)": mean(t.get("hidden tests", 0) for t in timings),
        "the trusted grader's own (kernel start and stop, outputs)": mean(
            t.get("total", 0) - t.get("kernel start", 0) - t.get("kernel", 0) - t.get("hidden tests", 0)
            for t in timings),
        "nbgrader's own work (sanitize, save, write)": mean(t["autograde"] - t.get("total", 0) for t in timings),
        "the worker's hand-over (host pipe, Dask, result)": mean(
            t.get("grader_wall", t["autograde"]) - t["autograde"] for t in timings),
    }
    print("  where a submission's time goes in this pipeline (mean seconds, on its worker):")
    for label, seconds in parts.items():
        print(f"    {label:<50}{seconds:6.3f}")
    worker_sum = sum(t.get("grader_wall", t["autograde"]) for t in timings)
    print(f"  where the wall clock goes ({ours_seconds:.1f} s; the workers' sum {worker_sum:.1f} s over {workers} "
          f"workers is {worker_sum / workers:.1f} s):")
    for label, seconds in timeline.items():
        print(f"    {label:<66}{seconds:6.1f} s")
    staging = mean(g.timings.get("staging", 0) for g in graded)
    saving = saving_cost(assignment)
    per_submission = worker_sum / n
    print(f"  the coordinator, per submission: staging {1000 * staging:.1f} ms (before grading), saving "
          + ", ".join(f"{1000 * cost:.1f} ms in batches of {size}" for size, cost in saving.items()))
    print(f"  projection for 10,000 submissions ({per_submission:.2f} worker-seconds each as measured here, one "
          "core per worker; the coordinator saves what arrives together in one batch):")
    for count in (1, 8, 64):
        parallel = 10000 * per_submission / count
        coordinator = 10000 * saving[min(saving, key=lambda size: abs(size - count))]
        limit = "  (limited by the coordinator's saving)" if coordinator > parallel else ""
        print(f"    {count:>3} workers: {(10000 * staging + max(parallel, coordinator)) / 60:7.1f} min (staging "
              f"{10000 * staging / 60:.1f} min, then the workers {parallel / 60:.1f} min while the coordinator "
              f"saves for {coordinator / 60:.1f} min){limit}")


def pipeline_run(students, assignment, extra_config=""):
    """(seconds, GradedStudents, scores, where the wall clock went) of make grade's pipeline on a new course."""
    names = [s.name for s in students]
    with tempfile.TemporaryDirectory() as folder:
        ours = class_course(folder, assignment, students, extra_config)
        started = time.monotonic()
        graded = grade_class.grade_class(ours, names, progress=False)
        ended = time.monotonic()
        scores = ours.scores()
    graded_here = sorted((g for g in graded if "autograde" in g.timings), key=lambda g: g.saved_at)
    staged = sum(g.timings.get("staging", 0) for g in graded)
    first, last = graded_here[0], graded_here[-1]
    start_up = first.saved_at - started - staged - first.timings.get("grader_wall", first.timings["autograde"])
    timeline = {"staging every submission (before the cluster starts)": staged,
                "cluster start, each worker's grading host, the first result's way back": start_up,
                "from the first result to the last (the workers grading)": last.saved_at - first.saved_at,
                "the first result's own grading": first.timings.get("grader_wall", first.timings["autograde"]),
                "after the last result (the cluster stopping)": ended - last.saved_at}
    return ended - started, graded, scores, timeline


def saving_cost(assignment, count=64):
    """Seconds the coordinator takes to save one student's result, saving `count` real results (one reference
    submission graded by a grading host, under new names) one at a time, 8 and 64 together."""
    with tempfile.TemporaryDirectory() as folder:
        course = class_course(folder, assignment, [demo_class.DemoStudent("ref", "reference solution")])
        graded, problems = graded_on_a_host(course, "ref")
        assert graded.success, graded.error or graded.log
        costs = {}
        for size in (1, 8, 64):
            names = [f"saved-{size}-{i:03d}" for i in range(count)]
            arrived = [(name, dataclasses.replace(graded, student=name), problems, name) for name in names]
            with contextlib.redirect_stdout(io.StringIO()), course.gradebook() as gradebook:
                started = time.perf_counter()
                for first in range(0, count, size):
                    grade_class.save_results(course, gradebook, arrived[first:first + size])
                costs[size] = (time.perf_counter() - started) / count
    return costs


def endless_loop_student():
    looper = demo_class.DemoStudent("loops", "an endless loop in every function", answers=LOOPS_EVERYWHERE)
    with tempfile.TemporaryDirectory() as folder:
        course = class_course(folder, ASSIGNMENT, [looper])
        started = time.perf_counter()
        graded = grade_class.grade_class(course, ["loops"], progress=False)
        seconds = time.perf_counter() - started
        score = course.scores()["loops"]["total"]
    print(f"\nan endless loop in every graded function, through the pipeline: {seconds:.1f} s in all, "
          f"{graded[0].seconds:.1f} s of grading (cell timeout {CELL_TIMEOUT} s, then 2 s per call from a "
          f"6 s budget), score {score:g}")


def speed_under_load():
    """The speedups part 2's speed checks measure for the reference solution through the pipeline, on a quiet
    machine and with as many busy processes as cores beside the grading: a loaded machine must not turn the
    ratio against an honest student. Read from the checks' own messages, with the points' threshold raised
    (SPEEDUP_NEEDED, in a copy of the source notebook) so that they always say it."""
    measured = {}
    for label, busy_count in (("quiet", 0), (f"{cluster.default_workers()} busy processes beside it",
                                             cluster.default_workers())):
        with tempfile.TemporaryDirectory() as folder:
            course = course_copy(folder)
            course.assignment = "cnn_application"
            source, text = course.source_notebook, course.source_notebook.read_text()
            raised = text.replace('"    SPEEDUP_NEEDED = 10\\n"', '"    SPEEDUP_NEEDED = 10 ** 9\\n"')
            assert raised != text, "the kit's SPEEDUP_NEEDED line was not found in the source notebook"
            source.write_text(raised)
            course.generate()
            demo_class.write_class(course, [demo_class.DemoStudent("ref", "reference solution")])
            busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy_count)]
            try:
                grade_class.grade_class(course, ["ref"], progress=False)
            finally:
                for process in busy:
                    process.kill()
                    process.wait()
            messages = course.failure_messages("ref")
        measured[label] = {cell: re.search(r"([\d.]+) times faster", message).group(1)
                           for cell, message in sorted(messages.items()) if "times faster" in message}
    print("\npart 2's speed checks on the reference solution (times faster than part 1's loops; the points need 10):")
    for label, ratios in measured.items():
        print(f"  {label:<34}" + ", ".join(f"{cell} {ratio}" for cell, ratio in ratios.items()))


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
    grade_a_class(30, "cnn_application", figures_too=True)
    speed_under_load()
    endless_loop_student()
    trusted_grading_cost()
    return 0


if __name__ == "__main__":
    sys.exit(main())
