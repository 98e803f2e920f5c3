"""Part 2 (cnn_application) through the real `nbgrader generate_assignment` and `autograde`."""
import re
import subprocess
import sys

import nbformat
import numpy
import pytest

from conftest import REPO, generated_course
from course_tools import notebooks

ASSIGNMENT = "cnn_application"
POINTS = {"one_hot": 5, "conv_forward_fast": 15, "conv_forward_fast_speed": 5, "conv_backward_fast": 15,
          "conv_backward_fast_speed": 5, "relu": 5, "fc": 10, "softmax_cross_entropy": 10,
          "update_parameters": 5, "model_forward_backward": 10, "training": 15}

# Part 1's loops, as the students have them in cnn_layers.py: right, and slow (the corpus's slow entries hand
# them in as they are; here they run only when timed: loops_when_timed).
LOOP_FORWARD = "def conv_forward_fast(A_prev, W, b, hparameters):\n    return conv_forward(A_prev, W, b, hparameters)\n"
# A student who wants the speed points for the loops, and has read grading/: every function the grader
# defines in the kernel runs 21 times slower. When the grader timed the loop version in the kernel (defined
# there for the speed check) the loops looked 21 times faster than it; the loop version now runs in the
# grader only, and what the grader defines in the kernel is never timed.
SLOWS_THE_GRADERS_LOOPS = '''
import time as _time
_real_define = _cnn_grading_define

def _cnn_grading_define(name, source, *rest):
    answer = _real_define(name, source, *rest)
    honest = globals()[name]

    def slowed(*args, **kwargs):
        started = _time.perf_counter()
        result = honest(*args, **kwargs)
        _time.sleep(20 * (_time.perf_counter() - started))
        return result
    globals()[name] = slowed
    return answer
'''
# A student who wants the speed points for the loops, and knows the grader times the loop version in its own
# process between the timed calls: two threads and four forked processes spin (pure Python) whenever
# conv_forward_fast is not running, in the second after each timed call, so that whatever the grader measures
# then runs on a busy CPU. The grader stops every process of the kernel while it times the loop version.
SPINS_WHILE_IDLE = '''
import mmap as _mmap
import os as _os
import struct as _struct
import threading as _threading
import time as _time

# Shared with the forks: [0] is 1 while conv_forward_fast runs, [1:9] the time until which to spin.
_shared = _mmap.mmap(-1, 9)


def _spin():
    while True:
        if _shared[0] or _time.monotonic() > _struct.unpack_from("d", _shared, 1)[0]:
            _time.sleep(0.001)
        else:
            for _ in range(20000):
                pass


for _ in range(4):
    if _os.fork() == 0:
        try:
            _spin()
        finally:
            _os._exit(0)
for _ in range(2):
    _threading.Thread(target=_spin, daemon=True).start()
_unwatched = conv_forward_fast


def conv_forward_fast(A_prev, W, b, hparameters):
    _shared[0] = 1
    try:
        return _unwatched(A_prev, W, b, hparameters)
    finally:
        _shared[0] = 0
        if A_prev.shape[1:] == (16, 16, 3):  # a timed batch: the grader times the loop version next
            _struct.pack_into("d", _shared, 1, _time.monotonic() + 1.0)
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

# Weights from somewhere else (here: trained at import by a hidden copy of the right layers, standing
# for weights copied from a classmate), reached by "gradients" that point at them. Without the grader's
# check that every step's gradient points where the loss's gradient does, this trains to their accuracy.
PLANTED_WEIGHTS = """
def model_forward_backward(X, Y, parameters):
    global _planted
    if "_planted" not in globals():
        _planted = _train_elsewhere()
    grads = {"d" + name: (parameters[name] - _planted[name]) / 0.1 for name in parameters}
    return 0.0, grads


def _train_elsewhere():
    import numpy
    from numpy.lib.stride_tricks import sliding_window_view as windows
    with h5py.File("datasets/train_digits.h5", "r") as file:
        X, labels = file["train_set_x"][:] / 255.0, file["train_set_y"][:]
    Y = numpy.eye(10)[labels]
    rng = numpy.random.default_rng(7)
    p = {"W1": rng.standard_normal((3, 3, 1, 8)) * 0.47, "b1": numpy.zeros(8),
         "W2": rng.standard_normal((128, 10)) * 0.125, "b2": numpy.zeros(10)}
    for epoch in range(8):
        for start in range(0, len(X), 32):
            x, y = X[start:start + 32], Y[start:start + 32]
            w = windows(numpy.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0))), (3, 3), axis=(1, 2))
            z1 = numpy.einsum("mhwkij,ijkc->mhwc", w, p["W1"]) + p["b1"]
            a1 = numpy.maximum(z1, 0)
            blocks = a1.reshape(len(x), 4, 2, 4, 2, 8).transpose(0, 1, 3, 5, 2, 4).reshape(len(x), 4, 4, 8, 4)
            first = blocks.argmax(axis=-1)
            pooled = blocks.max(axis=-1).reshape(len(x), -1)
            scores = pooled @ p["W2"] + p["b2"]
            prob = numpy.exp(scores - scores.max(1, keepdims=True))
            d2 = (prob / prob.sum(1, keepdims=True) - y) / len(x)
            dpool = (d2 @ p["W2"].T).reshape(len(x), 4, 4, 8)
            dblocks = (numpy.arange(4) == first[..., None]) * dpool[..., None]
            da1 = dblocks.reshape(len(x), 4, 4, 8, 2, 2).transpose(0, 1, 4, 2, 5, 3).reshape(len(x), 8, 8, 8)
            dz1 = da1 * (z1 > 0)
            grads = {"W1": numpy.einsum("mhwkij,mhwc->ijkc", w, dz1), "b1": dz1.sum((0, 1, 2)),
                     "W2": pooled.T @ d2, "b2": d2.sum(0)}
            p = {k: p[k] - 0.1 * grads[k] for k in p}
    return {"W1": p["W1"], "b1": p["b1"].reshape(1, 1, 1, 8), "W2": p["W2"], "b2": p["b2"].reshape(1, 10)}
"""


def loops_when_timed(reference, loops):
    """A conv_forward_fast cell that runs `loops` (a conv_forward_fast's source) on the speed cell's batches of
    16x16 images, which are what is timed, and the reference's fast version elsewhere: on the training's 8x8
    digits too, so that the training ends in seconds instead of running into the cell timeout with loops
    (part 2's corpus grades the loops handed in as they are: its slow entries), which the tests of these
    students leave open."""
    return (reference["conv_forward_fast"].replace("def conv_forward_fast(", "def _fast_version(") + "\n\n\n"
            + loops.replace("def conv_forward_fast(", "def _loop_version(") + '''

def conv_forward_fast(A_prev, W, b, hparameters):
    if A_prev.shape[1:] == (16, 16, 3):
        return _loop_version(A_prev, W, b, hparameters)
    return _fast_version(A_prev, W, b, hparameters)
''')


# Loops written out, and a cnn_layers.py of the student's own beside the notebook whose loop versions
# sleep: if the grader timed that copy, the student's loops would look more than 10 times faster.
OWN_LOOPS = """def conv_forward_fast(A_prev, W, b, hparameters):
    stride, pad, f = hparameters["stride"], hparameters["pad"], W.shape[0]
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    n_H, n_W = (n_H_prev + 2 * pad - f) // stride + 1, (n_W_prev + 2 * pad - f) // stride + 1
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    Z = np.zeros((m, n_H, n_W, W.shape[3]))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(W.shape[3]):
                    window = A_pad[i, h * stride:h * stride + f, w * stride:w * stride + f, :]
                    Z[i, h, w, c] = np.sum(window * W[:, :, :, c]) + b[0, 0, 0, c]
    return Z, (A_prev, W, b, hparameters)
"""
SLOW_LAYERS = (REPO / "source" / ASSIGNMENT / "cnn_layers.py").read_text().replace(
    "import numpy as np\n", "import numpy as np\nimport time\n", 1).replace(
    '    return Z, cache\n', '    time.sleep(3)\n    return Z, cache\n')

# A student who records the inputs the grader times (a hash of each), and prints them after every cell:
# they reach the autograded notebook, so the feedback. With the same inputs at every grading, a later
# submission could answer them from a table computed beforehand by slow code, and get the speed points.
RECORDS_TIMED_INPUTS = """
import hashlib
_seen, _seen_weights = [], []

def _print_seen(*_):
    if _seen:
        print("recorded inputs:", " ".join(_seen))
        _seen.clear()
    if _seen_weights:
        print("recorded training weights:", " ".join(_seen_weights))
        _seen_weights.clear()

get_ipython().events.register("post_run_cell", _print_seen)
_right = conv_forward_fast


def conv_forward_fast(A_prev, W, b, hparameters):
    if A_prev.shape == (32, 16, 16, 3):  # the timed batches
        _seen.append(hashlib.sha256(A_prev.tobytes()).hexdigest()[:16])
    return _right(A_prev, W, b, hparameters)


# The weights of the training's sums, too: with the same weights at every grading, a table of the grader's own
# run's sums (computed once, by right code, anywhere) would answer for any model.
_real_descend = _cnn_grading_descend


def _cnn_grading_descend(name, request):
    import base64
    import json
    weights = json.loads(base64.b64decode(request)).get("weights")
    _seen_weights.append(hashlib.sha256(json.dumps(weights).encode()).hexdigest()[:16])
    return _real_descend(name, request)
"""


# A student who has read the kit: update_parameters zeroes, in place, the gradients of the grader's cases
# (their W1 is 3x2) and returns the parameters unchanged. A grader that computed the expected update from
# its own grads after the call would expect exactly that. Elsewhere (the visible check, the training) it
# updates honestly.
ZEROES_GRADS = """def update_parameters(parameters, grads, learning_rate):
    if parameters["W1"].shape == (3, 2):
        for value in grads.values():
            value[...] = 0.0
        return {name: value.copy() for name, value in parameters.items()}
    return {name: value - learning_rate * grads["d" + name] for name, value in parameters.items()}
"""

# A student who has read the kernel's digest (a fixed weighting of the result's entries): on the first
# timed batch the loops run, and the digest's weighting is turned into a vector on the images (one loop
# backward pass). A later timed call with the same filters is then answered with one dot product, in a
# result that is all zeros but its first entry. The grader keeps the fastest timed call.
LINEAR_DIGEST = """
_digest_of_filters = {}


def conv_forward_fast(A_prev, W, b, hparameters):
    if A_prev.shape[1:] != (16, 16, 3):  # not a timed batch
        return _fast_version(A_prev, W, b, hparameters)
    cache = (A_prev, W, b, hparameters)
    key = (W.tobytes(), b.tobytes(), A_prev.shape)
    if key not in _digest_of_filters:
        Z, _ = conv_forward(A_prev, W, b, hparameters)
        weights = np.cos(np.arange(Z.size) * 0.7548776662466927).reshape(Z.shape)
        dA, _, _ = conv_backward(weights, cache)
        offset = float(Z.ravel() @ weights.ravel()) - float(A_prev.ravel() @ dA.ravel())
        _digest_of_filters[key] = (dA.ravel(), offset, Z.shape)
        return Z, cache
    direction, offset, shape = _digest_of_filters[key]
    Z = np.zeros(shape)
    Z.flat[0] = float(A_prev.ravel() @ direction) + offset
    return Z, cache
"""

# The right gradients, 2 % too large: not the loss's gradient (model_forward_backward's points go), but
# pointing where it does, and training with them still passes 90 %. The training check's quick way (the
# kit's own run, when every step's gradient is the true one) does not apply: it must train with these.
SLIGHTLY_OFF_GRADIENTS = """

_right_model_forward_backward = model_forward_backward


def model_forward_backward(X, Y, parameters):
    loss, grads = _right_model_forward_backward(X, Y, parameters)
    return loss, {name: 1.02 * grad for name, grad in grads.items()}
"""

# Right gradients, and the caller's batch changed after computing them: harmless in the notebook's training,
# whose batches are copies (fancy indexing), so the student's own training still works.
CHANGES_ITS_BATCH = """

_unchanged_model_forward_backward = model_forward_backward


def model_forward_backward(X, Y, parameters):
    result = _unchanged_model_forward_backward(X, Y, parameters)
    X -= X.mean()
    return result
"""

# A student who read grading/: to grade model_forward_backward alone, the grader puts its reference layers
# in the kernel for that cell. This model notices them (a function under a layer's name that was not defined
# in the notebook), keeps them, and computes with them from then on: the notebook's training cell and the
# training check, run after that cell in the same kernel, would train with the grader's layers. Neither
# convolution is written here.
KEEPS_THE_REFERENCES = """REFERENCE_MODEL

_LAYERS = ("conv_forward_fast", "conv_backward_fast", "relu_forward", "relu_backward", "fc_forward", "fc_backward",
           "softmax_cross_entropy")
_kept = {}


def model_forward_backward(X, Y, parameters):
    for name in _LAYERS:
        function = globals()[name]
        if getattr(function, "__globals__", None) is not globals():  # the grader's, not the notebook's
            _kept[name] = function
    own = {name: globals()[name] for name in _LAYERS}
    globals().update(_kept)
    try:
        return _honest_model_forward_backward(X, Y, parameters)
    finally:
        globals().update(own)
"""

USES_KEPT_CONVOLUTIONS = {
    "conv_forward_fast": "def conv_forward_fast(A_prev, W, b, hparameters):\n"
                         "    if 'conv_forward_fast' not in globals().get('_kept', {}):\n        raise NotImplementedError()\n"
                         "    return _kept['conv_forward_fast'](A_prev, W, b, hparameters)\n",
    "conv_backward_fast": "def conv_backward_fast(dZ, cache):\n"
                          "    if 'conv_backward_fast' not in globals().get('_kept', {}):\n        raise NotImplementedError()\n"
                          "    return _kept['conv_backward_fast'](dZ, cache)\n",
}


def reference_answers():
    return notebooks.reference_solutions(notebooks.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))


# An honest model, written for speed: the right gradients in float32 (off the grader's own run by far more than
# the sums' 1e-8, so the grader asks for the results the kernel kept), returned in one dictionary filled again at
# every call. Each step's result is right when returned, and the notebook's own training trains with it.
# (Found by the red team: the kept results were references, and every step read as the last one.)
FLOAT32_REUSED_DICT = """

_grads = {}


def model_forward_backward(X, Y, parameters):
    loss, grads = _honest_model_forward_backward(X, Y, parameters)
    for name, grad in grads.items():
        _grads[name] = grad.astype(np.float32)
    return loss, _grads
"""


# A model the grader's training could not train with: zero gradients from its 11th step on (it stands for any
# model that fails late in a long training, a slow one say), right everywhere else, the notebook's own training
# and checks included. The kernel side's training helper, replaced, runs the first ten steps only and answers
# for those.
SHORT_TRAINING = """
_in_grader_training = [0]


def model_forward_backward(X, Y, parameters):
    loss, grads = _honest_model_forward_backward(X, Y, parameters)
    if _in_grader_training[0]:
        _in_grader_training[0] += 1
        if _in_grader_training[0] > 11:
            grads = {name: 0 * value for name, value in grads.items()}
    return loss, grads


_real_descend = _cnn_grading_descend


def _cnn_grading_descend(name, request):
    import base64
    import json
    body = json.loads(base64.b64decode(request))
    body["batches"] = body["batches"][:10]
    _in_grader_training[0] = 1
    try:
        return _real_descend(name, base64.b64encode(json.dumps(body).encode()).decode())
    finally:
        _in_grader_training[0] = 0
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = generated_course(tmp_path_factory.mktemp("application"), ASSIGNMENT)
    release = notebooks.read(course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    reference = reference_answers()
    students = {
        "reference": reference,
        "untouched": {},
        "slows-the-grader": {**reference,
                             "conv_forward_fast": loops_when_timed(reference, LOOP_FORWARD) + SLOWS_THE_GRADERS_LOOPS},
        "spins-while-idle": {**reference,
                             "conv_forward_fast": loops_when_timed(reference, LOOP_FORWARD) + SPINS_WHILE_IDLE},
        "broken-relu": {**reference, "relu": BROKEN_RELU},
        "summed-loss": {**reference, "softmax_cross_entropy": SUMMED_LOSS},
        "planted-weights": {**reference, "model_forward_backward": PLANTED_WEIGHTS},
        "own-layers": {**reference, "conv_forward_fast": loops_when_timed(reference, OWN_LOOPS)},
        "records-1": {**reference, "conv_forward_fast": reference["conv_forward_fast"] + RECORDS_TIMED_INPUTS},
        "records-2": {**reference, "conv_forward_fast": reference["conv_forward_fast"] + RECORDS_TIMED_INPUTS},
        "zeroes-grads": {**reference, "update_parameters": ZEROES_GRADS},
        "changes-its-batch": {**reference, "model_forward_backward": reference["model_forward_backward"]
                              + CHANGES_ITS_BATCH},
        "slightly-off-gradients": {**reference, "model_forward_backward": reference["model_forward_backward"]
                                   + SLIGHTLY_OFF_GRADIENTS},
        # Neither fast convolution written (they use the grader's once kept), and a model that keeps the grader's.
        "keeps-the-references": {**reference, **USES_KEPT_CONVOLUTIONS,
                                 "model_forward_backward": KEEPS_THE_REFERENCES.replace(
                                     "REFERENCE_MODEL", reference["model_forward_backward"].replace(
                                         "def model_forward_backward(", "def _honest_model_forward_backward("))},
        "linear-digest": {**reference, "conv_forward_fast": reference["conv_forward_fast"].replace(
            "def conv_forward_fast(", "def _fast_version(") + "\n\n" + LINEAR_DIGEST},
        "short-training": {**reference, "model_forward_backward": reference["model_forward_backward"].replace(
            "def model_forward_backward(", "def _honest_model_forward_backward(") + "\n\n" + SHORT_TRAINING},
        "float32-reused-dict": {**reference, "model_forward_backward": reference["model_forward_backward"].replace(
            "def model_forward_backward(", "def _honest_model_forward_backward(") + FLOAT32_REUSED_DICT},
    }
    for student, answers in students.items():
        notebooks.write(notebooks.fill(release, answers), course.root, student, ASSIGNMENT, ASSIGNMENT)
    scratch = notebooks.fill(release, reference)
    scratch.cells.append(nbformat.v4.new_code_cell(
        "def model_forward_backward(X, Y, parameters):  # trying something else, never called\n"
        "    return 0.0, {}\n"))
    notebooks.write(scratch, course.root, "redefine-later", ASSIGNMENT, ASSIGNMENT)
    (course.root / "submitted" / "own-layers" / ASSIGNMENT / "cnn_layers.py").write_text(SLOW_LAYERS)
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


def loses_the_speed_points(scores, student):
    """The forward pass's speed points lost, and nothing else but the training, which the loops may or
    may not finish within the cell's time limit on a busy machine."""
    return "conv_forward_fast_speed" in lost(scores, student) <= {"conv_forward_fast_speed", "training"}


def test_slowing_the_graders_loop_version_earns_no_speed_points(graded):
    scores, _, course = graded
    assert loses_the_speed_points(scores, "slows-the-grader")
    assert "times faster" in course.failure_messages("slows-the-grader")["test_conv_forward_fast_speed"]


def test_a_kernel_that_spins_while_the_grader_times_the_loop_version_earns_no_speed_points(graded):
    """Its processes are stopped while the grader times the loop version: they slow nothing the grader
    measures, and cost the student nothing else."""
    scores, _, course = graded
    assert lost(scores, "spins-while-idle") == {"conv_forward_fast_speed"}
    assert "times faster" in course.failure_messages("spins-while-idle")["test_conv_forward_fast_speed"]


@pytest.fixture(scope="module")
def graded_while_busy(tmp_path_factory):
    """The reference solution, graded while two processes outside the kernels keep the CPUs busy (pure Python
    loops, as many as this machine's two cores: they take the machine from every other test meanwhile, so one
    student only)."""
    course = generated_course(tmp_path_factory.mktemp("busy"), ASSIGNMENT)
    release = notebooks.read(course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    notebooks.write(notebooks.fill(release, reference_answers()), course.root, "busy", ASSIGNMENT, ASSIGNMENT)
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        course.nbgrader("autograde", ASSIGNMENT, "--force")
    finally:
        for process in busy:
            process.kill()
            process.wait()
    return course.scores(), course


def test_a_busy_machine_costs_a_fast_student_no_speed_points(graded_while_busy):
    """The loop version is timed right after each timed call, on the same machine: what slows one slows
    the other, and the ratio stands."""
    scores, course = graded_while_busy
    assert lost(scores, "busy") == set(), course.failure_messages("busy")


def test_zeroing_the_graders_gradients_in_place_earns_nothing(graded):
    """The expected update comes from the grader's own gradients, which no call reaches: the function's
    unchanged parameters are wrong, and the change to its input is what the verdict says."""
    scores, _, course = graded
    assert lost(scores, "zeroes-grads") == {"update_parameters"}
    assert "modified its input argument number 2 (['dW1'])" in course.failure_messages("zeroes-grads")[
        "test_update_parameters"]


def test_a_digest_answered_from_an_earlier_timed_call_earns_no_speed_points(graded):
    """Each timed call has filters of its own: what the loops learnt on the first call does not answer the
    next, so every timed call runs the loops."""
    scores, _, course = graded
    assert loses_the_speed_points(scores, "linear-digest")
    assert "times faster" in course.failure_messages("linear-digest")["test_conv_forward_fast_speed"]

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

    nb = notebooks.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
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
                 "update_parameters", "model_forward_backward", "training"):
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


def test_weights_from_elsewhere_reached_by_forged_gradients_earn_no_training_points(graded):
    scores, _, course = graded
    assert lost(scores, "planted-weights") == {"model_forward_backward", "training"}
    assert "do not point where the loss's gradient does" in course.failure_messages("planted-weights")["test_training"]


def test_the_loop_version_timed_is_the_instructors_not_a_copy_handed_in(graded):
    scores, _, _ = graded
    assert "time.sleep(3)" in SLOW_LAYERS
    assert loses_the_speed_points(scores, "own-layers")


def recorded_inputs(course, student, what="inputs"):
    import nbformat

    nb = nbformat.read(course.autograded_notebook(student), as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout")
    found = re.findall(rf"recorded {what}: ([0-9a-f ]+)", text)
    return set(found[0].split()) if found else set()


def test_the_timed_inputs_are_new_at_every_grading(graded):
    _, _, course = graded
    first, second = recorded_inputs(course, "records-1"), recorded_inputs(course, "records-2")
    assert len(first) == len(second) == 3  # the three timed batches reached the kernel, and the feedback
    assert first.isdisjoint(second)


def test_the_weights_of_the_trainings_sums_are_new_at_every_grading(graded):
    """The training's request sends weights, and the kernel answers each step with its gradients' sums weighted
    by them: were they the same at every grading, sums recorded from the grader's own run (by right code,
    anywhere) would pass a model that computes nothing. Both students kept the reference's training points."""
    scores, _, course = graded
    first, second = (recorded_inputs(course, student, "training weights") for student in ("records-1", "records-2"))
    assert len(first) == len(second) == 1  # the training's one request reached the kernel, and the feedback
    assert first.isdisjoint(second)
    assert "training" not in lost(scores, "records-1") | lost(scores, "records-2")


def test_gradients_a_little_off_lose_the_models_points_and_still_train(graded):
    scores, _, _ = graded
    assert lost(scores, "slightly-off-gradients") == {"model_forward_backward"}


def test_a_model_that_changes_its_input_loses_its_own_points_and_not_the_training(graded):
    """Its own test cell fails it (its numerical gradient check sees the batch change under it); the training
    check gives each step arrays of its own and asks the kernel for the results only, so the change costs
    nothing more (the training's 15 points went too when every step's arguments came back to be compared)."""
    scores, _, course = graded
    assert lost(scores, "changes-its-batch") == {"model_forward_backward"}


def application_kit():
    """Part 2's grading kit as a class, run outside the notebook, reading the course's data."""
    import numpy

    namespace = {"get_ipython": lambda: None, "np": numpy}
    for part in ("grading_kit.py", "application_kit.py"):
        exec(compile((REPO / "authoring" / part).read_text(), part, "exec"), namespace)
    return namespace["_CnnApplicationKit"]


def counted(function):
    def wrapper(*args):
        wrapper.calls += 1
        return function(*args)
    wrapper.calls, wrapper.__name__ = 0, "model_forward_backward"
    return wrapper


def test_the_loss_gradient_is_asked_once_per_training_step():
    kit = application_kit()
    model = counted(kit.model)
    kit.check_training(model, {"grading_folder": str(REPO / "source" / ASSIGNMENT)})
    assert model.calls == len(kit.true_training(kit.load_digits(REPO / "source" / ASSIGNMENT))["steps"]) == 225


def test_gradients_that_differ_at_one_step_fail_the_training_at_that_step():
    """Off at the 200th step of the kit's run only: the training follows the kit's run up to there, is judged
    against the loss's gradient from there on, and fails at that step; each step's gradients were asked once."""
    kit = application_kit()
    folder = {"grading_folder": str(REPO / "source" / ASSIGNMENT)}
    late = kit.true_training(kit.load_digits(REPO / "source" / ASSIGNMENT))["steps"][199][3]

    def off_at_one_step(X, Y, parameters):
        loss, grads = kit.model(X, Y, parameters)
        if all(numpy.array_equal(parameters[name], late[name]) for name in late):
            grads = {name: -grad for name, grad in grads.items()}
        return loss, grads
    model = counted(off_at_one_step)
    with pytest.raises(AssertionError, match="epoch 5, batch 20: your gradients do not point where"):
        kit.check_training(model, folder)
    assert model.calls == 200


def test_float32_gradients_in_one_dictionary_filled_again_keep_the_training_points(graded):
    """Each step's gradients are judged as they were when returned, not as the model leaves them later. The
    model's own test cell loses its points (its message is not shown once the reference helpers are in)."""
    scores, _, _ = graded
    assert "training" not in lost(scores, "float32-reused-dict")


def test_a_kernel_that_answers_for_fewer_training_steps_earns_no_training_points(graded):
    """The training's request asks for every step; a kernel that runs the first ten (where its model is right)
    and answers for those only is judged at the first step it left out. Were a short answer taken for the whole
    training, those ten steps would match the grader's own run, and its verdict (0.928) would stand."""
    scores, _, course = graded
    assert lost(scores, "short-training") == {"training"}
    assert ("epoch 1, batch 11: the training gave no result for this step"
            in course.failure_messages("short-training")["test_training"])


def test_the_graders_reference_layers_kept_by_the_model_earn_no_training_points(graded):
    """The cell that grades model_forward_backward with the reference layers runs after every other cell, so
    the training was graded before any reference reached the kernel (TrustedExecute.run_segments)."""
    scores, _, _ = graded
    assert lost(scores, "keeps-the-references") == {"conv_forward_fast", "conv_forward_fast_speed", "conv_backward_fast",
                                                    "conv_backward_fast_speed", "training"}


def test_a_later_cell_that_redefines_the_model_does_not_change_what_its_test_sees(graded):
    """The model test runs after every other cell; redefine-later's notebook ends with a cell that replaces
    model_forward_backward by a wrong one. Graded in its place the test sees the right one, and so it does
    now: a later cell binding a name the deferred test reads sends it to a new kernel replaying the cells
    before it."""
    scores, _, _ = graded
    assert lost(scores, "redefine-later") == set()
