"""Leave a daemon behind: double fork, setsid, exec a 10-minute sleep.

All eight functions are honest. The zero_pad cell forks twice, the grandchild starts a
new session and becomes ``sleep 600`` (named ``cnnattack_daemon_sleep``), detached
from the kernel: killing the kernel does not end it. A real attacker's daemon would
mine, scan or wait for the next student's kernel.
Without protection: a process of the student's outlives grading.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": '''
import os as _os

_child = _os.fork()
if _child == 0:
    try:
        _os.setsid()
        if _os.fork() == 0:
            _null = _os.open("/dev/null", _os.O_RDWR)
            for _fd in (0, 1, 2):
                _os.dup2(_null, _fd)
            _os.execv("/bin/sleep", ["cnnattack_daemon_sleep", "600"])
    finally:
        _os._exit(0)
_os.waitpid(_child, 0)
'''}
