"""Fork 500 processes that each sleep 5 seconds, and record how many forks succeeded.

All eight functions are honest. The zero_pad cell forks 500 children (each becomes
``sleep 5`` named ``cnnattack_fork_500`` and exits), stops at the first failure, and
records the count in ``/tmp/cnnattack_fork_500``. Bounded: 500 processes for 5 s; the
real attack is an unbounded fork bomb, which takes every pid of the machine (as root,
RLIMIT_NPROC does not apply).
Without protection: 500 processes of the student's on the grading machine.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
PROBLEMS = ("process limit",)
APPEND = {"zero_pad": '''
import os as _os

_forked, _error = 0, ""
for _ in range(500):
    try:
        _pid = _os.fork()
    except OSError as _e:
        _error = f"{type(_e).__name__}: {_e}"
        break
    if _pid == 0:
        try:
            _os.execv("/bin/sleep", ["cnnattack_fork_500", "5"])
        finally:
            _os._exit(0)
    _forked += 1
try:
    with open("/tmp/cnnattack_fork_500", "w") as _handle:
        _handle.write(f"{_forked} forks succeeded {_error}\\n")
except OSError:
    pass
'''}
