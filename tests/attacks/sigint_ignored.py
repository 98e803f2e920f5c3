"""Ignore SIGINT, then loop forever in every graded function.

The zero_pad cell sets ``signal.signal(SIGINT, SIG_IGN)``: the interrupt that the grader
sends when a cell times out does nothing, so the first endless loop never ends and every
later cell of this student times out in turn (each waits a full cell timeout behind it).
Nothing is implemented.
Without protection: about 30 s per remaining cell (some 20 minutes) for one student,
or a grader stuck for good.
"""
BASE = "release"
EXPECT = set()
PROBLEMS = ("timed out", "time limit")
BUDGET_SECONDS = 120  # about one cell timeout (30 s) plus a short budget
SIGNATURES = {"zero_pad": "X, pad", "conv_single_step": "a_slice_prev, W, b", "conv_forward": "A_prev, W, b, hparameters",
              "pool_forward": 'A_prev, hparameters, mode="max"', "conv_backward": "dZ, cache",
              "create_mask_from_window": "x", "distribute_value": "dz, shape", "pool_backward": 'dA, cache, mode="max"'}
ANSWERS = {name: f"def {name}({args}):\n    while True:\n        pass\n" for name, args in SIGNATURES.items()}
ANSWERS["zero_pad"] += "\n\nimport signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
