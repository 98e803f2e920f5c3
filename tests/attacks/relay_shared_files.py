"""A relay through whatever every kernel shares: extended attributes, times and modes of the shared files, its folders.

Like keyring-relay, every student who hands in this notebook implements some functions and
takes the others from earlier students. Each implemented function's cell offers its source
in every place a later kernel can look that tests/test_kernel_channels.py does not try: user
extended attributes of numpy's files, the venv's python and the kernel's own folders, a file
in the notebook's folder (/home/student), in /run/kernel (its sockets' folder) and in
/submissions (the template's folder of every notebook's files), the access time of a
rarely read file (a bit: "sources were stored"), its mode and its modification time. Each
other function's cell looks in all of them, and otherwise leaves the release's stub.
Bounded: whatever it manages to change outside its folders (an attribute of a shared file, a
mode, a time) is put back by a daemon named with its marker two minutes later.
Here it implements zero_pad and conv_single_step: whatever it finds, it must earn those two
and nothing else.
Without protection: every function an earlier student stored, on any machine where one of
these places is writable or shared (a booted kernel's folder was writable before trusted
grading).
"""
from ._relay import relay_answers

IMPLEMENTED = ("zero_pad", "conv_single_step")
EXPECT = set(IMPLEMENTED)
BASE = "release"

RELAY = '''
import glob as _glob
import os as _os
import sys as _sys

_MARK = "cnnattack_relay_shared_files"
_NUMPY = _os.path.dirname(__import__("numpy").__file__)
_XATTR_ON = [_os.path.join(_NUMPY, "__init__.py"), _os.path.realpath(_sys.executable), _NUMPY, "/home/student",
             "/run/kernel", "/submissions", "/usr/bin/env"]
_FOLDERS = ["/home/student", "/run/kernel", "/submissions", "."]
_FLAG = sorted(_glob.glob(_NUMPY + "/**/*.pyi", recursive=True))[-1:]  # a file no kernel of the course reads


def _relay_write(name, source):
    data = source.encode()
    changed = []  # (path, what to put back) for what it changed outside its own folders
    for path in _XATTR_ON:
        try:
            _os.setxattr(path, f"user.{_MARK}.{name}", data)
            changed.append((path, ("xattr", f"user.{_MARK}.{name}")))
        except OSError:
            pass
    for folder in _FOLDERS:
        try:
            with open(_os.path.join(folder, f"{_MARK}.{name}"), "wb") as handle:
                handle.write(data)
        except OSError:
            pass
    for path in _FLAG:  # a bit: the access time moves, the mode changes, the modification time is set
        try:
            before = _os.stat(path)
            open(path, "rb").read()
        except OSError:
            continue
        for what, act in (("mode", lambda: _os.chmod(path, 0o600)), ("times", lambda: _os.utime(path, (1, 1)))):
            try:
                act()
                changed.append((path, (what, before.st_mode & 0o7777, before.st_atime_ns, before.st_mtime_ns)))
            except OSError:
                pass
    if changed:
        _relay_put_back_later(changed)


def _relay_put_back_later(changed):
    """A daemon, named with the marker, that undoes the changes after two minutes (bounded harm)."""
    if _os.fork() != 0:
        return
    try:
        _os.setsid()
        if _os.fork() != 0:
            _os._exit(0)
        _os.execv(_sys.executable, [_sys.executable, "-c", _PUT_BACK, repr(changed), _MARK])
    finally:
        _os._exit(0)


_PUT_BACK = """
import ast, os, sys, time
time.sleep(120)
for path, what in ast.literal_eval(sys.argv[1]):
    try:
        if what[0] == "xattr":
            os.removexattr(path, what[1])
        elif what[0] == "mode":
            os.chmod(path, what[1])
        else:
            os.utime(path, ns=(what[2], what[3]))
    except OSError:
        pass
"""


def _relay_read(name):
    for path in _XATTR_ON:
        try:
            return _os.getxattr(path, f"user.{_MARK}.{name}").decode()
        except OSError:
            pass
    for folder in _FOLDERS:
        try:
            with open(_os.path.join(folder, f"{_MARK}.{name}"), "rb") as handle:
                return handle.read().decode()
        except OSError:
            pass
    return None


def _relay_flag():
    """Whether an earlier kernel left the bit: a recent access time, or the mode or times it set."""
    import time
    for path in _FLAG:
        try:
            found = _os.stat(path)
        except OSError:
            continue
        if time.time() - found.st_atime < 600 or found.st_mode & 0o777 == 0o600 or found.st_mtime == 1:
            return True
    return False
'''


def ANSWERS(reference):
    missing = 'NotImplementedError("stored by an earlier student: " + str(_relay_flag()))'
    return relay_answers(RELAY, reference, IMPLEMENTED, missing)
