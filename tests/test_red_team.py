"""Attacks found by a red-team review of the trusted grader, each of which won before its fix.

One class, graded through `make grade`'s path with short time limits (a 5 s cell
timeout, 20 s per notebook) so that the slow attacks stay cheap to run.
"""
import html
import os
import time

import nbformat
import pytest

from conftest import generated_course
from course_tools import notebooks
from course_tools.grade import grade_class
from course_tools.proof.sample_course import NOTEBOOK
from course_tools.report import reports

SECRET = "cnn-red-team-secret-4f1c"
MARK = "cnn-red-team-mark-9b2e"


def with_cell(code):
    """An edit that appends a code cell to the notebook."""
    def edit(nb):
        nb.cells.append(nbformat.v4.new_code_cell(code))
    return edit


# Writes a forged line into every file descriptor it inherited: the grader's log or terminal.
WRITES_TO_GRADER_STDIO = f'''
import os
for fd in range(3, 256):
    try:
        target = os.readlink(f"/proc/self/fd/{{fd}}")
    except OSError:
        continue
    if not target.startswith(("socket:", "anon_inode:", "/dev/null", "pipe:")) or fd < 3:
        try:
            os.write(fd, b"{MARK} [ERROR] forged by a student\\n")
        except OSError:
            pass
for fd in (0, 1, 2):
    try:
        os.write(fd, b"{MARK}\\n")
    except OSError:
        pass
'''

# Puts the grader's environment (its own, or another process's through /proc) into its feedback.
READS_GRADER_ENVIRONMENT = '''
def zero_pad(X, pad):
    import os
    found = [" ".join(f"{k}={v}" for k, v in os.environ.items())]
    for path in ["/proc/1/environ", "/proc/self/environ", "/proc/2/environ"]:
        try:
            found.append(open(path).read().replace("\\0", " "))
        except OSError as error:
            found.append(f"{path}: {error}")
    environ = " | ".join(found)
    start = max(0, environ.find("SECRET") - 40)
    raise RuntimeError("environment: " + environ[start:start + 250])
'''

# Writes past its /tmp into /dev/shm and /dev.
FILLS_DEV_SHM = f'''
import os
written = 0
try:
    with open("/dev/shm/{MARK}", "wb") as f:
        for _ in range(300):
            f.write(b"0" * 2 ** 20)
            written += 1
except OSError as error:
    print("stopped after", written, "MiB:", error)
'''

# Sleeps just under the cell timeout in every hidden call, and in extra cells.
SLEEPER = '''
import time, sys


def zero_pad(X, pad):
    time.sleep(4)
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
'''

# Error names and display updates of 20 MiB each, past the output limits.
HUGE_OUTPUTS = '''
from IPython.display import display
handles = [display("small", display_id=True) for _ in range(3)]
for handle in handles:
    handle.update("U" * 12_000_000)
raise type("E" * 12_000_000, (Exception,), {})("an error with a 12 MB name")
'''

ATTACKS = {
    "stdio-writer": {"edit": with_cell(WRITES_TO_GRADER_STDIO)},
    "environment-reader": {"answers": {"zero_pad": READS_GRADER_ENVIRONMENT}},
    "shm-filler": {"edit": with_cell(FILLS_DEV_SHM)},
    "sleeper": {"answers": {"zero_pad": SLEEPER}, "edit": with_cell("import time\ntime.sleep(4.5)\n" * 1)},
    "huge-outputs": {"edit": with_cell(HUGE_OUTPUTS)},
    "symlinked-notebook": {"link": ("cnn_step_by_step.ipynb", "../../../source/cnn_step_by_step/cnn_step_by_step.ipynb")},
    "symlinked-gradebook": {"link": ("data.db", "../../../gradebook.db")},
    "dangling-link": {"link": ("key", "/nonexistent/cnn-red-team")},
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, reference_answers):
    course = generated_course(tmp_path_factory.mktemp("red-team"))
    course.configure({"Execute.timeout": 5, "TrustedExecute.notebook_time_limit": 20})
    release = notebooks.read(course.release_notebook)
    for student, attack in {"aaa-honest": {}, **ATTACKS, "zzz-honest": {}}.items():
        nb = notebooks.fill(release, {**reference_answers, **attack.get("answers", {})})
        if "edit" in attack:
            attack["edit"](nb)
        if "link" in attack:
            name, target = attack["link"]
            folder = course.root / "submitted" / student / course.assignment
            folder.mkdir(parents=True)
            os.symlink(target, folder / name)
            if name != f"{NOTEBOOK}.ipynb":
                notebooks.write(nb, course.root, student, course.assignment, NOTEBOOK)
        else:
            notebooks.write(nb, course.root, student, course.assignment, NOTEBOOK)
    os.environ["CNN_RED_TEAM_SECRET"] = SECRET  # in the grader's environment while it grades
    started = time.monotonic()
    try:
        results = grade_class.grade_class(course, progress=False)
    finally:
        del os.environ["CNN_RED_TEAM_SECRET"]
    reports.write_all(course, results)
    return course, {r.student: r for r in results}, time.monotonic() - started


def feedback(course, student):
    return html.unescape((course.root / "feedback" / student / "cnn_step_by_step" / "cnn_step_by_step.html").read_text())


def test_the_honest_students_keep_full_marks(graded):
    course, results, _ = graded
    assert course.scores()["aaa-honest"]["total"] == course.scores()["zzz-honest"]["total"] == 100
    assert set(results) == {"aaa-honest", "zzz-honest", *ATTACKS}


def test_the_kernel_cannot_write_to_the_graders_output(graded):
    course, _, _ = graded
    assert MARK not in (course.root / "autograde.log").read_text()


def test_the_graders_environment_is_not_visible_in_the_sandbox(graded):
    course, _, _ = graded
    page = feedback(course, "environment-reader")
    assert "RuntimeError" in page  # its zero_pad did raise, with what it could read
    assert SECRET not in page


def test_dev_shm_holds_only_16_mib(graded):
    course, results, _ = graded
    nb = nbformat.read(str(course.autograded_notebook("shm-filler")), as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "stopped after 16 MiB" in printed or "stopped after 15 MiB" in printed, printed[-300:]
    assert course.scores()["shm-filler"]["total"] == 100


def test_a_student_who_sleeps_in_every_call_is_stopped_by_the_notebook_time_limit(graded):
    course, results, _ = graded
    sleeper = results["sleeper"]
    assert sleeper.seconds < 20 + 15, sleeper.seconds  # the notebook limit, plus starting and stopping
    assert any(p.startswith("timed out") for p in sleeper.problems), sleeper.problems
    assert course.scores()["sleeper"]["test_zero_pad"] == 0


def test_error_names_and_display_updates_count_against_the_output_limit(graded):
    course, _, _ = graded
    assert course.autograded_notebook("huge-outputs").stat().st_size < 12 * 2 ** 20
    assert course.scores()["huge-outputs"]["total"] == 100


def test_a_symlinked_notebook_is_not_graded_as_the_reference(graded):
    course, results, _ = graded
    assert (course.scores().get("symlinked-notebook") or {}).get("total", 0) == 0
    assert any("symbolic link" in p for p in results["symlinked-notebook"].problems)


def test_a_symlinked_gradebook_never_reaches_the_kernel(graded):
    course, results, _ = graded
    assert not (course.root / "autograded" / "symlinked-gradebook" / "cnn_step_by_step" / "data.db").exists()
    assert any("symbolic link" in p for p in results["symlinked-gradebook"].problems)


def test_a_dangling_link_costs_nothing_and_stops_nothing(graded):
    course, results, _ = graded
    assert course.scores()["dangling-link"]["total"] == 100
    assert any("symbolic link" in p for p in results["dangling-link"].problems)


def test_plain_nbgrader_autograde_refuses_a_submission_with_a_link(graded):
    course, _, _ = graded
    plain = course.nbgrader("autograde", course.assignment, "--student=symlinked-notebook", "--force", check=False)
    assert "symbolic link" in plain.stdout + plain.stderr
    assert (course.scores().get("symlinked-notebook") or {}).get("total", 0) == 0
