"""Part 2 (cnn_application) through the real `nbgrader generate_assignment` and `autograde`."""
import re

import pytest

from conftest import REPO, new_course
from course_tools import submissions
from course_tools.course import Course

ASSIGNMENT = "cnn_application"
POINTS = {"one_hot": 5, "conv_forward_fast": 15, "conv_forward_fast_speed": 5, "conv_backward_fast": 15,
          "conv_backward_fast_speed": 5, "relu": 5, "fc": 10, "softmax_cross_entropy": 10,
          "update_parameters": 5, "model_forward_backward": 10, "training": 15}

# Part 1's loops, as the students have them in cnn_layers.py: right, and slow.
LOOP_FORWARD = "def conv_forward_fast(A_prev, W, b, hparameters):\n    return conv_forward(A_prev, W, b, hparameters)\n"
LOOP_BACKWARD = "def conv_backward_fast(dZ, cache):\n    return conv_backward(dZ, cache)\n"
# A student who wants the speed points for the loops: every function the grader defines in the kernel
# from now on runs five times slower, so the loop version it times looks slow next to the student's.
SLOW_THE_GRADERS_LOOPS = LOOP_FORWARD + '''
import time as _time
_real_define = _cnn_grading_define

def _cnn_grading_define(name, source, defines=None):
    answer = _real_define(name, source, defines)
    honest = globals()[name]

    def slowed(*args, **kwargs):
        started = _time.perf_counter()
        result = honest(*args, **kwargs)
        _time.sleep(4 * (_time.perf_counter() - started))
        return result
    globals()[name] = slowed
    return answer
'''
# relu_backward that lets every gradient through: its own points go, and the model's (graded with
# the reference relu) stay; the network still trains past 90% without the mask? The test says.
BROKEN_RELU = ("def relu_forward(Z):\n    return np.maximum(Z, 0), Z\n\n\n"
               "def relu_backward(dA, cache):\n    return dA\n")
# The loss summed over the batch, not averaged: gradients 32 times too large, and training diverges.
SUMMED_LOSS = '''def softmax_cross_entropy(Z, Y):
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.sum(Y * log_probs)), np.exp(log_probs) - Y
'''


def reference_answers():
    return submissions.reference_solutions(submissions.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = Course(new_course(tmp_path_factory.mktemp("application")).root, ASSIGNMENT)
    course.nbgrader("generate_assignment", ASSIGNMENT, "--force")
    release = submissions.read(course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    reference = reference_answers()
    students = {
        "reference": reference,
        "untouched": {},
        "loops": {**reference, "conv_forward_fast": LOOP_FORWARD, "conv_backward_fast": LOOP_BACKWARD},
        "slows-the-grader": {**reference, "conv_forward_fast": SLOW_THE_GRADERS_LOOPS},
        "broken-relu": {**reference, "relu": BROKEN_RELU},
        "summed-loss": {**reference, "softmax_cross_entropy": SUMMED_LOSS},
    }
    for student, answers in students.items():
        submissions.write(submissions.fill(release, answers), course.root, student, ASSIGNMENT, ASSIGNMENT)
    course.nbgrader("autograde", ASSIGNMENT, "--force")
    return course.scores(), course.max_scores(), course


def lost(scores, student):
    return {name for name, points in POINTS.items() if scores[student][f"test_{name}"] != points}


def test_points_add_up_to_100(graded):
    _, maxima, _ = graded
    assert maxima["total"] == 100
    assert {name: maxima[f"test_{name}"] for name in POINTS} == POINTS


def test_reference_solution_scores_100(graded):
    scores, _, _ = graded
    assert lost(scores, "reference") == set()
    assert scores["reference"]["total"] == 100


def test_untouched_release_scores_0(graded):
    scores, _, _ = graded
    assert scores["untouched"]["total"] == 0


def test_the_loop_version_is_right_but_earns_no_speed_points(graded):
    scores, _, course = graded
    assert lost(scores, "loops") == {"conv_forward_fast_speed", "conv_backward_fast_speed", "training"}
    messages = course.failure_messages("loops")
    assert "times faster" in messages["test_conv_forward_fast_speed"]


def test_slowing_the_graders_loop_version_earns_no_speed_points(graded):
    scores, _, course = graded
    assert lost(scores, "slows-the-grader") == {"conv_forward_fast_speed"}


def test_a_broken_relu_costs_its_own_points_and_the_training(graded):
    scores, _, _ = graded
    assert lost(scores, "broken-relu") == {"relu", "training"}


def test_a_summed_loss_costs_its_own_points_and_the_training(graded):
    scores, _, course = graded
    assert lost(scores, "summed-loss") == {"softmax_cross_entropy", "training"}


@pytest.fixture(scope="module")
def executed_source():
    """The source notebook run top to bottom in an ordinary kernel, as the instructor runs it: the hidden
    checks run there too, on the reference solutions (speed and training included)."""
    from nbclient import NotebookClient

    nb = submissions.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO / "source" / ASSIGNMENT)}}).execute()
    return nb


def stdout_of(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")


def test_the_source_notebook_runs_without_error_or_stderr(executed_source):
    errors = [o.get("evalue") for c in executed_source.cells for o in c.get("outputs", []) if o.output_type == "error"]
    stderr = [c.id for c in executed_source.cells if any(o.get("name") == "stderr" for o in c.get("outputs", []))]
    assert errors == [] and stderr == []


def test_every_test_cell_reports_its_visible_checks_passed(executed_source):
    printed = "".join(stdout_of(c) for c in executed_source.cells)
    for name in ("one_hot", "conv_forward_fast", "conv_backward_fast", "relu", "fc", "softmax_cross_entropy",
                 "update_parameters", "model_forward_backward"):
        assert f"{name}: visible checks passed." in printed, name


def test_every_expected_output_is_what_the_cell_above_prints(executed_source):
    """Each "Expected output" block's lines, in the output of the code cell just above it."""
    checked, last_code = 0, None
    for cell in executed_source.cells:
        if cell.cell_type == "code":
            last_code = cell
            continue
        for block in re.findall(r"\*\*Expected output:?\*\*[^`]*```\n(.*?)```", cell.source, re.S):
            printed = stdout_of(last_code).split("\n")
            for line in filter(str.strip, block.split("\n")):
                assert line in printed, f"{line!r} is not in the output of the cell above"
            checked += 1
    assert checked == 6
