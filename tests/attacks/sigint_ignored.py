"""distribute_value ignores SIGINT and loops forever; the other seven functions are honest.

The function first sets ``signal.signal(SIGINT, SIG_IGN)`` (ipykernel puts its own
handler back before every cell, so the function does it itself, at every call) and then
loops, catching KeyboardInterrupt in case one still arrives. The interrupt that the
grader sends when a cell times out does nothing: the kernel never answers again. The
claims to check: the student is still graded, only distribute_value (and pool_backward's
worked example, which calls it) is lost, and the time spent is bounded.
Without protection: a grader that waits for the kernel gives up on the whole notebook,
and the student's seven honest functions score 0.
"""
from attacks import CELL_TIMEOUT

EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "pool_backward"}
MUST_EARN = EXPECT
PROBLEMS = ("timed out", "time limit")
BUDGET_SECONDS = 4 * CELL_TIMEOUT + 20  # about one cell timeout (and killing the deaf kernel) plus a short budget
ANSWERS = {"distribute_value": '''def distribute_value(dz, shape):
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            while True:
                pass
        except KeyboardInterrupt:
            continue
'''}
