"""The grader's own work for one student is bounded: a deadline and a memory limit per student.

Each worker grades through a grading host (grading/student_process.py). The kernel's
limits (sandbox, notebook clock) do not cover nbgrader's own work on the notebook; these
tests grade, between two honest students on one worker, submissions that make that work
long or large, with the per-student limits of a course set low enough for them to reach.
Each such student is reported with the limit in words, for good (a rerun does not grade it
again), and the honest student after it is graded as usual, by a new host.
"""
import copy
import shutil

import nbformat
import pytest

from conftest import generated_course
from course_tools import notebooks
from course_tools.grade import grade_class
from grading.cgroups import Cgroup

HONEST = ("aaa-honest", "zzz-honest")
NOTEBOOK_SECONDS, OVERHEAD = 10, 1  # the slow course: a student's deadline is 11 s
EMPTY_CELLS = 9500  # about 4 s of nbgrader's own work here (19,000 JSON objects: under the staging cap)
MEMORY_LIMIT_MIB = 64  # measured here: an honest student grows the grading host by about 12 MiB, the big reader 136
as_root = pytest.mark.skipif(not Cgroup.available(), reason="the memory bound per student is a cgroup's, as root")


def reference_notebook(course):
    release = notebooks.read(course.release_notebook)
    return notebooks.fill(release, notebooks.reference_solutions(notebooks.read(course.source_notebook)))


def slow_reader(course):
    """Uses up the notebook's clock in its kernel, then leaves nbgrader thousands of cells to read, check,
    clean and write: work that no kernel limit sees."""
    nb = reference_notebook(course)
    first = next(cell for cell in nb.cells if cell.cell_type == "code")
    first.source += "\nimport time\ntime.sleep(9.5)\n"
    nb.cells += [nbformat.v4.new_markdown_cell("") for _ in range(EMPTY_CELLS)]
    return nb


def big_reader(course):
    """A 19 MiB notebook (under the staging cap of 20 MiB): nbgrader holds several copies of it."""
    nb = reference_notebook(course)
    nb.cells.append(nbformat.v4.new_markdown_cell("x" * (19 * 2 ** 20)))
    return nb


def write(course, student, nb):
    folder = course.root / "submitted" / student / course.assignment
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / f"{course.notebook}.ipynb"))


def limited_class(folder, settings, attacker, make):
    course = generated_course(folder)
    course.configure(settings)
    reference = reference_notebook(course)
    write(course, HONEST[0], reference)
    write(course, attacker, make(course))
    write(course, HONEST[1], copy.deepcopy(reference))
    return course


@pytest.fixture(scope="module")
def slow_class(tmp_path_factory):
    course = limited_class(tmp_path_factory.mktemp("slow"), {"TrustedExecute.notebook_time_limit": NOTEBOOK_SECONDS,
                                                              "StudentLimits.overhead": OVERHEAD},
                           "slow-reader", slow_reader)
    return course, grade_in_order(course, "slow-reader")


@pytest.fixture(scope="module")
def big_class(tmp_path_factory):
    if not Cgroup.available():
        pytest.skip("the memory bound per student is a cgroup's, as root")
    course = limited_class(tmp_path_factory.mktemp("big"), {"StudentLimits.memory_limit": MEMORY_LIMIT_MIB * 2 ** 20},
                           "big-reader", big_reader)
    return course, grade_in_order(course, "big-reader")


def grade_in_order(course, attacker):
    graded = grade_class.grade_class(course, [HONEST[0], attacker, HONEST[1]], progress=False, workers=1)
    return {g.student: g for g in graded}


@pytest.mark.parametrize("fixture", ["slow_class", "big_class"])
def test_the_honest_students_around_it_score_100(request, fixture):
    course, graded = request.getfixturevalue(fixture)
    scores = course.scores()
    for student in HONEST:
        assert graded[student].graded, graded[student].problems
        assert scores[student]["total"] == 100
    assert graded[HONEST[0]].worker == graded[HONEST[1]].worker  # one worker, which went on after the attacker


def test_a_student_past_the_deadline_is_stopped_at_it_and_told_why(slow_class):
    course, graded = slow_class
    attacker = graded["slow-reader"]
    deadline = NOTEBOOK_SECONDS + OVERHEAD
    print(f"slow-reader: stopped after {attacker.seconds:.1f} s, problems {attacker.problems}")
    assert not attacker.graded
    assert f"not graded: the grader's time limit per student ({deadline} s) was reached" in attacker.problems[0]
    assert deadline <= attacker.seconds < deadline + 5
    assert "slow-reader" in course.students() and "slow-reader" not in course.scores()


def test_without_the_deadline_the_slow_reader_holds_its_worker_past_it(tmp_path):
    """The attack is real: with an ample deadline, the same submission's grading takes longer than the
    deadline the test above stops it at."""
    course = generated_course(tmp_path)
    course.configure({"TrustedExecute.notebook_time_limit": NOTEBOOK_SECONDS, "StudentLimits.overhead": 600})
    write(course, "slow-reader", slow_reader(course))
    graded, = grade_class.grade_class(course, ["slow-reader"], progress=False, workers=1)
    print(f"slow-reader with a 610 s deadline: graded in {graded.seconds:.1f} s ({graded.problems})")
    assert graded.seconds > NOTEBOOK_SECONDS + OVERHEAD


def test_a_student_over_the_memory_limit_is_stopped_and_told_why(big_class):
    course, graded = big_class
    attacker = graded["big-reader"]
    print(f"big-reader: {attacker.problems}")
    assert not attacker.graded
    assert (f"not graded: the grader's memory limit per student ({MEMORY_LIMIT_MIB} MiB) was reached"
            in attacker.problems[0])
    for student in HONEST:  # the limit held them too, by a margin
        used = graded[student].timings["grader_memory_mib"]
        print(f"{student}: the grading host grew by {used:.0f} MiB")
        assert used < MEMORY_LIMIT_MIB


@as_root
def test_without_the_memory_limit_the_big_reader_grows_the_grader_past_it(tmp_path):
    course = generated_course(tmp_path)
    write(course, "big-reader", big_reader(course))
    graded, = grade_class.grade_class(course, ["big-reader"], progress=False, workers=1)
    used = graded.timings["grader_memory_mib"]
    print(f"big-reader with the default limit (2 GiB): graded, the grading host grew by {used:.0f} MiB")
    assert graded.graded and used > MEMORY_LIMIT_MIB


@pytest.mark.parametrize("fixture,attacker", [("slow_class", "slow-reader"), ("big_class", "big-reader")])
def test_a_stopped_student_is_not_graded_again_by_a_rerun(request, fixture, attacker):
    course, first = request.getfixturevalue(fixture)
    again = {g.student: g for g in grade_class.grade_class(course, [attacker], progress=False, workers=1)}
    assert again[attacker].resumed and again[attacker].problems == first[attacker].problems
