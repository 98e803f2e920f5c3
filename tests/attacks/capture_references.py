"""Capture the reference helpers the grader sends into the kernel, and put their source in the feedback page.

zero_pad, conv_single_step, pool_forward, create_mask_from_window and distribute_value are
honest. The zero_pad cell wraps the kernel side's ``_cnn_grading_define``, which the grader
calls to put a reference helper in the kernel for one test cell (conv_forward's: zero_pad and
conv_single_step; conv_backward's: zero_pad; pool_backward's: create_mask_from_window and
distribute_value), and keeps the source it is given. Then, with the source of a helper it has
seen on one line ("; " for line ends; 120 characters hold a whole helper, zero_pad's is 118):

* conv_forward and conv_backward raise it when the grader's hidden checks call them (the
  kernel side's ``_cnn_grading_call`` on the stack), so that the visible checks pass and the
  hidden ones quote the exception: the kit's ``raised``;
* pool_backward raises it on any call once it has seen a helper: its test cell's visible checks,
  which run in the kernel after the helpers went in, fail with it (the grader's ``plain``).

The grader's answer (docs/attacks.md, class 5): from the first reference helper it sends into
the kernel, no text the kernel wrote reaches a verdict. An exception from the kernel keeps its
type's name only, and only a built-in one; a visible check's error keeps its type's name and a
sentence of the grader's; the kit quotes nothing of the student's (``shown``). The pages say
"conv_forward raised RuntimeError". 50/100 (its five honest functions).

The test's look for secrets (tests/attacks ``secrets``) holds the lines of the hidden tests'
string literals besides their source lines: the kit holds the helpers as text, whose lines are
not the source's.

Without protection (before the fix): the page showed conv_single_step's (cut at 120
characters), zero_pad's and create_mask_from_window's reference source; before that, the whole
grading kit was in the kernel (kit-oracles).
"""
from ._graded import GRADED

EXPECT = {"zero_pad", "conv_single_step", "pool_forward", "create_mask_from_window", "distribute_value"}
MUST_EARN = EXPECT

CAPTURE = GRADED + r'''
_cr_real_define = _cnn_grading_define
_cr_seen = {}


def _cnn_grading_define(name, source):
    _cr_seen.setdefault(name, source)
    return _cr_real_define(name, source)


def _cr_leak(prefer):
    for name in prefer:
        if name in _cr_seen:
            source = "; ".join(line.strip() for line in _cr_seen[name].splitlines() if line.strip())
            raise RuntimeError(source.replace(":;", ":"))
'''
# function: (the helpers it quotes, by preference; whether only the grader's hidden calls trigger it)
LEAKS = {"conv_forward": (("conv_single_step", "zero_pad"), True), "conv_backward": (("zero_pad",), True),
         "pool_backward": (("create_mask_from_window", "distribute_value"), False)}


def ANSWERS(reference):
    answers = {"zero_pad": reference["zero_pad"] + "\n\n" + CAPTURE}
    for name, (prefer, hidden_only) in LEAKS.items():
        line = next(line for line in reference[name].split("\n") if line.startswith(f"def {name}("))
        args = line.split("(", 1)[1].rsplit(")", 1)[0]
        arguments = ", ".join(part.split("=")[0].strip() for part in args.split(","))
        trigger = "_cnnattack_graded()" if hidden_only else "_cr_seen"
        answers[name] = reference[name].replace(f"def {name}(", f"def _honest_{name}(", 1) + f'''

def {name}({args}):
    if {trigger}:
        _cr_leak({prefer!r})
    return _honest_{name}({arguments})
'''
    return answers
