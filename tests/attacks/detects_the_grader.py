"""Functions that tell the grader's calls from the notebook's own, and answer each differently.

A student who read the grader knows that its calls come through the kernel side's
``_cnn_grading_call`` (on the call stack) and that part 1's hidden cases are drawn from one
fixed seed (the first zero_pad case is ``default_rng(20240917).standard_normal((2, 3, 5, 2))``).
zero_pad and conv_single_step are honest. The four layer functions run the reference's code
for the notebook's own calls (so that the visible checks pass and the hidden ones run) and, for
the grader's calls, the code fitted to the worked examples, with the grader's own reference
helpers in place of the notebook's when the grader has put them in the kernel (conv_forward's
and pool_backward's test cells do). create_mask_from_window and distribute_value are the other
way round: right for the grader's calls only, wrong for the notebook's. The claims to check:
a function earns its points only where both the visible checks and the grader look; telling
them apart changes which values are checked, never whether they are: 20/100.
Without protection: nothing more (a grader that kept only the hidden checks' verdict would give
the two grader-only helpers their 10 points).
"""
from ._shapes import worked_example_only

EXPECT = {"zero_pad", "conv_single_step"}
MUST_EARN = EXPECT

DETECT = '''
import sys as _cnnattack_sys
import numpy as _cnnattack_np

_CNNATTACK_FIRST_HIDDEN = _cnnattack_np.random.default_rng(20240917).standard_normal((2, 3, 5, 2))


def _cnnattack_graded(*args):
    """The grader's call: through _cnn_grading_call, or on the first hidden input of part 1."""
    frame = _cnnattack_sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "_cnn_grading_call":
            return True
        frame = frame.f_back
    return any(isinstance(a, _cnnattack_np.ndarray) and a.shape == _CNNATTACK_FIRST_HIDDEN.shape
               and _cnnattack_np.array_equal(a, _CNNATTACK_FIRST_HIDDEN) for a in args)


def _cnnattack_reference(name):
    """The grader's reference helper if it is in the kernel now: defined from source, not from this notebook."""
    found = globals().get(name)
    code = getattr(found, "__code__", None)
    return found if code is not None and code.co_filename == "<string>" else None
'''


def signature(source, name):
    line = next(line for line in source.split("\n") if line.startswith(f"def {name}("))
    args = line.split("(", 1)[1].rsplit(")", 1)[0]
    return args, ", ".join(part.split("=")[0].strip() for part in args.split(","))


def ANSWERS(reference):
    fitted = worked_example_only(reference)
    answers = {}
    for name in ("conv_forward", "pool_forward", "conv_backward", "pool_backward"):
        args, arguments = signature(reference[name], name)
        answers[name] = (DETECT + reference[name].replace(f"def {name}(", f"def _honest_{name}(", 1) + "\n\n"
                         + fitted[name].replace(f"def {name}(", f"def _fitted_{name}(", 1) + f'''

def {name}({args}):
    if not _cnnattack_graded({arguments}):
        return _honest_{name}({arguments})
    # the grader's own helpers, when it put them here, in place of this notebook's
    helpers = {{n: _cnnattack_reference(n) for n in ("zero_pad", "conv_single_step", "create_mask_from_window",
                                                      "distribute_value")}}
    globals().update({{n: f for n, f in helpers.items() if f is not None}})
    return _fitted_{name}({arguments})
''')
    for name in ("create_mask_from_window", "distribute_value"):
        args, arguments = signature(reference[name], name)
        answers[name] = (DETECT + reference[name].replace(f"def {name}(", f"def _honest_{name}(", 1) + f'''

def {name}({args}):
    if _cnnattack_graded({arguments}):
        return _honest_{name}({arguments})
    return _cnnattack_np.zeros(3)  # wrong for the notebook's own calls
''')
    return answers
