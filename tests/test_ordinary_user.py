"""Grading as an ordinary user, as on a JupyterHub server: the same sandbox, RLIMIT_NPROC for processes.

Root is not limited by RLIMIT_NPROC, so as root the grader uses cgroups; an ordinary
user cannot, so there the process limit is RLIMIT_NPROC inside the sandbox's user
namespace. This test becomes the user `nobody` (uid 65534) and runs the real
`nbgrader generate_assignment` and `nbgrader autograde` with the course's config,
from a virtual environment of Debian's own Python (the repo's venv lives under
root's home, which nobody cannot read), built from requirements.txt on first use.
"""
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, new_course
from course_tools import notebooks
from course_tools.proof.sample_course import NOTEBOOK

NOBODY = 65534
SYSTEM_PYTHON = "/usr/bin/python3"

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists(SYSTEM_PYTHON),
                                reason="needs root (to become nobody) and Debian's python3")

FORKS = '''
import os, time
forked = 0
for _ in range(200):
    try:
        pid = os.fork()
    except OSError as error:
        print("fork refused:", error)
        break
    if pid == 0:
        time.sleep(3)
        os._exit(0)
    forked += 1
print("forked", forked)
'''
HOGS_MEMORY = '''
import numpy
hog = numpy.ones(3 * 1024 ** 3 // 8)
'''


def user_venv():
    """A venv of Debian's Python with requirements.txt, readable by everyone; reused while they match."""
    digest = hashlib.sha256((REPO / "requirements.txt").read_bytes()).hexdigest()[:12]
    venv = Path(f"/tmp/cnn-grading-user-venv-{digest}")
    if not (venv / ".complete").exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([SYSTEM_PYTHON, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                        "-r", str(REPO / "requirements.txt")], check=True)
        (venv / ".complete").touch()
    venv.chmod(0o755)
    return venv


def as_nobody(venv, home, *args, cwd):
    env = {"HOME": str(home), "PATH": f"{venv / 'bin'}:/usr/bin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                           str(venv / "bin" / "python"), "-m", "nbgrader", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def graded(reference_answers):
    venv = user_venv()
    folder = Path(tempfile.mkdtemp(prefix="cnn-ordinary-user-"))
    folder.chmod(0o755)  # nobody may walk into it
    yield from grade_as_nobody(venv, folder, reference_answers)
    shutil.rmtree(folder, ignore_errors=True)


def grade_as_nobody(venv, folder, reference_answers):
    (folder / "course").mkdir()
    course = new_course(folder / "course")
    home = folder / "home"
    home.mkdir()
    for path in [course.root, home, *course.root.rglob("*"), *home.rglob("*")]:
        os.chown(path, NOBODY, NOBODY)
    generated = as_nobody(venv, home, "generate_assignment", course.assignment, cwd=course.root)
    assert generated.returncode == 0, generated.stderr
    release = notebooks.read(course.release_notebook)
    students = {"honest": reference_answers,
                "forker": {**reference_answers, "zero_pad": reference_answers["zero_pad"] + FORKS},
                "hog": {**reference_answers, "conv_single_step": reference_answers["conv_single_step"] + HOGS_MEMORY}}
    for student, answers in students.items():
        notebooks.write(notebooks.fill(release, answers), course.root, student, course.assignment, NOTEBOOK)
    for path in (course.root / "submitted").rglob("*"):
        os.chown(path, NOBODY, NOBODY)
    os.chown(course.root / "submitted", NOBODY, NOBODY)
    autograded = as_nobody(venv, home, "autograde", course.assignment, cwd=course.root)
    yield course, autograded


def outputs_of(course, student, grade_id):
    nb = nbformat.read(str(course.autograded_notebook(student)), as_version=4)
    cell = next(c for c in nb.cells if notebooks.grade_id(c) == grade_id)
    return " ".join(o.get("text", "") + o.get("ename", "") + ": " + o.get("evalue", "") for o in cell.outputs)


def test_an_ordinary_user_grades_the_class_in_the_sandbox(graded):
    """The forker's forks linger (zombies, never reaped) and keep its kernel at the process limit for the rest of
    its grading: pool_backward's hidden cases, whose reply is over 64 KiB, still come back (the kernel copies every
    message into zmq instead of starting pyzmq's garbage-collector thread for a zero-copy send)."""
    course, autograded = graded
    assert autograded.returncode == 0, autograded.stderr[-3000:]
    assert {student: scores["total"] for student, scores in course.scores().items()} == \
        {"honest": 100, "forker": 100, "hog": 100}


def test_rlimit_nproc_stops_a_student_forking_as_an_ordinary_user(graded):
    course, _ = graded
    text = outputs_of(course, "forker", "zero_pad")
    assert "fork refused" in text, text
    forked = int(text.split("forked ")[1].split()[0])
    assert 0 < forked < 64  # the process limit counts the kernel's own threads too


def test_the_memory_limit_holds_and_is_named_for_an_ordinary_user(graded):
    course, _ = graded
    assert "the grader's memory limit: 2 GiB" in outputs_of(course, "hog", "conv_single_step")


def test_nothing_of_nobody_is_left_running(graded):
    """Exited processes may wait a moment to be reaped; none may still run."""
    left = subprocess.run(["ps", "-u", str(NOBODY), "-o", "pid=,stat=,args="], capture_output=True, text=True).stdout
    running = [line for line in left.splitlines() if line.split()[1][0] != "Z"]
    assert running == [], left
