"""The kernel closes its own stdout and stderr (Python's objects and file descriptors 1 and 2).

All eight functions are honest. The last solution cell (pool_backward) closes
``sys.stdout``, ``sys.stderr`` and the descriptors 1 and 2. Every later print, the
checks' "visible checks passed" included, raises; the kernel's output machinery may
break. A grader that judges by the kernel's printed output loses every later test.
The claim to check: the verdict, decided outside the kernel, does not depend on it.
Without protection: the checks after the close fail (honest work scored 0).
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
# The cell that closes stdout breaks its own function's visible checks (their closing
# print raises), so that function may be lost: a fault costs the cells it breaks, and
# nothing else. Every other function must keep its points.
MUST_EARN = EXPECT - {"pool_backward"}
APPEND = {"pool_backward": '''
import os as _os
import sys as _sys

for _stream in (_sys.stdout, _sys.stderr):
    try:
        _stream.close()
    except Exception:
        pass
for _fd in (1, 2):
    try:
        _os.close(_fd)
    except OSError:
        pass
'''}
