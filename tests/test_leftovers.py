"""`make grade` leaves nothing of its own in the temp folder: not after a run, not after Ctrl-C, and after a
crash not beyond the next run; and it never removes a folder that is not certainly its own and abandoned.

Each run is the real command (`python -m course_tools.grade_and_report`, two local Dask workers) on a small class,
with TMPDIR pointed at a fresh folder, so that what is left there is exactly what the grading left: the
machine is shared, and other people's gradings use the real /tmp meanwhile.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import REPO, new_course
from course_tools.course import Course
from course_tools.grade import grade_class
from course_tools.proof import demo_class
from grading import owned_folders, worker_course

CLASS = [s for s in demo_class.STUDENTS if s.name in ("ada", "ben", "fay", "ivy", "kim", "noa")]
COURSE = worker_course.COURSE_PREFIX
NOTE = owned_folders.OWNER_NOTE


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("small-class"))
    course.generate()
    course.set_due_date(demo_class.DUE)
    demo_class.write_class(course, CLASS)
    return course


def class_copy(small_class, folder):
    """A course of its own for one run: a run changes its course (autograded/, the gradebook)."""
    shutil.copytree(small_class.root, folder, symlinks=True)
    return Course(folder, small_class.assignment)


def start_grading(course, temp):
    """`make grade` on the course, its temp folder `temp`, in a process group of its own. SIGINT is
    handled as in an instructor's terminal (a test run in the background inherits it ignored)."""
    temp.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "course_tools.grade_and_report", "--course", str(course.root), "--workers", "2"]
    return subprocess.Popen(command, cwd=REPO, env=dict(os.environ, TMPDIR=str(temp)), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def watch(grading, course, temp, saved):
    """Wait until `saved` students are saved (or the run ended), watching the temp folder meanwhile; the
    names seen there."""
    seen, deadline = set(), time.monotonic() + 300
    while len(list((course.root / "autograded").rglob(grade_class.STATE_NAME))) < saved and grading.poll() is None:
        assert time.monotonic() < deadline
        seen |= set(os.listdir(temp))
        time.sleep(0.1)
    return seen | set(os.listdir(temp))


def run_to_the_end(course, temp):
    grading = start_grading(course, temp)
    output, _ = grading.communicate(timeout=600)
    assert grading.returncode == 0, output[-3000:]


def courses(names):
    return {name for name in names if name.startswith(COURSE)}


def test_a_run_leaves_nothing_in_the_temp_folder(small_class, tmp_path):
    course, temp = class_copy(small_class, tmp_path / "course"), tmp_path / "temp"
    grading = start_grading(course, temp)
    seen = watch(grading, course, temp, 1)
    output, _ = grading.communicate(timeout=600)
    assert grading.returncode == 0, output[-3000:]
    assert courses(seen)  # the workers' courses were made there
    assert os.listdir(temp) == []


def test_ctrl_c_leaves_nothing_in_the_temp_folder(small_class, tmp_path):
    course, temp = class_copy(small_class, tmp_path / "course"), tmp_path / "temp"
    grading = start_grading(course, temp)
    assert courses(watch(grading, course, temp, 2))
    assert grading.poll() is None
    os.killpg(grading.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground process group
    output, _ = grading.communicate(timeout=120)
    assert grading.returncode == 130, output[-3000:]
    assert os.listdir(temp) == []


def test_a_killed_worker_leaves_nothing_once_its_run_ends(small_class, tmp_path):
    """A worker killed mid-class (the OOM killer, say): Dask starts another and the run goes on."""
    course, temp = class_copy(small_class, tmp_path / "course"), tmp_path / "temp"
    grading = start_grading(course, temp)
    worker = sorted(courses(watch(grading, course, temp, 1)) & set(os.listdir(temp)))[0]
    assert grading.poll() is None
    os.kill(json.loads((temp / worker / NOTE).read_text())["pid"], signal.SIGKILL)
    output, _ = grading.communicate(timeout=600)
    assert grading.returncode == 0, output[-3000:]
    assert os.listdir(temp) == []


def plant(folder, owner):
    """A course folder as a worker leaves it, with an owner's note."""
    folder.mkdir()
    (folder / NOTE).write_text(json.dumps(owner))
    (folder / "gradebook.db").write_text("a course's gradebook\n")


@pytest.fixture(scope="module")
def crash_then_next_run(small_class, tmp_path_factory):
    """A run killed with SIGKILL, as by a power cut; folders planted beside what it left; then the next run.
    What was left by the crash, and what is in the temp folder after the next run."""
    root = tmp_path_factory.mktemp("crash")
    course, temp = class_copy(small_class, root / "course"), root / "temp"
    grading = start_grading(course, temp)
    watch(grading, course, temp, 1)
    assert grading.poll() is None
    os.killpg(grading.pid, signal.SIGKILL)
    grading.communicate(timeout=60)
    left = set(os.listdir(temp))
    dead = json.loads((temp / sorted(courses(left))[0] / NOTE).read_text())  # a worker killed by the crash

    alive = subprocess.Popen(["sleep", "600"])  # stands for another engineer's grading, still running
    running = dict(dead, pid=alive.pid, start=owned_folders.process_start(alive.pid))
    plant(temp / f"{COURSE}alive", running)
    # That pid, but started at another time: its owner ended and the pid was reused.
    plant(temp / f"{COURSE}pid-reused", dict(running, start=str(int(running["start"]) - 1)))
    plant(temp / f"{COURSE}before-a-reboot", dict(running, boot="the boot before"))
    plant(temp / f"{COURSE}other-machine", dict(dead, host="another-machine"))
    (temp / f"{COURSE}no-note").mkdir()
    (temp / f"{COURSE}no-note" / "gradebook.db").write_text("someone's course\n")
    # A link named like a course, to a folder outside whose note names a dead owner.
    plant(root / "precious", dead)
    (temp / f"{COURSE}link").symlink_to(root / "precious")
    # A course whose note is a link to a dead owner's note.
    (temp / f"{COURSE}note-is-a-link").mkdir()
    (temp / f"{COURSE}note-is-a-link" / NOTE).symlink_to(root / "precious" / NOTE)
    (temp / f"{COURSE}note-is-a-link" / "gradebook.db").write_text("someone's course\n")
    if os.geteuid() == 0:
        plant(temp / f"{COURSE}another-user", dead)
        os.chown(temp / f"{COURSE}another-user", 65534, 65534)
    try:
        run_to_the_end(course, temp)
        yield left, set(os.listdir(temp)), root
    finally:
        alive.kill()
        alive.wait()


def test_a_crash_leaves_its_folders(crash_then_next_run):
    left, _, _ = crash_then_next_run
    assert courses(left)  # the workers' courses
    assert [name for name in left if name.startswith("cnn-grading-dask-")]


def test_the_next_run_removes_what_a_crash_left(crash_then_next_run):
    left, after, _ = crash_then_next_run
    assert left & after == set()


def test_a_folder_whose_owner_still_runs_is_kept(crash_then_next_run):
    _, after, root = crash_then_next_run
    assert f"{COURSE}alive" in after
    assert (root / "temp" / f"{COURSE}alive" / "gradebook.db").exists()


def test_a_folder_whose_owners_pid_was_reused_is_removed(crash_then_next_run):
    _, after, _ = crash_then_next_run
    assert f"{COURSE}pid-reused" not in after


def test_a_folder_from_before_a_reboot_is_removed(crash_then_next_run):
    _, after, _ = crash_then_next_run
    assert f"{COURSE}before-a-reboot" not in after


def test_a_folder_of_another_machine_is_kept(crash_then_next_run):
    """A temp folder shared between machines: whether the owner runs cannot be told from here."""
    _, after, _ = crash_then_next_run
    assert f"{COURSE}other-machine" in after


def test_a_folder_without_the_owners_note_is_kept(crash_then_next_run):
    _, after, root = crash_then_next_run
    assert (root / "temp" / f"{COURSE}no-note" / "gradebook.db").exists()


def test_a_link_is_not_followed(crash_then_next_run):
    _, _, root = crash_then_next_run
    assert (root / "temp" / f"{COURSE}link").is_symlink()
    assert sorted(os.listdir(root / "precious")) == sorted([NOTE, "gradebook.db"])


def test_a_note_that_is_a_link_is_not_read(crash_then_next_run):
    _, _, root = crash_then_next_run
    assert (root / "temp" / f"{COURSE}note-is-a-link" / "gradebook.db").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a folder of another user")
def test_another_users_folder_is_kept(crash_then_next_run):
    _, after, _ = crash_then_next_run
    assert f"{COURSE}another-user" in after


def test_the_next_run_leaves_only_what_is_not_its_own(crash_then_next_run):
    _, after, _ = crash_then_next_run
    kept = {"alive", "other-machine", "no-note", "link", "note-is-a-link"} | \
        ({"another-user"} if os.geteuid() == 0 else set())
    assert after == {COURSE + name for name in kept}


def plain_autograde(course, temp, student):
    """Plain `nbgrader autograde` of one student, as Formgrader's button runs it, its temp folder `temp`."""
    temp.mkdir(exist_ok=True)
    env = dict(os.environ, TMPDIR=str(temp), PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}")
    return subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", course.assignment, "--force",
                             f"--student={student}"], cwd=course.root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def exchanges(temp):
    from grading import kernel_template

    return [name for name in os.listdir(temp) if name.startswith(kernel_template.EXCHANGE_PREFIX)]


def test_plain_autograde_leaves_no_template_folder_and_the_next_removes_a_killed_ones(small_class, tmp_path):
    """Plain autograde forks its kernels from a template too, whose folder lives in the temp folder: removed
    at the end of the run; left by a run killed outright, and removed by the next one."""
    course, temp = class_copy(small_class, tmp_path / "course"), tmp_path / "temp"
    run = plain_autograde(course, temp, "ada")
    output, _ = run.communicate(timeout=300)
    assert run.returncode == 0, output[-3000:]
    assert os.listdir(temp) == []

    killed = plain_autograde(course, temp, "ben")
    deadline = time.monotonic() + 120
    while not exchanges(temp):
        assert killed.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.communicate(timeout=60)
    left = exchanges(temp)
    assert left

    run = plain_autograde(course, temp, "ben")
    output, _ = run.communicate(timeout=300)
    assert run.returncode == 0, output[-3000:]
    assert not set(left) & set(os.listdir(temp))
