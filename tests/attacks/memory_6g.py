"""Allocate and touch 6 GiB of memory in the zero_pad cell, and record whether it worked.

All eight functions are honest. The zero_pad cell allocates a 6 GiB numpy array and
writes every page (``np.ones``), holds it while its check runs, and records the outcome
in ``/tmp/cnnattack_memory_6g`` ("allocated" or the error). Bounded: one allocation,
freed at the end of the cell.
Without protection: 6 GiB taken from the grading machine (a few such students, or a
larger number, and the machine swaps or the OOM killer picks a process: maybe the grader).
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
PROBLEMS = ("memory limit",)  # named from the printed record of the MemoryError it caught
APPEND = {"zero_pad": '''
try:
    _hog = np.ones(6 * 2 ** 30 // 8)
    _outcome = f"allocated {_hog.nbytes} bytes"
    del _hog
except BaseException as _error:
    _outcome = f"{type(_error).__name__}: {_error}"
print("memory-6g:", _outcome)  # the record that outlives a sandbox's private /tmp
try:
    with open("/tmp/cnnattack_memory_6g", "w") as _handle:
        _handle.write(_outcome + "\\n")
except OSError:
    pass
'''}
