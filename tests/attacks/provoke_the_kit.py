"""Answer the grader's calls with results built to make its messages quote the expected values, and record its inputs for a figure.

A student who read the kit's messages knows that no message formats an expected value on
purpose; this one looks for one that does by accident. Every function runs the reference's
code for the notebook's own calls (the visible checks pass, so that the hidden checks run),
and for the grader's calls (the kernel side's ``_cnn_grading_call`` on the stack) returns a
result made to go down one of the kit's less travelled paths, where an error of numpy's or
Python's, or a message meant for another case, might print what it was compared with: NaN and
infinity in the right shape, complex and float16 arrays, a 0-d array for a number, an int of 99
digits, a shape one off, a list where an array is due, a dictionary of arrays where the cache's
hyperparameters are, a boolean mask as integers, a dictionary for an array. A cell of its own
after zero_pad's test draws the hidden inputs it recorded as a figure and prints them (outputs
no page a student sees should show). The claims to check: 0 points, and no number of 3 or
more significant digits on its feedback page is an expected value of a hidden case
(test_feedback_page_shows_no_expected_value).
Without protection: the kits of 1990db1 printed "Z is 0 but should be -3.21" and the largest
error (docs/attacks.md, class 5).
"""
import nbformat

EXPECT = set()

GRADED = '''
import sys as _pk_sys
import numpy as _pk_np

_pk_recorded = []


def _pk_graded(*args):
    frame = _pk_sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "_cnn_grading_call":
            _pk_recorded.extend(a for a in args if isinstance(a, _pk_np.ndarray))
            return True
        frame = frame.f_back
    return False
'''

PROVOKE = {
    "zero_pad": "X_pad = _honest_zero_pad(X, pad); X_pad[...] = _pk_np.nan; X_pad.flat[::2] = _pk_np.inf; return X_pad",
    "conv_single_step": "return _pk_np.array(10 ** 99 + 0j) if len(_pk_recorded) % 2 else _pk_np.array([1.5])",
    "conv_forward": ("Z, cache = _honest_conv_forward(A_prev, W, b, hparameters)\n"
                     "    return Z.astype(_pk_np.complex128) + 1j, (A_prev, W, b, {k: _pk_np.array([v, v]) for k, v in hparameters.items()})"),
    "pool_forward": ("A, cache = _honest_pool_forward(A_prev, hparameters, mode)\n"
                     "    return A[:, :-1].astype(_pk_np.float16), cache"),
    "conv_backward": ("dA, dW, db = _honest_conv_backward(dZ, cache)\n"
                      "    return dA * (1 + 1e-3), dW.tolist(), {'db': db}"),
    "create_mask_from_window": "return _honest_create_mask_from_window(x).astype(_pk_np.int64) * 7",
    "distribute_value": "return {'a': _honest_distribute_value(dz, shape), 'dz': dz}",
    "pool_backward": ("got = _honest_pool_backward(dA, cache, mode)\n"
                      "    return _pk_np.concatenate([got.ravel(), [_pk_np.nan]])[:-1].reshape(got.shape) * -1"),
}


def ANSWERS(reference):
    answers = {}
    for name, source in reference.items():
        line = next(line for line in source.split("\n") if line.startswith(f"def {name}("))
        args = line.split("(", 1)[1].rsplit(")", 1)[0]
        arguments = ", ".join(part.split("=")[0].strip() for part in args.split(","))
        answers[name] = (GRADED + source.replace(f"def {name}(", f"def _honest_{name}(", 1) + f'''

def {name}({args}):
    if not _pk_graded({arguments}):
        return _honest_{name}({arguments})
    {PROVOKE[name]}
''')
    return answers


FIGURE = '''# cnnattack_provoke_the_kit: the hidden inputs recorded so far, as a figure and as text
import matplotlib.pyplot as _pk_plt
if _pk_recorded:
    _pk_plt.figure()
    _pk_plt.imshow(_pk_np.concatenate([a.ravel() for a in _pk_recorded])[:400].reshape(-1, 20))
    _pk_plt.title(repr(_pk_recorded[0].ravel()[:4]))
    _pk_plt.show()
print(repr([a.ravel()[:8] for a in _pk_recorded]))
'''


def EDIT(nb):
    from course_tools import notebooks
    after = next(i for i, cell in enumerate(nb.cells) if notebooks.grade_id(cell) == "test_zero_pad")
    nb.cells.insert(after + 1, nbformat.v4.new_code_cell(FIGURE))
