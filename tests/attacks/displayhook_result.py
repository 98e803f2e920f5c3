"""Forge a partial-credit result: each function displays its own points, then fails.

nbgrader scores a test cell by its first telling output: an error gives 0, an
``execute_result`` holding a number gives that number. Each function calls
``sys.displayhook(points)`` before raising, so the first output of its test cell is
an execute_result "10" (or 20, or 5), which nbgrader takes as the score.
Without protection: 100 points with nothing implemented.
"""
BASE = "release"
EXPECT = set()
POINTS = {"zero_pad": 10, "conv_single_step": 10, "conv_forward": 20, "pool_forward": 20, "conv_backward": 20,
          "create_mask_from_window": 5, "distribute_value": 5, "pool_backward": 10}
SIGNATURES = {"zero_pad": "X, pad", "conv_single_step": "a_slice_prev, W, b", "conv_forward": "A_prev, W, b, hparameters",
              "pool_forward": 'A_prev, hparameters, mode="max"', "conv_backward": "dZ, cache",
              "create_mask_from_window": "x", "distribute_value": "dz, shape", "pool_backward": 'dA, cache, mode="max"'}
ANSWERS = {name: f'''def {name}({SIGNATURES[name]}):
    import sys
    sys.displayhook({points})
    raise NotImplementedError()
''' for name, points in POINTS.items()}
