"""What the grader sends the kernel stands for the same numbers there (grading/kernel_calls.py, kernel_side.py)."""
import json

import numpy as np

from grading import kernel_side
from grading.kernel_calls import encode_argument, scaled, seeded_normal


def in_the_kernel(value):
    """The argument as the kernel side decodes it, after the trip as JSON."""
    return kernel_side._cnn_grading_decode(json.loads(json.dumps(encode_argument(value))))


def test_a_scaled_array_reaches_the_kernel_as_the_same_floats_in_a_quarter_of_the_bytes():
    pixels = np.random.default_rng(3).integers(0, 256, (1438, 8, 8, 1)).astype(np.uint8)
    images = scaled(pixels, 255.0)
    there = in_the_kernel(images)
    assert there.dtype == np.float64 and there.tobytes() == (pixels / 255.0).tobytes() == images.tobytes()
    assert len(json.dumps(encode_argument(images))) * 3 < len(json.dumps(encode_argument(pixels / 255.0)))


def test_arrays_computed_from_a_scaled_or_seeded_array_are_sent_as_their_values():
    images, noise = scaled(np.arange(12, dtype=np.uint8).reshape(3, 4), 255.0), seeded_normal(5, (3, 4))
    for derived in (images[1:], images * 2, noise[::2], noise + 1):
        there = in_the_kernel(derived)
        assert encode_argument(derived)["t"] == "ndarray" and there.tobytes() == np.asarray(derived).tobytes()
    assert encode_argument(noise)["t"] == "normal" and in_the_kernel(noise).tobytes() == noise.tobytes()


def kernel_namespace(**functions):
    """The kernel side's functions in a namespace of their own, as in a notebook's, with the notebook's functions."""
    namespace = dict(functions)
    exec(compile(open(kernel_side.__file__).read(), "kernel_side", "exec"), namespace)
    return namespace


def request(value):
    import base64

    return base64.b64encode(json.dumps(value).encode()).decode()


def reply(text):
    import base64

    return json.loads(base64.b64decode(text))


def training(namespace, name, first=1):
    """The kernel side's training of three steps with weights: the replies (weighed sums), and the kept results
    from step `first` on."""
    X, Y = np.arange(24.0).reshape(6, 4), np.eye(2)[[0, 1, 0, 1, 0, 1]]
    weights = {"dW": np.random.default_rng(1).standard_normal((4, 2))}
    body = {"X": encode_argument(X), "Y": encode_argument(Y), "parameters": encode_argument({"W": np.zeros((4, 2))}),
            "batches": [[0, 1], [2, 3], [4, 5]], "rate": 0.1, "weights": encode_argument(weights)}
    sums = reply(namespace["_cnn_grading_descend"](name, request(body)))["replies"]
    return sums, reply(namespace["_cnn_grading_kept_replies"](name, request({"first": first})))["replies"], weights


def test_a_training_sends_weighed_sums_and_keeps_the_results_from_any_step():
    def model(X, Y, parameters):
        return 0.5, {"dW": X.T @ Y}

    sums, kept, weights = training(kernel_namespace(model=model), "model")
    X = np.arange(24.0).reshape(6, 4)
    for batch, one in zip([[0, 1], [2, 3], [4, 5]], sums):
        want = float(np.ravel(X[batch].T @ np.eye(2)[[0, 1]]) @ np.ravel(weights["dW"]))
        assert one["status"] == "returned" and kernel_side._cnn_grading_decode(one["result"]) == {"dW": want}
    assert len(kept) == 2  # from step 1 on
    result = kernel_side._cnn_grading_decode(kept[0]["result"])
    assert result[0] == 0.5 and result[1]["dW"].tobytes() == (X[[2, 3]].T @ np.eye(2)[[0, 1]]).tobytes()


def test_a_result_that_is_a_dictionary_is_kept_as_the_result_it_is():
    """Not taken for one of the kernel side's replies: a model that returns {"status": "raised", ...} returned a
    dictionary, and is judged as such (its sums are None, so the grader asks for the result)."""
    def model(X, Y, parameters):
        return {"status": "raised", "ename": "ValueError"}

    sums, kept, _ = training(kernel_namespace(model=model), "model", first=0)
    assert [kernel_side._cnn_grading_decode(one["result"]) for one in sums] == [None]  # its step could not be made
    assert [one["status"] for one in kept] == ["returned"]
    assert kernel_side._cnn_grading_decode(kept[0]["result"]) == {"status": "raised", "ename": "ValueError"}


def test_results_kept_are_each_steps_own_when_the_model_fills_one_dictionary_again():
    """A model may return the same dictionary (and arrays) at every call, filled again: the notebook's own
    training uses each result at once. Kept by reference, every step read as the last (found by the red team:
    float32 gradients, whose sums are off the grader's run, lost the training points)."""
    grads = {"dW": np.zeros((4, 2))}

    def model(X, Y, parameters):
        grads["dW"][...] = X.T @ Y
        return 0.5, grads

    sums, kept, _ = training(kernel_namespace(model=model), "model", first=0)
    X = np.arange(24.0).reshape(6, 4)
    for batch, one in zip([[0, 1], [2, 3], [4, 5]], kept):
        loss, got = kernel_side._cnn_grading_decode(one["result"])
        assert loss == 0.5 and got["dW"].tobytes() == (X[batch].T @ np.eye(2)[[0, 1]]).tobytes()
    plain = {"t": "tuple", "v": [kernel_side._cnn_grading_encode(0.5, 1), kernel_side._cnn_grading_encode(
        {"dW": X[[4, 5]].T @ np.eye(2)[[0, 1]]}, 1)]}
    assert kept[2]["result"] == plain  # encoded as the result itself would be
