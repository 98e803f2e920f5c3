"""Scores that the real `nbgrader autograde` writes to the gradebook."""
import pytest

from conftest import GRADED_FUNCTIONS, POINTS, generated_course
from course_tools import notebooks
from course_tools.proof.sample_course import NOTEBOOK

# Each entry breaks one helper; the functions that call it must keep full credit.
BROKEN_HELPERS = {
    "broken-zero-pad": {"zero_pad": "def zero_pad(X, pad):\n    return X\n"},
    "broken-single-step": {"conv_single_step": "def conv_single_step(a_slice_prev, W, b):\n"
                                               "    return np.sum(a_slice_prev * W) + b\n"},
    "broken-mask": {"create_mask_from_window": "def create_mask_from_window(x):\n    return x > 0\n"},
    "broken-distribute": {"distribute_value": "def distribute_value(dz, shape):\n    return np.ones(shape) * dz\n"},
}

WARNING_SOLUTION = '''import warnings

def conv_single_step(a_slice_prev, W, b):
    warnings.warn("a harmless warning from a correct solution")
    with np.errstate(all="warn"):
        np.log(np.zeros(1))  # a RuntimeWarning on stderr
    return np.sum(a_slice_prev * W) + b.item()
'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory, reference_answers):
    course = generated_course(tmp_path_factory.mktemp("autograde"))
    release = notebooks.read(course.release_notebook)
    students = {"reference": reference_answers, "untouched": {},
                "warns": {**reference_answers, "conv_single_step": WARNING_SOLUTION}}
    students.update({name: {**reference_answers, **broken} for name, broken in BROKEN_HELPERS.items()})
    for student, answers in students.items():
        notebooks.write(notebooks.fill(release, answers), course.root, student, course.assignment, NOTEBOOK)
    course.autograde()
    return course.scores(), course.max_scores()


def test_points_add_up_to_100(graded):
    _, maxima = graded
    assert maxima["total"] == 100
    assert {name: maxima[f"test_{name}"] for name in GRADED_FUNCTIONS} == POINTS


def test_reference_solution_scores_100(graded):
    scores, _ = graded
    assert scores["reference"]["total"] == 100
    assert all(scores["reference"][f"test_{name}"] == POINTS[name] for name in GRADED_FUNCTIONS)


def test_untouched_release_scores_0(graded):
    scores, _ = graded
    assert scores["untouched"]["total"] == 0


def test_a_warning_on_stderr_costs_a_correct_solution_nothing(graded):
    scores, _ = graded
    assert scores["warns"]["total"] == 100


@pytest.mark.parametrize("student", BROKEN_HELPERS)
def test_a_broken_helper_costs_only_its_own_points(graded, student):
    scores, _ = graded
    broken = set(BROKEN_HELPERS[student])
    lost = {name for name in GRADED_FUNCTIONS if scores[student][f"test_{name}"] != POINTS[name]}
    assert lost == broken
    assert all(scores[student][f"test_{name}"] == 0 for name in broken)
