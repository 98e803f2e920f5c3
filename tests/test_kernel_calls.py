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
