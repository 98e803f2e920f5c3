"""What the notebook's functions returned on each test cell's hidden cases, as a digest (grading/returned_values.py):
the same values, right or wrong, give the same digest; other values give another."""
import base64
import json

import numpy as np
import pytest

from grading import plain_data
from grading.returned_values import fold_outcome, new_record

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
