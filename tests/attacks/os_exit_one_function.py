"""conv_single_step ends the Python process (``os._exit(0)``); the other seven are honest.

Calling conv_single_step stops the kernel at once, without an error. A grader that
loses the whole notebook when the kernel dies gives this student 0 for everything.
The claim to check: it costs conv_single_step only.
Without protection (plain nbgrader): every point lost and nbgrader exits 1. This
pipeline already replaces the cell that kills the kernel and regrades.
"""
EXPECT = {"zero_pad", "conv_forward", "pool_forward", "conv_backward", "create_mask_from_window",
          "distribute_value", "pool_backward"}
MUST_EARN = EXPECT
ANSWERS = {"conv_single_step": "def conv_single_step(a_slice_prev, W, b):\n    import os\n    os._exit(0)\n"}
