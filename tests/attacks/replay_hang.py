"""Kill the kernel once; the cell before it hangs, deaf to interrupts, only when it is replayed; 300 cells between.

After a kernel death the grader starts a new kernel and runs the notebook's earlier cells
again. Replayed cells are not stored in the history, so ``execution_count`` stays 1 in
the new kernel: a cell can tell a replay from the first run. This one ignores SIGINT and
loops when replayed; 300 trivial cells follow it, then a cell that ends the kernel with
``os._exit``. Every function is honest. The claims to check: the replay runs on the
notebook's clock and stops at the cell that does not answer its interrupt (the kernel
is replaced again, without it), so the student keeps 100 and is graded in about one cell
timeout.
Without protection: each of the 300 cells queued behind the hung one waits its 0.5 s
floor, outside the notebook's deadline: about 185 s on one worker (80 minutes with 10,000
cells), and the cells after the replay find the notebook's time used up.
"""
import nbformat

from attacks import CELL_TIMEOUT

EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward", "create_mask_from_window",
          "distribute_value", "pool_backward"}
MUST_EARN = EXPECT
BUDGET_SECONDS = 2 * CELL_TIMEOUT + 35  # one cell timeout for the hung replay, the interrupt's 2 s, and honest grading

HANGS_WHEN_REPLAYED = '''# cnnattack_replay_hang
import signal as _cnnattack_replay_hang_signal

if get_ipython().execution_count == 1:  # a replay: replayed cells are not stored, the count stays 1
    _cnnattack_replay_hang_signal.signal(_cnnattack_replay_hang_signal.SIGINT, _cnnattack_replay_hang_signal.SIG_IGN)
    while True:
        try:
            while True:
                pass
        except KeyboardInterrupt:
            continue
'''
KILLS_THE_KERNEL = "import os as _cnnattack_replay_hang_os\n_cnnattack_replay_hang_os._exit(0)\n"


def EDIT(nb):
    first_code = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")
    cells = [nbformat.v4.new_code_cell(HANGS_WHEN_REPLAYED)]
    cells += [nbformat.v4.new_code_cell(f"_cnnattack_replay_hang_{i} = {i}") for i in range(300)]
    cells.append(nbformat.v4.new_code_cell(KILLS_THE_KERNEL))
    nb.cells[first_code + 1:first_code + 1] = cells
