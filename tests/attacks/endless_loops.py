"""Every graded function is an endless loop (``while True: pass``).

Nothing is implemented; each function loops forever. A grader that waits the full cell
timeout (30 s) for every cell that calls one spends 30 s on each of them (the worked
examples and the checks: about 8 minutes for this one student).
Without protection: about 8 minutes of grading time for one student; the batch's
duration is the students' to choose.
"""
from attacks import CELL_TIMEOUT

BASE = "release"
EXPECT = set()
PROBLEMS = ("timed out", "time limit")
BUDGET_SECONDS = 4 * CELL_TIMEOUT + 20  # about one cell timeout plus a short budget, never 8 timeouts
SIGNATURES = {"zero_pad": "X, pad", "conv_single_step": "a_slice_prev, W, b", "conv_forward": "A_prev, W, b, hparameters",
              "pool_forward": 'A_prev, hparameters, mode="max"', "conv_backward": "dZ, cache",
              "create_mask_from_window": "x", "distribute_value": "dz, shape", "pool_backward": 'dA, cache, mode="max"'}
ANSWERS = {name: f"def {name}({args}):\n    while True:\n        pass\n" for name, args in SIGNATURES.items()}
