"""Autograde a whole class with nbgrader, one student at a time, so no submission stops the batch.

nbgrader grades from a staging copy of submitted/ (``graded_input/``, set as its
submitted_directory), where a renamed notebook is graded under the expected name.
The students' own files in submitted/ are never changed. nbgrader runs with the
course's configuration, so every notebook is executed by the trusted grader
(grading/): a sandboxed kernel, hidden tests outside it, a cell that kills the
kernel or hits a limit costing only that cell. Every problem is reported in words.
"""
import collections
import contextlib
import os
import re
import shutil
import time
from dataclasses import dataclass, field

import nbformat
from nbgrader.apps import NbGraderAPI
from traitlets.config.loader import PyFileConfigLoader

from course_tools import submissions
from grading import sandbox, submission_files
from course_tools.course import NOTEBOOK

STAGING = "graded_input"
LOG_NAME = "autograde.log"
NOT_SANDBOXED = ("not sandboxed: graded with c.SandboxedKernelManager.sandbox = False, so the student's code "
                 "ran with the grader's rights")
LIMIT_NOTE = re.compile(r"the grader's ([a-z ]+ limit)|\[grader: (output limit) reached")


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
    """Copy a submission's regular files into graded_input/, the notebook under its expected name;
    return the problems found. Links and special files are left out (grading/submission_files.py)."""
    source = course.root / "submitted" / student / course.assignment
    target = course.root / STAGING / student / course.assignment
    shutil.rmtree(target, ignore_errors=True)
    problems = submission_files.copy_submission(source, target)
    expected = target / f"{NOTEBOOK}.ipynb"
    if expected.exists():
        return problems
    others = sorted(target.glob("*.ipynb"))
    if len(others) == 1:
        others[0].rename(expected)
        return problems + [f"renamed notebook: graded {others[0].name} as {expected.name}"]
    if others:
        return problems + [f"missing notebook: {expected.name} not found, and {len(others)} other notebooks are "
                           f"ambiguous ({', '.join(p.name for p in others)})"]
    listing = ", ".join(p.name for p in sorted(source.iterdir())) or "empty"
    return problems + [f"missing notebook: the folder holds no .ipynb file ({listing})"]


def cell_names(nb):
    """A readable name per cell: its grade id, or the worked example of the function above it."""
    names, function = [], None
    for index, cell in enumerate(nb.cells):
        gid = submissions.grade_id(cell)
        if cell.metadata.get("nbgrader", {}).get("solution"):
            function = gid
        names.append(gid or (f"the worked example of {function}" if function else f"cell {index + 1}"))
    return names


def autograded_notebook(course, student):
    """The student's autograded notebook, or None if there is none."""
    path = course.autograded_notebook(student)
    return nbformat.read(str(path), as_version=4) if path.exists() else None


def cells_where(cells, found):
    """Names of the cells with an output for which found(output) is true."""
    return [name for name, cell in cells if any(found(o) for o in cell.get("outputs", []))]


def listed(names, most=4):
    """Names for a one-line report: the first few, then how many more."""
    names = list(dict.fromkeys(names))
    more = f" and {len(names) - most} more cells" if len(names) > most else ""
    return ", ".join(names[:most]) + more


def grading_problems(course, student):
    """What the trusted grader stopped or cut, by cell: timeouts, kernel deaths, limits reached."""
    nb = autograded_notebook(course, student)
    cells = list(zip(cell_names(nb), nb.cells)) if nb else []
    problems = []
    timeouts = cells_where(cells, lambda o: o.get("ename") == "CellTimeoutError")
    if timeouts:
        problems.append(f"timed out: {listed(timeouts)} ran longer than the time limit or were not run after it")
    deaths = cells_where(cells, lambda o: o.get("ename") == "DeadKernelError")
    if deaths:
        problems.append(f"kernel died: {listed(deaths)} stopped Python; the grader started a new kernel, "
                        "so only those cells' points are lost")
    limits = collections.defaultdict(list)
    for name, cell in cells:
        for output in cell.get("outputs", []):
            for match in LIMIT_NOTE.finditer(f"{output.get('evalue', '')} {output.get('text', '')}"):
                limits[match.group(1) or match.group(2)].append(name)
    problems += [f"{limit}: reached in {listed(names)}" for limit, names in limits.items()]
    # Limits seen only from outside, or in errors the student's code caught.
    for limit in (nb.metadata.get("trusted_grading", {}).get("limits_reached", []) if nb else []):
        if limit not in limits:
            problems.append(f"{limit}: reached (an error the notebook caught, or seen by the sandbox)")
    return problems


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
    outcome = api.autograde(course.assignment, student, force=True, create=True)
    print(f"--- nbgrader autograde, student {student} ---\n{outcome.get('log', '')}", flush=True)
    result.graded = outcome["success"]
    if not result.graded:
        errors = re.findall(r"\[ERROR\] (.*)", outcome.get("log", ""))
        result.problems.append("not graded: " + (errors[0] if errors else "nbgrader failed"))
        course.add_student(student)  # recorded all the same, with no points
    result.problems += tampering(outcome.get("log", ""))
    if result.graded:
        seconds_late, penalty = course.lateness(student)
        if seconds_late > 0:
            result.problems.append(f"late: submitted {seconds_late / 86400:.1f} days after the due date, "
                                   f"{penalty:g} points off")
    result.problems += grading_problems(course, student)
    result.seconds = time.perf_counter() - started
    return result


def grade_safely(api, course, student):
    """grade_student, but whatever goes wrong costs this student only: recorded, with the reason."""
    try:
        return grade_student(api, course, student)
    except Exception as error:  # the batch goes on; the student is in the gradebook with no points
        course.add_student(student)
        return GradedStudent(student, [f"not graded: {type(error).__name__}: {str(error)[:300]}"])


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
        unsandboxed = not sandbox.sandbox_in_use(api.config)  # refuses here, before any student, without bwrap
        # disable=None: a bar on a terminal, none in a log; the summary lines print either way.
        bar = tqdm(students, desc="autograding", unit="student", file=console, disable=None if progress else True)
        for student in bar:
            bar.set_postfix_str(student)
            results.append(grade_safely(api, course, student))
            if unsandboxed:
                results[-1].problems.append(NOT_SANDBOXED)
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
