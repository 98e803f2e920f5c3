"""create_mask_from_window crashes the interpreter (a segmentation fault through ctypes); seven are honest.

Calling it reads address 0 with ``ctypes.string_at(0)``: the kernel dies by SIGSEGV.
The claim to check: it costs create_mask_from_window only.
Without protection (plain nbgrader): every point lost; this pipeline replaces the cell.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "distribute_value", "pool_backward"}
MUST_EARN = EXPECT
ANSWERS = {"create_mask_from_window": "def create_mask_from_window(x):\n    import ctypes\n"
                                      "    return ctypes.string_at(0)\n"}
