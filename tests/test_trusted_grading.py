"""The trusted grader's own rules: strict decoding, hidden code from the gradebook only, references
only after the helper is graded, refusal without the sandbox, and the opt-out said everywhere."""
import base64
import json
import os

import nbformat
import numpy as np
import pytest

from conftest import GRADED_FUNCTIONS, POINTS, generated_course, hidden_lines
from course_tools import notebooks
from course_tools.grade import grade_class
from course_tools.proof.sample_course import NOTEBOOK
from course_tools.report import reports
from grading import bwrap, plain_data
from grading.kernel_side import _cnn_grading_encode as encode
from grading.trusted_execute import free_names, split_hidden


# ------------------------------------------------------------------ plain data
def reply(content):
    return base64.b64encode(json.dumps(content).encode()).decode()


@pytest.mark.parametrize("value", [np.arange(6.0).reshape(2, 3), np.array([True, False]), np.float64(0.1), 3, -2.5,
                                   "text", None, (1, [2.0, {"pad": 1}]), np.zeros((0, 3), dtype=np.float32)])
def test_plain_values_cross_unchanged(value):
    decoded = plain_data.decode(json.loads(json.dumps(encode(value))))
    assert type(decoded) is type(value)
    if isinstance(value, np.ndarray):
        assert decoded.dtype == value.dtype and np.array_equal(decoded, value)
    else:
        assert decoded == value


def test_a_lying_ndarray_subclass_arrives_as_a_plain_array():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    decoded = plain_data.decode(encode(np.zeros(3).view(Liar)))
    assert type(decoded) is np.ndarray and not np.array_equal(decoded, np.ones(3))


def test_an_unknown_object_becomes_a_placeholder_named_after_its_type():
    class Sneaky:
        pass

    decoded = plain_data.decode(encode(Sneaky()))
    assert type(decoded).__name__ == "Sneaky" and not isinstance(decoded, (int, float, np.ndarray))


def test_a_placeholders_name_is_a_short_ascii_identifier():
    # The name reaches the page ("got Foo"): what the kernel calls its type is its word, and may carry data.
    item = {"t": "opaque", "type": "\U00020000" * 10 + "Foo.Bar-baz" + "x" * 100}
    assert type(plain_data.decode(item)).__name__ == ("_" * 10 + "Foo.Bar_baz" + "x" * 100)[:40]
    assert type(plain_data.decode(item, known_names_only=True)).__name__ == "object"
    assert type(plain_data.decode({"t": "opaque", "type": "generator"}, known_names_only=True)).__name__ == "object"
    assert type(plain_data.decode({"t": "opaque", "type": "range"}, known_names_only=True)).__name__ == "range"


@pytest.mark.parametrize("item", [
    {"t": "ndarray", "dtype": "|O", "shape": [1], "b64": base64.b64encode(b"\0" * 8).decode()},  # objects
    {"t": "ndarray", "dtype": "<f8", "shape": [3], "b64": base64.b64encode(b"\0" * 8).decode()},  # short bytes
    {"t": "ndarray", "dtype": "<f8", "shape": [-1], "b64": ""},
    {"t": "ndarray", "dtype": "<f8", "shape": [1], "b64": "not base64!"},
    # empty, so no bytes to send, but a shape quoting 23 bits a size (class 5): refused as if its zeros were ones
    {"t": "ndarray", "dtype": "<f8", "shape": [0, 8388608, 8388607, 8388605, 8388603], "b64": ""},
    {"t": "int", "v": "1" * 5000},
    {"t": "pickle", "v": "gASVAAAA"},
    {"t": "list", "v": [{"t": "none"}] * 5000},
    {"t": "dict", "v": [[{"t": "list", "v": []}, {"t": "none"}]]},  # unhashable key
    "not an object",
])
def test_malformed_values_are_refused(item):
    with pytest.raises(plain_data.MalformedReply):
        plain_data.decode(item)


def test_deep_nesting_is_refused():
    item = {"t": "none"}
    for _ in range(50):
        item = {"t": "list", "v": [item]}
    with pytest.raises(plain_data.MalformedReply):
        plain_data.decode(item)


@pytest.mark.parametrize("text", ["", "$$$", reply([1, 2]), reply({"no": "status"}),
                                  base64.b64encode(b"not json").decode()])
def test_malformed_replies_are_refused(text):
    with pytest.raises(plain_data.MalformedReply):
        plain_data.decode_reply(text)


# ------------------------------------------------------------- hidden code
def test_a_test_cell_splits_into_hidden_and_visible_parts_in_order():
    source = ("### BEGIN HIDDEN TESTS\nsetup()\n### END HIDDEN TESTS\nassert f(1) == 2\n"
              "### BEGIN HIDDEN TESTS\ncheck(f)\n### END HIDDEN TESTS")
    assert split_hidden(source) == [(True, "setup()"), (False, "assert f(1) == 2"), (True, "check(f)")]


def test_the_names_hidden_code_uses_without_defining_are_the_notebook_functions():
    assert sorted(free_names("import numpy as np\nx = np.ones(1)\nKit.check(zero_pad, x)\n")) == ["Kit", "zero_pad"]


# --------------------------------------------------------- through nbgrader
# Captures the reference zero_pad when conv_forward runs under its tests, and serves it as its own.
CAPTURING_CONV_FORWARD = '''
_captured = {}


def conv_forward(A_prev, W, b, hparameters):
    if "_captured" not in zero_pad.__code__.co_names:  # not my own zero_pad: the grader's reference
        _captured["zero_pad"] = zero_pad
    return _real_conv_forward(A_prev, W, b, hparameters)
'''
PARASITE_ZERO_PAD = '''
def zero_pad(X, pad):
    return _captured["zero_pad"](X, pad)
'''


def move_zero_pad_test_last(nb):
    """Grade zero_pad after conv_forward, hoping the reference zero_pad arrives before zero_pad's own test."""
    test = next(c for c in nb.cells if notebooks.grade_id(c) == "test_zero_pad")
    nb.cells.remove(test)
    nb.cells.append(test)


def reads_the_notebook_being_graded(reference):
    """zero_pad puts the start of the hidden kit, read from the folder's notebook, into its own feedback."""
    padding = reference["zero_pad"].replace("def zero_pad(", "def _pad(")
    return {**reference, "zero_pad": padding + '''

def zero_pad(X, pad):
    import glob
    try:
        text = "".join(open(path).read() for path in glob.glob("*.ipynb"))
    except OSError:
        text = ""
    if "class _CnnGradingKit" in text:
        start = text.index("class _CnnGradingKit")
        raise RuntimeError(" | ".join(line.strip() for line in text[start:start + 3000].split("\\n")))
    return _pad(X, pad)
'''}


# The kernel-side helper replaced by one that answers every batch of hidden calls with no replies:
# a grader that checked only the replies it got would check nothing.
EMPTY_REPLIES = '''

import base64 as _b64, json as _json


def _cnn_grading_call(name, request):
    return _b64.b64encode(_json.dumps({"status": "called", "replies": []}).encode()).decode()
'''
# The kernel-side helper wrapped to answer every batch with one reply more than it had calls (a copy of
# the first): a grader that paired replies with calls by position alone would not notice.
EXTRA_REPLY = '''

import base64 as _b64x, json as _jsonx

_real_call = _cnn_grading_call


def _cnn_grading_call(name, request):
    reply = _jsonx.loads(_b64x.b64decode(_real_call(name, request)))
    reply["replies"] = reply["replies"] + reply["replies"][:1]
    return _b64x.b64encode(_jsonx.dumps(reply).encode()).decode()
'''
# Right on the worked example, raises on zero_pad's first hidden case and never returns on its second.
RAISES_THEN_LOOPS = '''

_zero_pad = zero_pad


def zero_pad(X, pad):
    if X.shape == (2, 3, 5, 2):
        raise ValueError("not this shape")
    if X.shape == (1, 4, 2, 3):
        while True:
            pass
    return _zero_pad(X, pad)
'''


# Outputs that nbformat refuses as notebook output: display data whose text is a number, a stream of no known
# name, an error whose name is a number. Sent from zero_pad's cell, as it runs.
MALFORMED_OUTPUTS = """

from IPython.display import publish_display_data as _publish
_publish({"text/plain": 5})
_ip = get_ipython()
for _kind, _content in [("stream", {"name": "stdinx", "text": 5}), ("error", {"ename": 5, "evalue": 1, "traceback": 2})]:
    _ip.display_pub.session.send(_ip.display_pub.pub_socket, _kind, _content, parent=_ip.display_pub.parent_header)
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory, reference_answers):
    course = generated_course(tmp_path_factory.mktemp("trusted"))
    release = notebooks.read(course.release_notebook)
    reference = reference_answers
    conv_forward = reference["conv_forward"].replace("def conv_forward(", "def _real_conv_forward(")
    parasite = {**reference, "conv_forward": conv_forward + CAPTURING_CONV_FORWARD,
                "zero_pad": PARASITE_ZERO_PAD}
    submitted = {"parasite": notebooks.fill(release, parasite), "reader": notebooks.fill(
        release, reads_the_notebook_being_graded(reference)), "honest": notebooks.fill(release, reference),
        "empty-replies": notebooks.fill(release, {**reference, "zero_pad": reference["zero_pad"] + EMPTY_REPLIES}),
        "extra-reply": notebooks.fill(release, {**reference, "zero_pad": reference["zero_pad"] + EXTRA_REPLY}),
        "raises-then-loops": notebooks.fill(release, {**reference,
                                                      "zero_pad": reference["zero_pad"] + RAISES_THEN_LOOPS}),
        "malformed-outputs": notebooks.fill(release, {**reference, "zero_pad": reference["zero_pad"] + MALFORMED_OUTPUTS})}
    move_zero_pad_test_last(submitted["parasite"])
    for student, nb in submitted.items():
        notebooks.write(nb, course.root, student, course.assignment, NOTEBOOK)
    results = grade_class.grade_class(course, progress=False)
    reports.write_all(course, results)
    return course, {r.student: r for r in results}


def test_a_reference_helper_never_reaches_a_student_before_the_helper_is_graded(graded):
    course, _ = graded
    assert course.scores()["parasite"]["test_zero_pad"] == 0


def test_the_notebook_being_graded_is_not_readable_from_the_kernel(graded, source_nb):
    course, _ = graded
    page = (course.root / "feedback" / "reader" / "cnn_step_by_step" / "cnn_step_by_step.html").read_text()
    assert [line for line in hidden_lines(source_nb) if line in page] == []
    assert course.scores()["reader"]["total"] == 100  # the folder's notebook reads as empty: nothing raised


def errors_in(course, student):
    nb = nbformat.read(str(course.autograded_notebook(student)), as_version=4)
    return {notebooks.grade_id(c): o.evalue for c in nb.cells for o in c.get("outputs", [])
            if o.output_type == "error"}


def test_a_kernel_that_leaves_out_replies_earns_nothing(graded):
    course, _ = graded
    assert course.scores()["empty-replies"]["total"] == 0
    errors = errors_in(course, "empty-replies")
    assert "the kernel gave no usable answer for zero_pad on the hidden cases" in errors["test_zero_pad"]


def test_a_kernel_that_sends_more_replies_than_calls_earns_nothing(graded):
    course, _ = graded
    assert course.scores()["extra-reply"]["total"] == 0
    assert "the kernel gave no usable answer for zero_pad on the hidden cases" in errors_in(course, "extra-reply")[
        "test_zero_pad"]


def test_the_hidden_cases_stop_at_the_first_that_raises(graded):
    course, results = graded
    assert course.scores()["raises-then-loops"]["total"] == 100 - POINTS["zero_pad"]
    assert errors_in(course, "raises-then-loops") == {
        "test_zero_pad": "zero_pad case 1 (m=2, input 3x5 with 2 channels, pad 1): zero_pad raised ValueError: "
                         "not this shape"}
    # the endless second case never ran: no cell timed out, so no later cell got a shortened time limit
    assert results["raises-then-loops"].problems == []


def test_outputs_that_are_not_valid_notebook_output_are_left_out_and_grading_goes_on(graded):
    """nbformat refused them with an exception that stopped the student's whole grading (not graded, no points,
    for work that was right): they are left out, with a note, an error staying an error."""
    course, results = graded
    assert course.scores()["malformed-outputs"]["total"] == 100
    nb = nbformat.read(str(course.autograded_notebook("malformed-outputs")), as_version=4)
    outputs = next(c.outputs for c in nb.cells if notebooks.grade_id(c) == "zero_pad")
    notes = "".join(o.text for o in outputs if o.output_type == "stream")
    assert notes.count("was not valid notebook output and was left out") == 2
    assert [(o.ename, o.evalue) for o in outputs if o.output_type == "error"] == [
        ("MalformedOutput", "the kernel sent an error that is not valid notebook output")]


def test_honest_work_keeps_full_marks_beside_them(graded):
    course, results = graded
    assert course.scores()["honest"]["total"] == 100
    assert results["honest"].problems == []


def add_config(course, text):
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write("\n" + text + "\n")


@pytest.fixture
def one_student_course(tmp_path, reference_answers):
    course = generated_course(tmp_path)
    nb = notebooks.fill(notebooks.read(course.release_notebook), reference_answers)
    notebooks.write(nb, course.root, "ada", course.assignment, NOTEBOOK)
    return course


def test_grading_refuses_without_bubblewrap_and_says_how_to_install_it(one_student_course):
    course = one_student_course
    add_config(course, 'c.SandboxedKernelManager.bwrap = "/nonexistent/bwrap"')
    with pytest.raises(bwrap.SandboxUnavailable, match="apt-get install bubblewrap"):
        grade_class.grade_class(course, progress=False)
    plain = course.nbgrader("autograde", course.assignment, "--force", check=False)
    assert "apt-get install bubblewrap" in plain.stdout + plain.stderr
    assert (course.scores().get("ada") or {}).get("total") in (None, 0)


def test_grading_without_the_sandbox_says_so_in_every_product(one_student_course):
    course = one_student_course
    add_config(course, "c.SandboxedKernelManager.sandbox = False")
    results = grade_class.grade_class(course, progress=False)
    reports.write_all(course, results)
    assert course.scores()["ada"]["total"] == 100
    assert any(p.startswith("not sandboxed") for p in results[0].problems)
    for product in ["grades/cnn_step_by_step.csv", "class_report.html",
                    "feedback/ada/cnn_step_by_step/cnn_step_by_step.html"]:
        assert "not sandboxed" in (course.root / product).read_text(), product


def figure_outputs(course, student):
    nb = nbformat.read(str(course.autograded_notebook(student)), as_version=4)
    return [dict(o.data) for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "display_data"]


def test_the_graders_kernel_shows_each_figure_as_its_text_without_drawing_it(graded):
    course, _ = graded
    figures = figure_outputs(course, "honest")
    assert figures and all(set(f) == {"text/plain"} and f["text/plain"].startswith("<Figure size") for f in figures)


def test_draw_figures_draws_them_as_nbgrader_would(one_student_course):
    course = one_student_course
    add_config(course, "c.TrustedExecute.draw_figures = True")
    grade_class.grade_class(course, progress=False)
    figures = figure_outputs(course, "ada")
    assert figures and all("image/png" in f for f in figures)


def test_every_graded_function_is_scored(graded):
    course, _ = graded
    assert {f"test_{f}" for f in GRADED_FUNCTIONS} <= set(course.scores()["honest"])


def test_a_graded_notebook_keeps_no_kernel_output_that_could_fake_a_pass(graded):
    course, _ = graded
    nb = nbformat.read(str(course.autograded_notebook("honest")), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            kinds = {(o.output_type, o.get("name")) for o in cell.get("outputs", [])}
            assert kinds <= {("stream", "stdout")}, (notebooks.grade_id(cell), kinds)


# ------------------------------------------------------------ faults
KILLS_ITSELF = "\n\nimport os\nos._exit(3)\n"


@pytest.fixture(scope="module")
def faults(tmp_path_factory, reference_answers):
    """A student whose every function's cell kills the kernel (8 deaths, 3 restarts allowed), beside an honest one."""
    course = generated_course(tmp_path_factory.mktemp("faults"))
    add_config(course, "c.TrustedExecute.max_kernel_restarts = 3")
    release = notebooks.read(course.release_notebook)
    killer = {name: code + KILLS_ITSELF for name, code in reference_answers.items()}
    for student, answers in {"killer": killer, "zz-honest": reference_answers}.items():
        notebooks.write(notebooks.fill(release, answers), course.root, student, course.assignment, NOTEBOOK)
    results = grade_class.grade_class(course, progress=False)
    return course, {r.student: r for r in results}


def test_a_kernel_that_dies_again_and_again_costs_its_student_only(faults):
    course, results = faults
    scores = course.scores()
    assert scores["killer"]["total"] == 0 and results["killer"].graded
    assert any(p.startswith("kernel died") for p in results["killer"].problems)
    assert scores["zz-honest"]["total"] == 100


def test_after_too_many_deaths_the_rest_is_not_run_and_says_why(faults):
    course, _ = faults
    nb = nbformat.read(str(course.autograded_notebook("killer")), as_version=4)
    messages = [o.evalue for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert any("the kernel died too many times" in m for m in messages)


# ------------------------------------------------------------ limits of a replaced kernel
# zero_pad's cell runs into the process limit (as root: the template's pids cgroup) and fills /tmp, the errors
# caught, then ignores the interrupt until its cell times out and the kernel is replaced: both limits are seen
# only from outside, in the kernel that hit them (the memory limit's OOM kills are counted as the refused
# forks are: tests/test_kernel_template.py). The new kernel has hit nothing.
HITS_LIMITS_THEN_HANGS = '''

import os as _os, signal as _signal, time as _time
try:
    for _ in range(200):
        if _os.fork() == 0:
            _time.sleep(60)
            _os._exit(0)
except OSError:
    pass
for _n in range(4):  # 64 MiB a file (RLIMIT_FSIZE), 128 MiB in /tmp
    try:
        with open(f"/tmp/fill-{_n}", "wb") as _file:
            while True:
                _file.write(b"x" * 2 ** 20)
    except OSError:
        pass
_signal.signal(_signal.SIGINT, _signal.SIG_IGN)
while True:
    pass
'''


def test_the_limits_a_replaced_kernel_hit_are_reported(tmp_path, reference_answers):
    course = generated_course(tmp_path)
    add_config(course, "c.Execute.timeout = 6")
    release = notebooks.read(course.release_notebook)
    answers = {**reference_answers, "zero_pad": reference_answers["zero_pad"] + HITS_LIMITS_THEN_HANGS}
    notebooks.write(notebooks.fill(release, answers), course.root, "hog", course.assignment, NOTEBOOK)
    problems = grade_class.grade_class(course, progress=False)[0].problems
    print(problems)
    assert any(p.startswith("timed out: zero_pad") for p in problems)
    assert "disk limit: reached (an error the notebook caught, or seen by the sandbox)" in problems
    if os.geteuid() == 0:  # the pids cgroup's refusals: without root, no cgroup
        assert "process limit: reached (an error the notebook caught, or seen by the sandbox)" in problems
