"""What the notebook's functions returned on each test cell's hidden cases, kept as a digest in the autograded
notebook's metadata (grading/returned_values.py): students whose functions give the same values, right or wrong,
share it; other values give another. Through the real `nbgrader autograde`, and the fold on its own."""
import base64
import json

import nbformat
import numpy as np
import pytest

from conftest import GRADED_FUNCTIONS, generated_course
from course_tools import notebooks
from course_tools.proof import corpus
from course_tools.proof.sample_course import NOTEBOOK
from grading import plain_data
from grading.returned_values import fold_outcome, new_record

# The corpus's compares_mode_by_identity mutation (`mode is "max"`: false for the equal string the grader sends,
# so neither branch runs and A stays zeros), written by another student: other names, windows taken for every
# example and channel at once, np.max and np.mean along axes instead of per slice.
SAME_BUG_OTHER_CODE = '''
def pool_forward(A_prev, hparameters, mode="max"):
    f, s = hparameters["f"], hparameters["stride"]
    m, rows, cols, channels = A_prev.shape
    out = np.zeros((m, (rows - f) // s + 1, (cols - f) // s + 1, channels))
    for r in range(out.shape[1]):
        for q in range(out.shape[2]):
            window = A_prev[:, r * s:r * s + f, q * s:q * s + f, :]
            if mode is "max":
                out[:, r, q, :] = window.max(axis=(1, 2))
            elif mode is "average":
                out[:, r, q, :] = window.mean(axis=(1, 2))
    return out, (A_prev, hparameters)
'''
CELL = "test_pool_forward"
# Two other mistakes, each raising TypeError on the hidden case that passes the arguments by name: the corpus's
# renamed_argument (hparameters named hparams) and A_prev named A.
RAISING = {"renamed-argument": "conv_forward__renamed_argument", "renamed-input": None}


@pytest.fixture(scope="module")
def returned(tmp_path_factory, reference_answers):
    """{student: the autograded notebook's metadata["trusted_grading"]}."""
    course = generated_course(tmp_path_factory.mktemp("returned"))
    release = notebooks.read(course.release_notebook)
    entries = {entry.name: entry for entry in corpus.load(reference_answers)}
    answers = {student: entries[name].answers for student, name in [
        ("right-sliding-window", "pool_forward__sliding_window"), ("by-identity", "pool_forward__compares_mode_by_identity"),
        ("by-order", "pool_forward__hyperparameters_by_order"), ("renamed-argument", "conv_forward__renamed_argument")]}
    answers.update({"reference": {}, "by-identity-rewritten": {"pool_forward": SAME_BUG_OTHER_CODE},
                    "renamed-input": {"conv_forward": reference_answers["conv_forward"].replace("A_prev", "A")}})
    for student, cells in answers.items():
        notebooks.write(notebooks.fill(release, {**reference_answers, **cells}), course.root, student,
                        course.assignment, NOTEBOOK)
    course.autograde()
    scores = course.scores()
    assert {student: (scores[student][CELL], scores[student]["test_conv_forward"]) for student in answers} == {
        "reference": (20, 20), "right-sliding-window": (20, 20), "by-identity": (0, 20), "by-identity-rewritten": (0, 20),
        "by-order": (0, 20), "renamed-argument": (20, 0), "renamed-input": (20, 0)}
    return {student: nbformat.read(str(course.autograded_notebook(student)), as_version=4).metadata.trusted_grading
            for student in answers}


def test_every_test_cell_has_a_digest_beside_the_other_keys(returned):
    metadata = returned["reference"]
    assert set(metadata) == {"sandboxed", "limits_reached", "kernel_restarts", "returned"}
    assert sorted(metadata["returned"]) == sorted(f"test_{name}" for name in GRADED_FUNCTIONS)
    assert all(len(digest) == 32 and int(digest, 16) >= 0 for digest in metadata["returned"].values())


def test_the_same_wrong_values_from_other_code_give_the_same_digest(returned):
    assert returned["by-identity"]["returned"][CELL] == returned["by-identity-rewritten"]["returned"][CELL]
    assert returned["by-identity"]["returned"][CELL] != returned["reference"]["returned"][CELL]


def test_two_right_solutions_give_the_same_digest(returned):
    assert returned["right-sliding-window"]["returned"] == returned["reference"]["returned"]


def test_two_different_wrong_functions_give_different_digests(returned):
    assert returned["by-order"]["returned"][CELL] != returned["by-identity"]["returned"][CELL]
    assert returned["by-order"]["returned"][CELL] != returned["reference"]["returned"][CELL]


def test_a_cell_whose_function_raised_has_no_digest(returned):
    """Two different mistakes that raise the same exception on the same case share no digest: there is none.
    (Once the grader is quiet, an exception is its type alone: both were folded alike.)"""
    for student in RAISING:
        assert "test_conv_forward" not in returned[student]["returned"]
        assert returned[student]["returned"][CELL] == returned["reference"]["returned"][CELL]


def test_the_other_cells_digests_do_not_depend_on_the_cell_that_differs(returned):
    pooling = [{k: v for k, v in returned[s]["returned"].items() if k != CELL} for s in returned if s not in RAISING]
    assert all(digest == pooling[0] for digest in pooling)


# ----------------------------------------------------------------- the fold
def digest(*outcomes):
    """The digest of (name, result, error) outcomes folded in order."""
    record = new_record()
    for name, result, error in outcomes:
        fold_outcome(record, name, result, error)
    return record.hexdigest()


def returned_value(value):
    return digest(("f", value, None))


def test_values_summed_in_another_order_give_the_same_digest():
    x = np.random.default_rng(5).standard_normal((200, 30))
    forward, backward = x.sum(axis=1), np.array([sum(reversed(row.tolist())) for row in x])
    assert not np.array_equal(forward, backward) and np.abs(forward - backward).max() < 1e-14
    assert returned_value((forward, float(forward[0]))) == returned_value((backward, float(backward[0])))


def test_minus_zero_and_zero_give_the_same_digest():
    assert returned_value(np.array([[0.0, -0.0]])) == returned_value(np.zeros((1, 2)))
    assert returned_value(-0.0) == returned_value(0.0)


def test_every_nan_gives_the_same_digest():
    other_nan = np.array([0x7FF8000000000001, 0xFFF0000000000002], dtype=np.uint64).view(np.float64)
    assert np.isnan(other_nan).all()
    assert returned_value(other_nan) == returned_value(np.full(2, np.nan))


def test_a_changed_value_gives_another_digest():
    x = np.random.default_rng(6).standard_normal((4, 3))
    changed = x.copy()
    changed[2, 1] += 1e-5
    assert returned_value(x) != returned_value(changed)
    assert returned_value({"dW": x}) != returned_value({"dW": changed})
    assert returned_value(1.0) != returned_value(1.0001)


def test_another_dtype_or_shape_gives_another_digest():
    x = np.arange(6.0)
    digests = {returned_value(value) for value in [
        x, x.reshape(2, 3), x.reshape(3, 2), x.astype(np.int64), x.astype(bool), x.astype(np.complex128),
        list(x), tuple(x), 6, 6.0, "6"]}
    assert len(digests) == 11


def test_the_width_and_byte_order_of_a_number_do_not_count():
    x = np.arange(6.0)
    assert returned_value(x) == returned_value(x.astype(np.float32)) == returned_value(x.astype(">f8"))
    assert returned_value(x.astype(np.int32)) == returned_value(x.astype(">i8"))
    assert returned_value(np.float64(2.5)) == returned_value(2.5)


def test_a_dict_gives_the_same_digest_in_any_order_of_its_keys():
    assert returned_value({"dW": 1.0, "db": 2.0}) == returned_value({"db": 2.0, "dW": 1.0})
    assert returned_value({"dW": 1.0, "db": 2.0}) != returned_value({"dW": 2.0, "db": 1.0})


def test_an_error_gives_its_type_and_message():
    error = type("ValueError", (Exception,), {})
    assert digest(("f", None, error("bad shape"))) == digest(("f", None, error("bad shape")))
    assert len({digest(("f", None, error("bad shape"))), digest(("f", None, error("other"))),
                digest(("f", None, type("TypeError", (Exception,), {})("bad shape"))),
                digest(("g", None, error("bad shape"))), digest(("f", "bad shape", None))}) == 5


def test_outcomes_count_in_their_order():
    assert digest(("f", 1, None), ("f", 2, None)) != digest(("f", 2, None), ("f", 1, None))
    assert digest(("f", (1, 2), None)) != digest(("f", 1, None), ("f", 2, None))


def test_the_fold_leaves_the_value_as_decoded():
    value = np.array([-0.0, np.nan, 1e300])
    returned_value((value, [value]))
    assert np.signbit(value[0]) and np.isnan(value[1]) and value[2] == 1e300


@pytest.mark.parametrize("item", [
    {"t": "str", "v": "\ud800 lone surrogate"}, {"t": "int", "v": "-" + "9" * 100},
    {"t": "float", "v": "inf"}, {"t": "float", "v": "-1e400"}, {"t": "opaque", "type": "generator"},
    {"t": "dict", "v": [[{"t": "opaque", "type": "A"}, {"t": "none"}], [{"t": "opaque", "type": "A"}, {"t": "none"}]]},
    {"t": "ndarray", "dtype": ">c16", "shape": [2, 0, 3], "b64": ""},
    {"t": "ndarray", "dtype": "<f2", "shape": [2], "b64": base64.b64encode(b"\x00\x7c\x01\x7e").decode()},
    {"t": "npscalar", "dtype": "<c8", "b64": base64.b64encode(np.complex64(1 - 0j).tobytes()).decode()},
    {"t": "npscalar", "dtype": "<f16", "b64": base64.b64encode(np.longdouble(1e4000).tobytes()).decode()},
    {"t": "ndarray", "dtype": "|b1", "shape": [], "b64": base64.b64encode(b"\x01").decode()},
])
def test_odd_decodable_values_fold_without_raising(item):
    value = plain_data.decode(json.loads(json.dumps(item)))
    assert returned_value(value) == returned_value(plain_data.decode(json.loads(json.dumps(item))))


def test_a_deferred_cell_keeps_one_record_and_calls_outside_hidden_tests_are_not_recorded():
    """run_segments records the hidden tests' calls under the cell's grade_id, before and after its deferral
    (here without a kernel: each call's reply is its first argument)."""
    from grading.kernel_calls import StudentFunction
    from grading.trusted_execute import TrustedExecute

    def replies_of(helper, name, request, what, most, fewest=1):
        call = request["calls"][0]
        return [{"status": "returned", "result": call["args"][0], "args_after": call["args"]}]

    class Kit:
        @staticmethod
        def isolate(*functions):
            pass

    engine = TrustedExecute()
    engine.replies_of = replies_of
    engine.deferred, engine.returned_records, engine.graded_functions = [], {}, set()
    engine.defined_for_cell, engine.definitions_to_send, engine.budget_left = set(), [], None
    engine.hidden_namespace, engine.seconds = {"Kit": Kit}, {"kernel": 0.0, "hidden tests": 0.0}
    engine.cell_deadline = float("inf")
    cell = nbformat.v4.new_code_cell(metadata={"nbgrader": {"grade_id": "test_f", "grade": True}})
    segments = [(True, "f(1.5)"), (True, "Kit.isolate(f)"), (True, "f((2, 'x'))")]
    assert engine.run_segments(cell, 0, segments, [], may_defer=True) == []
    assert len(engine.deferred) == 1 and list(engine.returned_records) == ["test_f"]
    StudentFunction("f", engine)(9.0)  # a call of no hidden test: not recorded
    (_, index, rest, outputs, _, _), = engine.deferred
    assert engine.run_segments(cell, index, rest, outputs, may_defer=False) == []
    StudentFunction("f", engine)(9.0)
    assert {grade_id: record.hexdigest() for grade_id, record in engine.returned_records.items()} == {
        "test_f": digest(("f", 1.5, None), ("f", (2, "x"), None))}


def test_the_same_part_2_notebook_gets_the_same_digests_every_time(tmp_path):
    """Part 2's kit draws the timed calls' inputs and the training's weights afresh at each grading: what comes
    of them is not recorded, so two students handing in the same notebook share every digest."""
    course = generated_course(tmp_path, "cnn_application")
    reference = notebooks.reference_solutions(notebooks.read(course.source_notebook))
    release = notebooks.read(course.release_notebook)
    for student in ("first", "second"):
        notebooks.write(notebooks.fill(release, reference), course.root, student, course.assignment,
                        course.notebook)
    course.autograde()
    digests = {student: nbformat.read(str(course.autograded_notebook(student)), as_version=4)
               .metadata["trusted_grading"]["returned"] for student in ("first", "second")}
    assert digests["first"] == digests["second"]
    assert {"test_one_hot", "test_conv_forward_fast", "test_model_forward_backward"} <= set(digests["first"])
