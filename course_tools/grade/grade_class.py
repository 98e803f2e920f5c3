"""Autograde a whole class with nbgrader, several students at once, so no submission stops the batch.

Each submission is staged in memory (regular files only, a renamed notebook under its
expected name; the students' own files in submitted/ are never changed) and sent to
a worker (course_tools/grade/cluster.py: a local Dask cluster, one worker per core, or a
real cluster), which runs the real `nbgrader autograde` in a private course with the
trusted grader (grading/): a fresh sandboxed kernel per notebook, hidden tests
outside it, a cell that kills the kernel or hits a limit costing only that cell.
The results come back as data and are written here, one student at a time: the
autograded folder, the gradebook's scores (SQLite or PostgreSQL), and a note of
what was graded, so that a rerun after Ctrl-C grades only what is left. Every
problem is reported in words. Several assignments are graded in one run, one after
the other on the same workers.
"""
import collections
import contextlib
import dataclasses
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import MissingEntry

from course_tools.grade import cluster
from grading import gradebook_record, submission_files, worker_course, worker_runs
from grading.text import printable, printable_lines

LOG_NAME = "autograde.log"
STATE_NAME = ".grading.json"  # in autograded/<student>/<assignment>/: what was graded, for a rerun
NOT_SANDBOXED = ("not sandboxed: graded with c.SandboxedKernelManager.sandbox = False, so the student's code "
                 "ran with the grader's rights")
LIMIT_NOTE = re.compile(r"the grader's ([a-z ]+ limit)|\[grader: (output limit) reached")


@dataclass
class GradedStudent:
    student: str
    problems: list = field(default_factory=list)
    seconds: float = 0.0
    graded: bool = False
    timings: dict = field(default_factory=dict)  # seconds: the worker's (worker_course), and "pipeline" =
    # "staging" the submission + "saving" its result here
    resumed: bool = False  # graded by an earlier run, against the same submission
    worker: str = ""  # machine:pid:name of the worker that graded it (":name" on Dask)
    assignment: str = ""
    fingerprint: str = None  # what it was graded against (see fingerprint); None: a rerun grades it again
    saved_at: float = 0.0  # time.monotonic() once saved here (for the benchmark's timeline)


class GradingStopped(Exception):
    """Ctrl-C: the students graded so far are saved; a rerun goes on with the rest."""

    def __init__(self, done, total):
        super().__init__(f"stopped: {done} of {total} submissions graded and saved; run the same command again "
                         "to grade the rest")
        self.done, self.total = done, total


def stage(course, student):
    """The submission as a worker receives it (regular files, the notebook under its expected name), or None
    if there is no notebook to grade; and the problems found. Links and special files are left out."""
    source = course.root / "submitted" / student / course.assignment
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "submission"
        problems = submission_files.copy_submission(source, target)
        files = worker_course.read_files(target)
    expected = f"{course.notebook}.ipynb"
    size = submission_files.regular_file_size(source / expected)
    if expected not in files and size is not None:  # the copy stopped before it: too large to read
        return None, problems + [f"not graded: the notebook is {size / 2 ** 20:.1f} MiB; the grader reads notebooks "
                                 f"of at most {submission_files.MAX_NOTEBOOK_BYTES // 2 ** 20} MiB"]
    others = sorted(name for name in files if name.endswith(".ipynb") and "/" not in name)
    if expected not in files and len(others) == 1:
        files[expected] = files.pop(others[0])
        problems = problems + [f"renamed notebook: graded {printable(others[0], 120)} as {expected}"]
    if expected in files:
        refused = submission_files.refused_notebook(files[expected])
        if refused:
            return None, problems + [refused]
        return worker_course.Submission(student, files), problems
    if others:
        return None, problems + [f"missing notebook: {expected} not found, and {len(others)} other notebooks are "
                                 f"ambiguous ({', '.join(printable(name, 120) for name in others)})"]
    listing = ", ".join(printable(p.name, 120) for p in sorted(source.iterdir())) or "empty"
    return None, problems + [f"missing notebook: the folder holds no .ipynb file ({listing})"]


def course_materials(course):
    """What a worker needs to grade this assignment (grading/worker_course.py), read from the course."""
    root = course.root
    paths = [root / "nbgrader_config.py", *sorted((root / "grading").glob("*.py"))]
    source = root / "source" / course.assignment
    paths += [p for p in sorted(source.rglob("*")) if p.is_file() and p.suffix != ".ipynb"
              and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts]
    # The release's notebooks: the trusted grader tells the release's own worked examples by their text
    # (grading/deferred_cells.py, load_released_cells).
    paths += sorted((root / "release" / course.assignment).glob("*.ipynb"))
    files = {str(p.relative_to(root)): p.read_bytes() for p in paths}
    with course.gradebook() as gradebook:
        definition = worker_course.export_assignment(gradebook, course.assignment)
        version = worker_course.schema_version(gradebook)
    return worker_course.CourseMaterials(course.course_id, course.assignment, files, definition, version)


def fingerprint(materials, submission, problems):
    """What a grade depends on: the course materials, the submission's files and the staging's findings."""
    digest = hashlib.sha256(materials.fingerprint.encode())
    for path in sorted(submission.files) if submission else []:
        # fsencode: a file name that is not UTF-8 is the student's to choose, and must not stop the class.
        digest.update(os.fsencode(path) + b"\0" + hashlib.sha256(submission.files[path]).digest())
    digest.update(json.dumps(problems).encode())
    return digest.hexdigest()


def cell_names(nb):
    """A readable name per cell: its grade id, or the worked example of the function above it."""
    names, function = [], None
    for index, cell in enumerate(nb["cells"]):
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        gid = nbgrader.get("grade_id")
        if nbgrader.get("solution"):
            function = gid
        names.append(gid or (f"the worked example of {function}" if function else f"cell {index + 1}"))
    return names


def cells_where(cells, found):
    """Names of the cells with an output for which found(output) is true."""
    return [name for name, cell in cells if any(found(o) for o in cell.get("outputs", []))]


def listed(names, most=4):
    """Names for a one-line report: the first few, then how many more."""
    names = list(dict.fromkeys(names))
    more = f" and {len(names) - most} more cells" if len(names) > most else ""
    return ", ".join(names[:most]) + more


def grading_problems(nb):
    """What the trusted grader stopped or cut in an autograded notebook (its JSON as plain data, or None), by
    cell: timeouts, kernel deaths, limits reached."""
    cells = list(zip(cell_names(nb), nb["cells"])) if nb else []
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
    for limit in (nb.get("metadata", {}).get("trusted_grading", {}).get("limits_reached", []) if nb else []):
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
    """The students with a folder for the assignment, submitted/<student>/<assignment>/."""
    return sorted(p.parent.name for p in (course.root / "submitted").glob(f"*/{course.assignment}") if p.is_dir())


def save_result(course, gradebook, student, graded, problems, key, unsandboxed=False):
    """Write one student's result into the course (autograded folder, gradebook, the note for reruns);
    the GradedStudent. graded is a worker's GradedSubmission, or None when there was nothing to grade."""
    result = GradedStudent(student, list(problems), assignment=course.assignment)
    graded = cleaned(graded)
    folder = course.autograded_notebook(student).parent
    shutil.rmtree(folder, ignore_errors=True)
    if graded is not None:
        print(f"--- nbgrader autograde {course.assignment}, student {printable(student)} ---\n{graded.log}",
              flush=True)
        result.timings, result.seconds = graded.timings, graded.timings.get("autograde", 0.0)
        result.worker = graded.worker
    notebook = None
    if graded is not None and graded.success:
        worker_course.write_files(folder, graded.files)
        gradebook_record.save_record(gradebook, course.assignment, student, graded.record)
        result.graded = True
        submission = gradebook.find_submission(course.assignment, student)
        seconds_late, penalty = submission.total_seconds_late, submission.late_submission_penalty or 0
        data = graded.files.get(f"{course.notebook}.ipynb")
        notebook = json.loads(data) if data else None  # nbgrader validated it
        if seconds_late > 0:
            result.problems.append(f"late: submitted {seconds_late / 86400:.1f} days after the due date, "
                                   f"{penalty:g} points off")
    else:  # recorded all the same, with no points
        gradebook.update_or_create_student(student)
        if graded is not None and graded.record:  # as nbgrader leaves it: the submission, no scores
            gradebook_record.save_record(gradebook, course.assignment, student, without_scores(graded.record))
        else:
            with contextlib.suppress(Exception):
                gradebook.remove_submission(course.assignment, student)  # no earlier score stays
        if graded is not None:
            errors = re.findall(r"\[ERROR\] (.*)", graded.log)
            result.problems.append("not graded: " + (graded.error or (errors[0] if errors else "nbgrader failed")))
    if graded is not None:
        result.problems += tampering(graded.log)
    result.problems += grading_problems(notebook)
    if unsandboxed:
        result.problems.append(NOT_SANDBOXED)
    result.fingerprint = key if graded is None or not graded.error else None  # a lost or broken worker: a rerun
    return result


def without_scores(record):
    """A worker's record of an autograde that failed, its automatic scores taken out: nbgrader may have failed
    after saving them (the notebook found invalid once its last step had run), and an earlier run's scores must
    not stay."""
    return {**record, "notebooks": {name: {**notebook, "auto_scores": dict.fromkeys(notebook["auto_scores"])}
                                    for name, notebook in record["notebooks"].items()}}


def remember(course, result):
    """The note that lets a rerun keep this result (earlier_result): written once the gradebook holds it."""
    if result.fingerprint is not None:
        folder = course.autograded_notebook(result.student).parent
        folder.mkdir(parents=True, exist_ok=True)
        (folder / STATE_NAME).write_text(json.dumps({"fingerprint": result.fingerprint, "problems": result.problems,
                                                     "seconds": result.seconds, "graded": result.graded}))


def save_results(course, gradebook, arrived, unsandboxed=False):
    """save_result for each (student, graded, problems, fingerprint) of `arrived`, in one gradebook
    transaction: nbgrader's Gradebook commits after every change (three commits a student, each waiting for
    the disk or the database server, and each expiring what the session had loaded), which made saving one
    student at a time the limit of a large cluster. If the transaction fails, each student is saved again in
    a transaction of its own, as nbgrader would; the notes for reruns are written once the gradebook holds
    the results."""
    try:
        with one_transaction(gradebook):
            results = [save_result(course, gradebook, *one, unsandboxed) for one in arrived]
    except Exception:
        if len(arrived) == 1:
            raise
        results, failure = [], None
        for one in arrived:  # the others are saved all the same; then the first failure is raised
            try:
                results += save_results(course, gradebook, [one], unsandboxed)
            except Exception as error:
                failure = failure or error
        if failure is not None:
            raise failure
        return results
    for result in results:
        remember(course, result)
    return results


@contextlib.contextmanager
def one_transaction(gradebook):
    """The block's changes to the gradebook committed once, at its end (rolled back if it raises): meanwhile
    the commits of nbgrader's Gradebook only flush (scoped_session's commit, shadowed on this instance)."""
    session = gradebook.db
    session.commit = session.flush
    try:
        yield
    except BaseException:
        del session.commit
        session.rollback()
        raise
    del session.commit
    session.commit()


def cleaned(graded):
    """A worker's result with its text made printable: nbgrader's log quotes the student's file names and
    notebook, so one of its lines could otherwise hold a whole forged log or console line."""
    if graded is None:
        return None
    return dataclasses.replace(graded, log=printable_lines(graded.log), error=printable(graded.error, 300))


def earlier_result(course, student, key, in_gradebook):
    """The result of an earlier run that graded this very submission, if the gradebook still has it.
    in_gradebook: (students with a graded submission, students recorded without one)."""
    state = course.autograded_notebook(student).parent / STATE_NAME
    try:
        saved = json.loads(state.read_text())
    except (OSError, ValueError):
        return None
    if saved.get("fingerprint") != key or student not in in_gradebook[0 if saved.get("graded") else 1]:
        return None
    return GradedStudent(student, saved["problems"], saved["seconds"], saved["graded"], resumed=True,
                         assignment=course.assignment)


def check_workers(client, course):
    """Whether the workers' kernels are sandboxed; raises SandboxUnavailable if a worker cannot grade."""
    config_text = (course.root / "nbgrader_config.py").read_text()
    in_use = client.run(worker_course.check_worker, config_text)
    if not in_use:
        raise RuntimeError("the Dask cluster has no workers")
    return not all(in_use.values())


@dataclass
class Plan:
    """One assignment's share of a run: the students kept from an earlier run and those to grade."""
    course: object
    students: list
    materials: worker_course.CourseMaterials
    results: dict  # student -> GradedStudent, kept from an earlier run
    waiting: dict  # student -> (Submission or None, staging problems, fingerprint)
    staging_seconds: dict


def prepare(course, students, regrade):
    """Stage the assignment's submissions (every folder in submitted/, or the students named) and keep the
    students an earlier run graded against the same submission and materials, unless regrade."""
    students = students or submitted_students(course)
    materials = course_materials(course)
    results, waiting, staging_seconds = {}, {}, {}
    in_gradebook = set(course.scores()), set(course.students())
    for student in students:
        started = time.perf_counter()
        try:
            submission, problems = stage(course, student)
        except Exception as error:  # this student's problem: the class goes on
            submission, problems = None, [f"not graded: its folder could not be read ({type(error).__name__}: "
                                          f"{printable(error, 200)})"]
        key = fingerprint(materials, submission, problems)
        staging_seconds[student] = time.perf_counter() - started
        earlier = None if regrade else earlier_result(course, student, key, in_gradebook)
        if earlier:
            results[student] = earlier
        else:
            waiting[student] = (submission, problems, key)
    return Plan(course, students, materials, results, waiting, staging_seconds)


def grade_class(course, students=None, progress=True, scheduler=None, workers=None, regrade=False):
    """Autograde one assignment: every student with a folder in submitted/ (or those named); a GradedStudent
    each, in the students' order. See grade_assignments."""
    return grade_assignments([(course, students)], progress, scheduler, workers, regrade)


def grade_assignments(classes, progress=True, scheduler=None, workers=None, regrade=False):
    """Autograde several assignments of one course, one after the other on the same workers. classes:
    (Course, students or None for every folder in submitted/) per assignment. A GradedStudent per
    submission, by assignment then in the students' order.

    Students graded by an earlier run against the same submission and materials are kept, unless regrade.
    Ctrl-C raises GradingStopped once the workers are stopped; what was graded is saved.
    """
    cluster.remove_leftovers()
    plans = [prepare(course, students, regrade) for course, students in classes]
    total = sum(len(p.students) for p in plans)
    log_path = plans[0].course.root / LOG_NAME
    if not any(p.results for p in plans):  # a fresh run starts a fresh log; a resumed one adds to it
        log_path.unlink(missing_ok=True)
    with output_to(log_path) as console, plans[0].course.gradebook() as gradebook:
        try:
            with contextlib.ExitStack() as workers_open:
                client = unsandboxed = None
                for plan in plans:
                    if client is None and any(submission for submission, _, _ in plan.waiting.values()):
                        client = workers_open.enter_context(cluster.grading_client(scheduler, workers))
                        unsandboxed = check_workers(client, plan.course)
                    grade_plan(plan, gradebook, client, unsandboxed, console, progress)
        except KeyboardInterrupt:
            raise GradingStopped(sum(len(p.results) for p in plans), total) from None
    return [plan.results[student] for plan in plans for student in plan.students]


def grade_plan(plan, gradebook, client, unsandboxed, console, progress):
    """Grade one assignment's waiting students on the client's workers and save each result as it arrives."""
    from dask.distributed import as_completed
    from tqdm import tqdm

    course, results = plan.course, plan.results
    # disable=None: a bar on a terminal, none in a log; the summary lines print either way.
    bar = tqdm(total=len(plan.students), initial=len(results), desc=course.assignment, unit="student",
               file=console, disable=None if progress else True)

    def done(result, saving):
        staging = plan.staging_seconds[result.student]
        result.timings.update(pipeline=staging + saving, staging=staging, saving=saving)
        result.saved_at = time.monotonic()
        results[result.student] = result
        bar.update()
        if progress:
            tqdm.write(summary_line(gradebook, course, result), file=console)

    try:
        if progress:
            tqdm.write(f"{course.assignment}: {len(plan.students)} students", file=console)
        if results and progress:
            tqdm.write(f"{len(results)} students kept from an earlier run (same submission, same materials); "
                       "--regrade grades them again", file=console)
        for student, (submission, problems, key) in list(plan.waiting.items()):
            if submission is None:
                started = time.perf_counter()
                result, = save_results(course, gradebook, [(student, None, problems, key)])
                done(result, time.perf_counter() - started)
                del plan.waiting[student]
        if plan.waiting:
            shared = client.scatter(plan.materials, broadcast=True)
            futures = {client.submit(worker_runs.grade_on_worker, shared, submission, client.id,
                                     pure=False): student for student, (submission, _, _) in plan.waiting.items()}
            # What has arrived since the last save is saved together (one gradebook transaction): one student
            # at a time while the coordinator keeps up, more at once when many workers finish together.
            for batch in as_completed(futures).batches():
                started, arrived = time.perf_counter(), []
                for future in batch:
                    student = futures[future]
                    try:
                        graded = future.result()
                    except Exception as error:  # the worker was lost: this student only
                        graded = worker_course.GradedSubmission(
                            student, False, error=f"the worker grading it failed ({type(error).__name__}: "
                                                  f"{printable(error, 200)})")
                    _, problems, key = plan.waiting[student]
                    arrived.append((student, graded, problems, key))
                saved = save_results(course, gradebook, arrived, unsandboxed)
                share = (time.perf_counter() - started) / len(saved)  # each student's part of the batch
                for result in saved:
                    done(result, share)
    finally:
        bar.close()


def summary_line(gradebook, course, graded):
    try:
        submission = gradebook.find_submission(course.assignment, graded.student)
        total, penalty = submission.score or 0, submission.late_submission_penalty or 0
    except MissingEntry:
        total = penalty = 0
    late = f" - {penalty:g} late" if penalty else ""
    # Problems quote file names and the student's kernel; a terminal obeys a control character in them.
    problems = printable("; ".join(graded.problems)) or "ok"
    return f"{printable(graded.student):<12}{total:>6g}{late:<10} {graded.seconds:5.1f} s  {problems}"
