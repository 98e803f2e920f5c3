"""Capture the reference helpers the grader sends into the kernel, and put their source in the feedback page.

WON, as docs/attacks.md ("Still not defended") says it would: three of the kit's four reference
helpers reach the student's page.

zero_pad, conv_single_step, pool_forward, create_mask_from_window and distribute_value are
honest. The zero_pad cell wraps the kernel side's ``_cnn_grading_define``, which the grader
calls to put a reference helper in the kernel for one test cell (conv_forward's: zero_pad and
conv_single_step; conv_backward's: zero_pad; pool_backward's: create_mask_from_window and
distribute_value), and keeps the source it is given. conv_forward, conv_backward and
pool_backward run the reference's code for the notebook's own calls (the visible checks pass)
and, when the grader's hidden checks call them (the kernel side's ``_cnn_grading_call`` on the stack), raise
with the source of a reference helper they have seen, on one line ("; " for line ends): 120
characters hold a whole helper (zero_pad's is 118). The feedback page then shows
conv_single_step's (conv_forward's cell), zero_pad's (conv_backward's) and
create_mask_from_window's (pool_backward's). The test's look for secrets does not see them: the
kit holds the helpers as string literals, whose lines are not the source's.

Root cause: the design (grading/kernel_calls.py ``GradingKernel.define_for_this_cell``, the kits'
``isolate``): a function is graded with the reference helpers in the student's kernel. The
helpers are a line each (np.pad, a sum, a comparison with the max, np.full). A fix, if it
mattered: give the function under test helpers that answer through the grader (a proxy in the
kernel that asks the grader for each call) instead of their source.

Reproduce:

    cp tests/attacks_pending/capture_references.py tests/attacks/
    CNN_ATTACKS=capture-references .venv/bin/python -m pytest tests/test_attacks.py -q
    rm tests/attacks/capture_references.py

(every test passes) and read feedback/capture-references/cnn_step_by_step/cnn_step_by_step.html, or
through _measure.py and the page it leaves.
Without protection: the whole grading kit was in the kernel (kit-oracles).
"""
EXPECT = {"zero_pad", "conv_single_step", "pool_forward", "create_mask_from_window", "distribute_value"}
MUST_EARN = EXPECT

CAPTURE = r'''
_cr_real_define = _cnn_grading_define
_cr_seen = {}


def _cnn_grading_define(name, source):
    _cr_seen.setdefault(name, source)
    return _cr_real_define(name, source)


def _cr_graded():
    import sys
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "_cnn_grading_call":
            return True
        frame = frame.f_back
    return False


def _cr_leak(prefer):
    for name in prefer:
        if name in _cr_seen:
            source = "; ".join(line.strip() for line in _cr_seen[name].splitlines() if line.strip())
            raise RuntimeError(source.replace(":;", ":"))
'''
LEAKS = {"conv_forward": ("conv_single_step", "zero_pad"), "conv_backward": ("zero_pad",),
         "pool_backward": ("create_mask_from_window", "distribute_value")}


def ANSWERS(reference):
    answers = {"zero_pad": reference["zero_pad"] + "\n\n" + CAPTURE}
    for name, prefer in LEAKS.items():
        line = next(line for line in reference[name].split("\n") if line.startswith(f"def {name}("))
        args = line.split("(", 1)[1].rsplit(")", 1)[0]
        arguments = ", ".join(part.split("=")[0].strip() for part in args.split(","))
        answers[name] = reference[name].replace(f"def {name}(", f"def _honest_{name}(", 1) + f'''

def {name}({args}):
    if _cr_graded():
        _cr_leak({prefer!r})
    return _honest_{name}({arguments})
'''
    return answers
