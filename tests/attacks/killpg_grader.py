"""Kill the grader's whole process group: os.killpg on the parent's group, and on its own.

All eight functions are honest. The zero_pad cell sends ``SIGKILL`` to the process
group of its parent (the grader, and whatever shares its group: a ``make`` or a shell
pipeline), then to the parent's session leader.
Without protection: the batch stops, with the command that started it.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": '''
import os as _os
import signal as _signal

for _target in (lambda: _os.getpgid(_os.getppid()), lambda: _os.getsid(_os.getppid())):
    try:
        _group = _target()
        if _group > 1 and _group != _os.getpgid(0):
            _os.killpg(_group, _signal.SIGKILL)
    except Exception:
        pass
'''}
