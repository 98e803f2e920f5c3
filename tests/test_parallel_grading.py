"""The class pipeline grading several students at once: the same products as one at a time, the same
grades as nbgrader's own autograde, reruns that grade only what is left, and Ctrl-C that stops cleanly."""
import os
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from conftest import REPO, generated_course, new_course
from course_tools.grade import grade_class
from course_tools.proof import demo_class
from course_tools.report import reports

# Ordinary, broken, late, renamed, kernel-killing and hostile students; no endless loop (it only costs time).
STUDENTS = [s for s in demo_class.STUDENTS if s.name in ("ada", "ben", "fay", "ivy", "jon", "kim", "lou", "max",
                                                         "noa", "pat", "rex")]
NAMES = [s.name for s in STUDENTS]


def demo_course(folder, db_url=None):
    """The demo students in a new course; its gradebook at db_url (default: gradebook.db in the folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    if db_url:  # generate_assignment defines the assignment in that database
        course = new_course(folder)
        with open(course.root / "nbgrader_config.py", "a") as config:
            config.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
        course.generate()
    else:
        course = generated_course(folder)
    course.set_due_date(demo_class.DUE)
    demo_class.write_class(course, STUDENTS)
    return course


def products(course):
    """Every product of a grading, as bytes; autograded notebooks without nbclient's run times."""
    found = {}
    for name in ("grades/cnn_step_by_step.csv", "class_report.html"):
        found[name] = (course.root / name).read_bytes()
    for path in sorted((course.root / "feedback").rglob("*.html")):
        found[str(path.relative_to(course.root))] = path.read_bytes()
    for path in sorted((course.root / "autograded").rglob("*")):
        if path.suffix == ".ipynb":
            nb = nbformat.read(str(path), as_version=4)
            for cell in nb.cells:
                cell.metadata.pop("execution", None)
            found[str(path.relative_to(course.root))] = nbformat.writes(nb)
        elif path.is_file() and path.name != grade_class.STATE_NAME:
            found[str(path.relative_to(course.root))] = path.read_bytes()
    return found


def gradebook_rows(course):
    """What the gradebook says of each submission: timestamp, extension, late penalty, flag, every score and
    comment (each column nbgrader's rows have, but their random ids)."""
    with course.gradebook() as gradebook:
        rows = {}
        for submission in gradebook.assignment_submissions(course.assignment):
            rows[submission.student_id] = (
                submission.timestamp, submission.extension,
                [(nb.name, nb.late_submission_penalty, nb.flagged,
                  sorted((g.name, g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade)
                         for g in nb.grades),
                  sorted((c.name, c.auto_comment, c.manual_comment) for c in nb.comments))
                 for nb in submission.notebooks])
        return rows


@pytest.fixture(scope="module")
def serial_and_parallel(one_worker_class, tmp_path_factory):
    course = demo_course(tmp_path_factory.mktemp("workers2"))
    graded = grade_class.grade_class(course, NAMES, progress=False, workers=2)
    reports.write_all(course, graded)
    return {1: one_worker_class, 2: (course, graded)}


def test_two_workers_make_the_same_products_as_one(serial_and_parallel):
    (serial, _), (parallel, _) = serial_and_parallel[1], serial_and_parallel[2]
    one, two = products(serial), products(parallel)
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []


def test_two_workers_save_the_same_gradebook_as_one(serial_and_parallel):
    (serial, _), (parallel, _) = serial_and_parallel[1], serial_and_parallel[2]
    assert serial.scores() == parallel.scores()
    assert gradebook_rows(serial) == gradebook_rows(parallel)


def test_results_come_back_in_the_students_order_with_their_times(serial_and_parallel):
    _, graded = serial_and_parallel[2]
    assert [g.student for g in graded] == NAMES
    assert all(g.seconds > 0 for g in graded if g.graded)
    assert {g.student for g in graded if not g.graded} == {"lou"}


def test_the_gradebook_holds_what_nbgraders_own_autograde_saves(serial_and_parallel, tmp_path):
    """The worker's scores reach the course's gradebook as nbgrader itself would have saved them there."""
    parallel, _ = serial_and_parallel[2]
    course = demo_course(tmp_path)
    course.nbgrader("autograde", course.assignment, "--force", check=False)
    ours, nbgraders = gradebook_rows(parallel), gradebook_rows(course)
    # Left out: lou, who handed in no notebook, and max, whose renamed notebook plain nbgrader does not find.
    compared = sorted(set(NAMES) - {"lou", "max"})
    assert {student: ours[student] for student in compared} == {student: nbgraders[student] for student in compared}


def test_a_rerun_keeps_what_was_graded_against_the_same_submission(serial_and_parallel):
    course, _ = serial_and_parallel[2]
    before = gradebook_rows(course)
    again = grade_class.grade_class(course, NAMES, progress=False, workers=2)
    assert all(g.resumed for g in again)
    assert gradebook_rows(course) == before


def test_a_changed_submission_is_graded_again_and_only_it(serial_and_parallel):
    course, _ = serial_and_parallel[2]
    timestamp = course.root / "submitted" / "ben" / course.assignment / "timestamp.txt"
    timestamp.write_text((demo_class.DUE.replace(hour=10)).strftime(demo_class.TIMESTAMP_FORMAT))
    again = {g.student: g for g in grade_class.grade_class(course, NAMES, progress=False, workers=2)}
    assert [name for name in NAMES if not again[name].resumed] == ["ben"]
    forced = grade_class.grade_class(course, ["ada"], progress=False, workers=1, regrade=True)
    assert not forced[0].resumed and forced[0].graded


def process_table():
    """{pid: (command name, parent pid, start time)} of this machine's processes that run: not the zombies, which
    have ended and wait for their parent (or, orphaned, pid 1, which here reaps about once a second) to read
    their status."""
    table = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            head, tail = open(f"/proc/{pid}/stat").read().rsplit(")", 1)
        except OSError:
            continue
        fields = tail.split()
        if fields[0] != "Z":
            table[int(pid)] = (head.split("(", 1)[1], int(fields[1]), fields[19])
    return table


def sandboxes_under(ancestor):
    """The bwrap processes (kernel templates, sandboxed kernels) descended from `ancestor`, as (pid, start
    time). The machine is shared: other people's graders start and stop kernels of their own meanwhile."""
    table = process_table()

    def descends(pid):
        while pid > 1:
            if pid == ancestor:
                return True
            pid = table.get(pid, ("", 0, ""))[1]
        return False

    return {(pid, start) for pid, (name, _, start) in table.items() if name == "bwrap" and descends(pid)}


def still_running(processes):
    """Those of the (pid, start time) processes that still run (a reused pid has another start time)."""
    table = process_table()
    return {(pid, start) for pid, start in processes if pid in table and table[pid][2] == start}


def test_ctrl_c_stops_cleanly_and_a_rerun_grades_the_rest(tmp_path):
    course = demo_course(tmp_path)
    command = [sys.executable, "-m", "course_tools.grade_and_report", "--course", str(course.root), "--workers", "1"]
    # As in an instructor's terminal: SIGINT handled (a test run in the background inherits it ignored).
    grading = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    states = course.root / "autograded"
    deadline = time.monotonic() + 120
    while len(list(states.rglob(grade_class.STATE_NAME))) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    sandboxes = sandboxes_under(grading.pid)
    assert sandboxes  # the worker's kernel template at least
    os.killpg(grading.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground process group
    output, _ = grading.communicate(timeout=60)
    assert grading.returncode == 130, output
    assert "run the same command again to grade the rest" in output
    time.sleep(1)
    assert still_running(sandboxes) == set()  # no kernel left behind
    done = {p.parent.parent.name for p in states.rglob(grade_class.STATE_NAME)}
    assert 3 <= len(done) < len(NAMES)
    rerun = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"{len(done)} students kept from an earlier run" in (course.root / "autograde.log").read_text() + \
        rerun.stdout + rerun.stderr
    assert sorted(course.scores()) == sorted(set(NAMES) - {"lou"})
    assert sorted(course.students()) == sorted(NAMES)
