"""Autograde a whole class with nbgrader, one student at a time, so no submission stops the batch.

nbgrader grades from a staging copy of submitted/ (``graded_input/``, set as its
submitted_directory), where this module fixes what would otherwise cost a student
everything: a renamed notebook is graded under the expected name, and a cell that
kills the kernel is replaced by one that raises, so the student loses only what
that cell was worth. The students' own files in submitted/ are never changed.
Every problem is reported in words.
"""
import collections
import contextlib
import os
import re
import shutil
import time
from dataclasses import dataclass, field

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbgrader.apps import NbGraderAPI
from traitlets.config.loader import PyFileConfigLoader

from course_tools import submissions
from course_tools.course import NOTEBOOK

STAGING = "graded_input"
LOG_NAME = "autograde.log"
KERNEL_KILLER_STUB = ('raise RuntimeError("The grader replaced this cell: running it stopped the Python kernel '
                      '(os._exit, a crash, or running out of memory).")\n')
MAX_KERNEL_DEATHS = 5


@dataclass
class GradedStudent:
    student: str
    problems: list = field(default_factory=list)
    seconds: float = 0.0
    graded: bool = False


def load_api(root):
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.submitted_directory = STAGING
    return NbGraderAPI(config=config)


def stage(course, student):
    """Copy a submission into graded_input/ under the expected notebook name; return the problems found."""
    source = course.root / "submitted" / student / course.assignment
    target = course.root / STAGING / student / course.assignment
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    expected = target / f"{NOTEBOOK}.ipynb"
    if expected.exists():
        return []
    others = sorted(target.glob("*.ipynb"))
    if len(others) == 1:
        others[0].rename(expected)
        return [f"renamed notebook: graded {others[0].name} as {expected.name}"]
    if others:
        return [f"missing notebook: {expected.name} not found, and {len(others)} other notebooks are ambiguous "
                f"({', '.join(p.name for p in others)})"]
    return [f"missing notebook: the folder holds no .ipynb file ({', '.join(p.name for p in sorted(source.iterdir())) or 'empty'})"]


def first_killer_cell(path):
    """Index of the first cell whose execution kills the kernel, or None."""
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=30, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                return index
    return None


def neutralise_killer(path, index):
    """Replace the killing cell (or, for a test cell, the solution it tests) by a cell that raises."""
    nb = nbformat.read(str(path), as_version=4)
    cell = nb.cells[index]
    grade_id = submissions.grade_id(cell) or ""
    if cell.metadata.get("nbgrader", {}).get("grade") and grade_id.startswith("test_"):
        tested = grade_id[len("test_"):]
        cell = next((c for c in nb.cells if submissions.grade_id(c) == tested), cell)
    where = submissions.grade_id(cell) or f"cell {index + 1}"
    cell.source = KERNEL_KILLER_STUB
    nbformat.write(nb, str(path))
    return where


def cell_names(nb):
    """A readable name per cell: its grade id, or the worked example of the function above it."""
    names, function = [], None
    for index, cell in enumerate(nb.cells):
        gid = submissions.grade_id(cell)
        if cell.metadata.get("nbgrader", {}).get("solution"):
            function = gid
        names.append(gid or (f"the worked example of {function}" if function else f"cell {index + 1}"))
    return names


def timed_out_cells(course, student):
    path = course.autograded_notebook(student)
    if not path.exists():
        return []
    nb = nbformat.read(str(path), as_version=4)
    return [name for name, c in zip(cell_names(nb), nb.cells)
            if any(o.get("ename") == "CellTimeoutError" for o in c.get("outputs", []))]


def tampering(log):
    """Problems nbgrader fixed silently: test cells edited or deleted by the student."""
    edited = collections.defaultdict(list)
    for attribute, cell in re.findall(r"Attribute '(\w+)' for cell (\S+) has changed", log):
        if attribute != "checksum":  # every test cell's checksum differs once hidden tests are cut out
            edited[cell].append(attribute)
    problems = [f"edited test cell: {cell} ({', '.join(dict.fromkeys(attrs))}) was restored before grading"
                for cell, attrs in edited.items()]
    problems += [f"deleted test cell: {cell} was put back and graded"
                 for cell in dict.fromkeys(re.findall(r"Missing grade cell (\S+) encountered", log))]
    return problems


def grade_student(api, course, student):
    result = GradedStudent(student)
    started = time.perf_counter()
    result.problems = stage(course, student)
    staged = course.root / STAGING / student / course.assignment / f"{NOTEBOOK}.ipynb"
    if not staged.exists():
        # Nothing to run: record the student, so the gradebook and the grades show a 0.
        course.add_student(student)
        result.seconds = time.perf_counter() - started
        return result
    for _ in range(MAX_KERNEL_DEATHS + 1):
        outcome = api.autograde(course.assignment, student, force=True, create=True)
        print(f"--- nbgrader autograde, student {student} ---\n{outcome.get('log', '')}", flush=True)
        result.graded = outcome["success"]
        if result.graded or "Kernel died" not in outcome.get("log", ""):
            break
        index = first_killer_cell(staged)
        if index is None:
            result.problems.append("kernel died during grading, and not again when the notebook was rerun")
            break
        result.problems.append(f"kernel died: {neutralise_killer(staged, index)} stopped Python and was "
                               "replaced by an error, so only its points are lost")
    if not result.graded:
        errors = re.findall(r"\[ERROR\] (.*)", outcome.get("log", ""))
        result.problems.append("not graded: " + (errors[0] if errors else "nbgrader failed"))
    result.problems += tampering(outcome.get("log", ""))
    if result.graded:
        seconds_late, penalty = course.lateness(student)
        if seconds_late > 0:
            result.problems.append(f"late: submitted {seconds_late / 86400:.1f} days after the due date, "
                                   f"{penalty:g} points off")
    timeouts = timed_out_cells(course, student)
    if timeouts:
        result.problems.append(f"timed out: {', '.join(timeouts)} ran longer than the cell timeout")
    result.seconds = time.perf_counter() - started
    return result


@contextlib.contextmanager
def output_to(log_path):
    """Send everything written to stdout and stderr, kernels' noise included, to a file."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "a") as log:
        saved = os.dup(1), os.dup(2)
        console = os.fdopen(os.dup(1), "w", buffering=1)
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield console
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            console.close()


def submitted_students(course):
    return sorted(p.name for p in (course.root / "submitted").iterdir() if p.is_dir())


def grade_class(course, students=None, progress=True):
    """Autograde every student in submitted/ (or those named); return a GradedStudent each."""
    from tqdm import tqdm

    students = students or submitted_students(course)
    log_path = course.root / LOG_NAME
    log_path.unlink(missing_ok=True)
    results = []
    with output_to(log_path) as console:
        api = load_api(course.root)
        # disable=None: a bar on a terminal, none in a log; the summary lines print either way.
        bar = tqdm(students, desc="autograding", unit="student", file=console, disable=None if progress else True)
        for student in bar:
            bar.set_postfix_str(student)
            results.append(grade_student(api, course, student))
            if progress:
                tqdm.write(summary_line(course, results[-1]), file=console)
    return results


def summary_line(course, graded):
    scores = course.scores().get(graded.student, {})
    total = scores.get("total") or 0
    penalty = course.late_penalties().get(graded.student, 0)
    late = f" - {penalty:g} late" if penalty else ""
    problems = "; ".join(graded.problems) or "ok"
    return f"{graded.student:<12}{total:>6g}{late:<10} {graded.seconds:5.1f} s  {problems}"
